// Every real part for the portal page tests: a private pcscd with the virtual PIV card, the
// real pkibridge-server serving the portal pages (verify-server/web) and the API on ONE https
// origin, and headless Chromium with the extension and the real pkibridge-host.
//
// The card's test CA is copied into the test's own folder first, so that CRLs (and the
// revocation in the self-test test) never touch the CA that other tests share.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { clickAndClose, launch, nextPrompt, repo, screenshot, tempDir } from './harness.mjs';
import { pkcsTool, realHost, startCardEnv } from './real.mjs';

export const serverBinary = process.env.PKIBRIDGE_SERVER;
// The pages as the build assembles them (verify-server/web + the extension's page API).
export const webRoot = process.env.PKIBRIDGE_WEB_ROOT;

/** The holder on the virtual card (tests/support/pcsc_env.py, holder "person"). */
export const CARD_HOLDER = { nationalId: 'A123456789', name: '測試用戶' };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `pkibridge-server account ...` on the test database; returns stdout. */
export function accountCli(world, args) {
  return execFileSync(serverBinary, ['account', ...args, '--db', world.db], { stdio: 'pipe' }).toString();
}

/** (Re)writes the CRLs the server reads, from the test's copy of the card CA. */
export function writeCrls(world) {
  for (const issuer of ['root', 'moica']) {
    execFileSync(pkcsTool, ['ca', 'crl', world.ca, '--out', path.join(world.dir, `${issuer}.crl`), '--issuer', issuer], { stdio: 'pipe' });
  }
}

async function startServer(world) {
  const config = path.join(world.dir, 'server.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      listen: `127.0.0.1:${world.port}`,
      origins: [world.origin],
      trust: { anchors: [path.join(world.ca, 'root.pem')], intermediates: [path.join(world.ca, 'intermediates.pem')] },
      crl: { files: ['root', 'moica'].map((i) => path.join(world.dir, `${i}.crl`)), fromDistributionPoints: false },
      database: { path: world.db },
      tls: { selfSignedDirectory: path.join(world.dir, 'server-tls') },
      portal: { webRoot },
      ...(world.smtp ? { smtp: { url: `smtp://127.0.0.1:${world.smtp.port}`, from: 'portal@example.gov.tw' } } : {}),
      log: { level: 'warning', accessLog: false },
    }),
  );
  const proc = spawn(serverBinary, ['--config', config, '--test-captcha-answers'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`pkibridge-server did not start: ${out}`)), 20_000);
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pkibridge-server exited (${code}): ${out}`));
    });
  });
  proc.stdout.resume();
  return async () => {
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
}

/**
 * Starts it all. `setup(world)` runs before the server starts (world.db, world.card are set):
 * create the accounts there. `stop()` stops only what this started, also after a partial start.
 */
export async function startPortalWorld(name, setup = () => {}, { smtp = false } = {}) {
  const world = { dir: tempDir(`portal-${name}`) };
  world.stop = async () => {
    await world.browser?.close();
    await world.stopServer?.();
    await world.smtp?.stop();
    await world.card?.stop();
    fs.rmSync(world.dir, { recursive: true, force: true });
  };
  try {
    if (!serverBinary) throw new Error('PKIBRIDGE_SERVER is not set');
    world.card = await startCardEnv();
    if (!world.card.caDir) throw new Error('the card was not issued by `pkcs-tool ca` (no CA directory)');
    world.ca = path.join(world.dir, 'ca');
    fs.cpSync(world.card.caDir, world.ca, { recursive: true });
    writeCrls(world);
    world.db = path.join(world.dir, 'accounts.db');
    if (smtp) world.smtp = await startSmtpSink();
    world.port = await freePort();
    world.origin = `https://localhost:${world.port}`;
    await setup(world);
    world.stopServer = await startServer(world);
    const hostConfig = path.join(world.dir, 'host.json');
    fs.writeFileSync(hostConfig, JSON.stringify({ allowedOrigins: [world.origin] }));
    world.browser = await launch({ hostPath: realHost, env: { PCSCLITE_CSOCK_NAME: world.card.socket, PKIBRIDGE_HOST_CONFIG: hostConfig } });
  } catch (err) {
    await world.stop();
    throw err;
  }
  return world;
}

/** A request from the test itself to the server (loopback, self-signed TLS; `cookies`: "name=value" strings): {status, headers, body, text}. */
export function serverRequest(world, method, urlPath, body, cookies = []) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const headers = data ? { 'content-type': 'application/json', 'content-length': data.length } : { 'content-length': 0 };
    if (cookies.length) headers.cookie = cookies.join('; ');
    const req = https.request(
      { host: '127.0.0.1', port: world.port, path: urlPath, method, rejectUnauthorized: false, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode, headers: res.headers, body: json, text });
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/**
 * Opens `urlPath` and resolves with the CAPTCHA answer the page's image stands for
 * (--test-captcha-answers sends it in X-Test-Captcha-Answer). Also for a reloaded image.
 */
export async function captchaAnswerOf(page, action) {
  const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/portal/captcha' && r.request().method() === 'GET', { timeout: 15_000 });
  await action();
  const r = await response;
  const answer = r.headers()['x-test-captcha-answer'];
  if (!answer) throw new Error(`no X-Test-Captcha-Answer (status ${r.status()})`);
  return answer;
}

/** Waits for the extension's PIN window after `action`, types the PIN and submits it. */
export async function withPin(world, action, { shot } = {}) {
  const prompt = nextPrompt(world.browser.ctx, 20_000);
  await action();
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  if (shot) await screenshot(win, shot);
  await win.fill('#pin-input', world.card.pin);
  await clickAndClose(win, '#pin-ok');
}

/** Waits until the page script has rendered (body[data-loaded]). */
export async function pageLoaded(page, timeout = 15_000) {
  await page.waitForSelector('body[data-loaded="true"]', { timeout, state: 'attached' });
}

/** Text of a message region, or '' (for assertion messages). */
export function textOf(page, selector) {
  return page.locator(selector).innerText().catch(() => '');
}

/**
 * A second holder, without a card: a key pair issued by the test's CA copy (`pkcs-tool ca
 * issue`). Returns {nationalId, name, authCert, authKey}. Register it with accountCli.
 */
export function issueHolder(world, { nationalId, name }) {
  const out = path.join(world.dir, `holder-${nationalId}`);
  execFileSync(pkcsTool, ['ca', 'issue', world.ca, '--type', 'person', '--name', name, '--id', nationalId, '--out', out], { stdio: 'pipe' });
  return { nationalId, name, authCert: path.join(out, 'auth.pem'), authKey: path.join(out, 'auth.key') };
}

function cookiesOf(headers) {
  return (headers['set-cookie'] || []).map((c) => c.split(';')[0]);
}

/**
 * Logs `holder` in the way the extension would, without a browser: challenge → a
 * pkibridge-auth:1 token signed with `openssl cms` (the origin-bound content the host signs)
 * → POST /api/v1/login/certificate. Resolves with a function calling the API in that session.
 */
export async function holderSession(world, holder) {
  const challenge = await serverRequest(world, 'POST', '/api/v1/challenge', {});
  if (challenge.status !== 200) throw new Error(`challenge: ${challenge.text}`);
  let jar = cookiesOf(challenge.headers);
  const content = path.join(world.dir, `token-${Date.now()}.json`);
  fs.writeFileSync(content, JSON.stringify({ format: 'pkibridge-auth:1', origin: world.origin, nonce: challenge.body.nonce, issuedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }));
  const pkcs7 = execFileSync('openssl', ['cms', '-sign', '-binary', '-nodetach', '-nosmimecap', '-md', 'sha256', '-outform', 'DER',
    '-in', content, '-signer', holder.authCert, '-inkey', holder.authKey], { stdio: ['ignore', 'pipe', 'pipe'] });
  const certificate = execFileSync('openssl', ['x509', '-in', holder.authCert, '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const token = { format: 'pkibridge-auth:1', certificate: certificate.toString('base64'), pkcs7: pkcs7.toString('base64') };
  const login = await serverRequest(world, 'POST', '/api/v1/login/certificate', { token }, jar);
  if (login.status !== 200) throw new Error(`login of ${holder.nationalId}: ${login.text}`);
  jar = [...jar, ...cookiesOf(login.headers)];
  return (method, urlPath, body) => serverRequest(world, method, urlPath, body, jar);
}

/**
 * Collects what must never happen on the portal pages: content security policy violations
 * and uncaught script errors. Returns the (live) list; assert it is empty at the end.
 */
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  return problems;
}

/** How many CSS pixels the page is wider than a 375 px phone screen (0: it fits). */
export async function phoneOverflow(page) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 812 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (before) await page.setViewportSize(before);
  return overflow;
}

/**
 * A real SMTP sink (tests/e2e/smtp_sink.py, python3-aiosmtpd): {port, messages, waitFor(to), stop()}.
 */
export function startSmtpSink() {
  const proc = spawn('/usr/bin/python3', [path.join(repo, 'tests', 'e2e', 'smtp_sink.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const sink = { messages: [] };
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the SMTP sink did not start')), 15_000);
    proc.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^PORT (\d+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          sink.port = Number(m[1]);
          resolve(sink);
        } else if (line.trim()) {
          sink.messages.push(JSON.parse(line));
        }
      }
    });
    proc.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code})`)));
    sink.waitFor = async (to, timeout = 15_000) => {
      const end = Date.now() + timeout;
      for (;;) {
        const found = sink.messages.find((m) => m.to.includes(to));
        if (found) return found;
        if (Date.now() > end) throw new Error(`no mail to ${to} within ${timeout} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    sink.stop = async () => {
      proc.stdin.end();
      const t = setTimeout(() => proc.kill('SIGTERM'), 10_000);
      await exited;
      clearTimeout(t);
    };
  });
}
