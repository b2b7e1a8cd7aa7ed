// The real parts for the end-to-end tests: a private pcscd with a virtual PIV card
// (tests/e2e/real_card_env.py → tests/support/pcsc_env.py) and the real pkibridge-host.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { here } from './harness.mjs';

/** Paths of the real binaries, from CTest's environment. */
export const realHost = process.env.PKIBRIDGE_HOST;
export const pkcsTool = process.env.PKIBRIDGE_PKCS_TOOL;

/**
 * Starts the card environment; resolves with its description (socket, reader, caRoot, chain,
 * pin, info.cardSerial, apduLog), remove() / insert() (resolve once pcscd has seen the change;
 * remove({wait: false}) at once, before it has) and stop().
 */
export function startCardEnv({ key = 'ec-p256', timeoutMs = 120_000 } = {}) {
  const proc = spawn('python3', [path.join(here, '..', 'real_card_env.py'), pkcsTool, key], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let buffer = '';
    let env = null;
    const replies = []; // resolvers of the commands sent, in order (one JSON line each)
    const timer = setTimeout(() => {
      proc.kill('SIGTERM');
      reject(new Error('the card environment did not start'));
    }, timeoutMs);
    proc.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (env) replies.shift()?.(JSON.parse(line));
        else ready(JSON.parse(line));
      }
    });
    const command = (name) =>
      new Promise((done, fail) => {
        replies.push((reply) => (reply.ok ? done(reply) : fail(new Error(`card ${name}: ${reply.error}`))));
        proc.stdin.write(`${name}\n`);
      });
    const ready = (description) => {
      clearTimeout(timer);
      env = description;
      env.trustAnchor = env.caRoot ?? env.chain;
      env.remove = ({ wait = true } = {}) => command(wait ? 'remove' : 'remove-now');
      env.insert = () => command('insert');
      env.stop = async () => {
        proc.stdin.end(); // the environment stops its pcscd and card, and exits
        const t = setTimeout(() => proc.kill('SIGTERM'), 15_000);
        await exited;
        clearTimeout(t);
      };
      resolve(env);
    };
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the card environment exited (${code}) before it was ready`));
    });
  });
}

/** APDU log entries of the card: one line per command, never data. */
export function apduLines(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(' APDU ')) : [];
}
