// Shared pieces of the browser tests: a test PKI made with openssl, an HTTPS server for the
// test portals, Debian's Chromium with the unpacked extension and a native host manifest in
// its user-data-dir, and an artefacts folder for screenshots.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../../..');
export const extensionDir = path.join(repo, 'extension');
export const HOST_NAME = 'org.pkibridge.host';
export const TEST_PIN = '123456';

const nodeModules = process.env.PKIBRIDGE_NODE_MODULES ?? path.join(repo, 'build', 'e2e-node', 'node_modules');
const { chromium } = await import(pathToFileURL(path.join(nodeModules, 'playwright-core', 'index.mjs')).href);

export const artifactsDir = process.env.PKIBRIDGE_ARTIFACTS_DIR ?? path.join(repo, 'build', 'test-artifacts', 'e2e');
fs.mkdirSync(artifactsDir, { recursive: true });

/** The fixed extension id: sha256 of the manifest's public key, first 32 hex digits as a–p. */
export function extensionId(dir = extensionDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const hex = crypto.createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pkibridge-${prefix}-`));
}

export function openssl(args, input) {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * A small test hierarchy: a CA, and per entry a key + certificate signed by it.
 * @param {string} dir
 * @param {{name: string, cn: string, keyUsage: string, ec?: boolean, days?: number, startOffsetDays?: number}[]} users
 */
export function makeTestPki(dir, users) {
  const ca = { key: path.join(dir, 'ca.key'), cert: path.join(dir, 'ca.pem') };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca.key, '-out', ca.cert, '-days', '30', '-utf8',
    '-subj', '/C=TW/O=pkibridge test/CN=pkibridge Test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const out = { ca, users: {} };
  for (const u of users) {
    const key = path.join(dir, `${u.name}.key`);
    const csr = path.join(dir, `${u.name}.csr`);
    const cert = path.join(dir, `${u.name}.pem`);
    const ext = path.join(dir, `${u.name}.ext`);
    const keyArgs = u.ec ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', key, '-out', csr, '-utf8', '-subj', `/C=TW/CN=${u.cn}`]);
    fs.writeFileSync(ext, `keyUsage=critical,${u.keyUsage}\nbasicConstraints=CA:FALSE\n`);
    openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert,
      '-days', String(u.days ?? 30), '-extfile', ext, '-sha256']);
    out.users[u.name] = { key, cert };
  }
  return out;
}

/**
 * Serves the test portals: /pages/* from tests/e2e/pages, /pkibridge.js = the page API, and
 * with `apiPort` /api/* proxied to a pkibridge-server on that port (so the portal and its
 * verification server share one origin, as in a real deployment).
 */
export async function startServers(pkiDir, { apiPort, port = 0 } = {}) {
  const key = path.join(pkiDir, 'tls.key');
  const cert = path.join(pkiDir, 'tls.pem');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  const handler = (req, res) => {
    const url = new URL(req.url, 'https://x');
    if (apiPort && url.pathname.startsWith('/api/')) {
      const upstream = https.request(
        { host: '127.0.0.1', port: apiPort, path: req.url, method: req.method, headers: req.headers, rejectUnauthorized: false },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => res.writeHead(502).end(String(err)));
      req.pipe(upstream);
      return;
    }
    let file = null;
    if (url.pathname === '/pkibridge.js') file = path.join(extensionDir, 'page-api', 'pkibridge.js');
    else if (url.pathname.startsWith('/pages/')) file = path.join(here, '..', 'pages', path.basename(url.pathname));
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const type = file.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8';
    const headers = { 'content-type': type, 'cache-control': 'no-store' };
    const coop = url.searchParams.get('coop');
    if (coop) headers['cross-origin-opener-policy'] = coop;
    res.writeHead(200, headers).end(fs.readFileSync(file));
  };
  const secure = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, handler);
  const plain = http.createServer(handler);
  await new Promise((r) => secure.listen(port, '127.0.0.1', r));
  await new Promise((r) => plain.listen(0, '127.0.0.1', r));
  const { port: securePort } = secure.address();
  return {
    allowed: `https://localhost:${securePort}`, // on the allow-list
    other: `https://127.0.0.1:${securePort}`, // same server, an origin that is not allowed
    insecure: `http://localhost:${plain.address().port}`, // no content script on http pages
    close: () => Promise.all([new Promise((r) => secure.close(r)), new Promise((r) => plain.close(r))]),
  };
}

/** Writes the host manifest where Chromium looks for it with a custom user-data-dir. */
export function installHostManifest(userDataDir, hostPath, extId = extensionId()) {
  const dir = path.join(userDataDir, 'NativeMessagingHosts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${HOST_NAME}.json`),
    JSON.stringify({ name: HOST_NAME, description: 'pkibridge test', path: hostPath, type: 'stdio', allowed_origins: [`chrome-extension://${extId}/`] }, null, 2),
  );
}

/**
 * Debian's Chromium, headless, with the extension loaded (the recipe from the notes).
 * @param {{hostPath?: string, env?: object}} opts hostPath null → no host installed
 */
export async function launch({ hostPath, env = {} } = {}) {
  const userDataDir = tempDir('profile');
  if (hostPath) installHostManifest(userDataDir, hostPath);
  // A copy: Chromium writes _metadata/ into an unpacked extension's folder. The id stays the
  // same (it comes from the manifest's key).
  const loaded = path.join(userDataDir, 'extension');
  fs.cpSync(extensionDir, loaded, { recursive: true, filter: (src) => path.relative(extensionDir, src).split(path.sep)[0] !== 'tools' });
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.PKIBRIDGE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // The UI language is Traditional Chinese, as for the users (LANGUAGE picks the locale).
    env: { ...process.env, XDG_CONFIG_HOME: path.join(userDataDir, 'xdg'), LANGUAGE: 'zh_TW', ...env },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--ignore-certificate-errors', '--lang=zh-TW',
      `--disable-extensions-except=${loaded}`, `--load-extension=${loaded}`,
    ],
  });
  const sw = ctx.serviceWorkers()[0] ?? (await ctx.waitForEvent('serviceworker'));
  const id = new URL(sw.url()).host;
  return {
    ctx,
    sw,
    id,
    async close() {
      await ctx.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the next page whose URL contains `part` (popups start as about:blank). */
export function nextPage(ctx, part, timeout = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ctx.off('page', onPage);
      reject(new Error(`no window with ${part} opened within ${timeout} ms`));
    }, timeout);
    const onPage = async (p) => {
      // A popup's first URL is "" or about:blank; the extension page commits a moment later.
      await p.waitForURL((u) => u.href.includes(part), { timeout, waitUntil: 'domcontentloaded' }).catch(() => {});
      if (!p.url().includes(part)) return;
      clearTimeout(timer);
      ctx.off('page', onPage);
      resolve(p);
    };
    ctx.on('page', onPage);
  });
}

/** Resolves with the next extension prompt window (certificate chooser / PIN). */
export function nextPrompt(ctx, timeout = 15_000) {
  return nextPage(ctx, '/ui/prompt.html', timeout);
}

/** Saves a PNG under the artefacts folder; `size` shrinks the view to the window's real size. */
export async function screenshot(page, name, size = { width: 460, height: 640 }) {
  if (size) await page.setViewportSize(size).catch(() => {});
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) }).catch(() => {});
}

/** Reads the test double host's request log (one JSON object per line). */
export function readLog(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Waits until fn() is truthy (polling), or fails with `what`. */
export async function until(fn, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs `fn(...args)` inside the page (e.g. a PKIBridge call) and reports how it ended:
 * { ok: true, value } or { ok: false, code, message, details } (the page API's typed error).
 */
export const call = (p, fn, ...args) =>
  p.evaluate(
    async ([src, a]) => {
      try {
        return { ok: true, value: await (0, eval)(src)(...a) };
      } catch (e) {
        return { ok: false, code: e.code, message: e.message, details: e.details };
      }
    },
    [fn.toString(), args],
  );

/** Clicks a button that closes its own window (Cancel): a closed page is the expected end. */
export async function clickAndClose(page, selector) {
  await page.click(selector, { noWaitAfter: true }).catch((err) => {
    if (!page.isClosed()) throw err;
  });
}
