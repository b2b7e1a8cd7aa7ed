// The real pkibridge-server for the login end-to-end test: CRLs and an account made with the
// card's test CA, a configuration naming the test portal's origin, started on a free port.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const serverBinary = process.env.PKIBRIDGE_SERVER;

/**
 * @param {{dir: string, card: object, origin: string, pkcsTool: string}} opts
 * @returns {Promise<{port: number, stop: () => Promise<void>}>}
 */
export async function startVerifyServer({ dir, card, origin, pkcsTool, nationalId = 'A123456789' }) {
  if (!card.caDir) throw new Error('the card was not issued by `pkcs-tool ca` (no CA directory)');
  const crls = ['root', 'moica'].map((issuer) => {
    const out = path.join(dir, `${issuer}.crl`);
    execFileSync(pkcsTool, ['ca', 'crl', card.caDir, '--out', out, '--issuer', issuer], { stdio: 'pipe' });
    return out;
  });
  const db = path.join(dir, 'accounts.db');
  execFileSync(serverBinary, ['account', 'add', '--db', db, '--id', nationalId, '--name', '測試用戶', '--cert', card.signCert], { stdio: 'pipe' });
  execFileSync(serverBinary, ['account', 'register-cert', '--db', db, '--id', nationalId, '--cert', card.authCert], { stdio: 'pipe' });
  const config = path.join(dir, 'server.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      listen: '127.0.0.1:0',
      origins: [origin],
      trust: { anchors: [path.join(card.caDir, 'root.pem')], intermediates: [path.join(card.caDir, 'intermediates.pem')] },
      crl: { files: crls, fromDistributionPoints: false },
      database: { path: db },
      tls: { selfSignedDirectory: path.join(dir, 'server-tls') },
      log: { level: 'warning', accessLog: false },
    }),
  );
  const proc = spawn(serverBinary, ['--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`pkibridge-server did not start: ${out}`)), 20_000);
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on \w+:\/\/[^\s]*:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`pkibridge-server exited (${code}): ${out}`)));
  });
  proc.stdout.resume(); // keep draining
  return {
    port,
    async stop() {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
