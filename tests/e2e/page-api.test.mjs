// The page API against the TEST DOUBLE host: origin policy, PIN window, wrong PIN, cancel,
// certificate chooser, login, malformed requests. Real Chromium, real extension.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { call, clickAndClose, launch, nextPrompt, openssl, readLog, screenshot, startServers, TEST_PIN, until } from './lib/harness.mjs';
import { setupDouble } from './lib/double.mjs';

let servers, double, browser, page;

before(async () => {
  servers = await startServers((double = setupDouble({ allowedOrigins: [] })).dir);
  // The allow-list names the HTTPS test origin, which is known only once the server runs.
  const cfg = JSON.parse(fs.readFileSync(double.configPath, 'utf8'));
  cfg.allowedOrigins = [servers.allowed];
  fs.writeFileSync(double.configPath, JSON.stringify(cfg));
  browser = await launch({ hostPath: double.hostPath, env: double.env });
  page = await browser.ctx.newPage();
  await page.goto(`${servers.allowed}/pages/portal.html`);
});

after(async () => {
  await browser?.close();
  await servers?.close();
  double?.cleanup();
});

function verifyDetached(pkcs7B64, content) {
  const sig = path.join(double.dir, 'sig.der');
  const data = path.join(double.dir, 'content.bin');
  fs.writeFileSync(sig, Buffer.from(pkcs7B64, 'base64'));
  fs.writeFileSync(data, content);
  openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', data, '-CAfile', double.pki.ca.cert, '-purpose', 'any', '-out', '/dev/null']);
}

test('status from an allowed page: host version, readers, but not the allow-list', async () => {
  const r = await call(page, () => PKIBridge.status());
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.hostVersion, '0.0.0-test-double');
  assert.equal(r.value.readers.length, 2);
  assert.equal(r.value.allowedOrigins, undefined);
});

test('listCertificates returns the host list', async () => {
  const r = await call(page, () => PKIBridge.listCertificates());
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(r.value.certificates.map((c) => c.certificateId).sort(), ['card0-enc', 'card0-sign', 'card1-sign']);
});

test('sign: the PIN window shows the origin and holder, the PIN goes to the host, the signature verifies', async () => {
  const prompt = nextPrompt(browser.ctx);
  const result = call(page, () => PKIBridge.sign('簽章測試 data', { certificateId: 'card0-sign', format: 'cms-detached' }));
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  assert.equal(await win.textContent('#origin'), servers.allowed);
  assert.equal(await win.textContent('#pin-holder'), '王小明');
  assert.equal(await win.textContent('#pin-issuer'), 'pkibridge Test CA');
  assert.match(await win.textContent('#tries'), /3/);
  await screenshot(win, 'pin-window');
  await win.fill('#pin-input', TEST_PIN);
  await clickAndClose(win, '#pin-ok');
  const r = await result;
  assert.equal(r.ok, true, JSON.stringify(r));
  verifyDetached(r.value.pkcs7, Buffer.from('簽章測試 data'));
  await until(() => win.isClosed(), 'the PIN window to close');
  const pins = readLog(double.logPath).filter((e) => e.command === 'pin');
  assert.equal(pins.at(-1).pinLength, 6);
  assert.equal(pins.at(-1).origin, servers.allowed);
});

test('wrong PIN: the window shows the error and the tries left, then the right PIN works', async () => {
  const prompt = nextPrompt(browser.ctx);
  const result = call(page, () => PKIBridge.sign('x', { certificateId: 'card0-sign', format: 'raw' }));
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  await win.fill('#pin-input', '000000');
  await clickAndClose(win, '#pin-ok');
  await win.waitForSelector('#notice:not([hidden])');
  assert.match(await win.textContent('#notice'), /PIN 碼錯誤|Wrong PIN/);
  assert.match(await win.textContent('#tries'), /2/);
  assert.equal(await win.inputValue('#pin-input'), '', 'the PIN field is cleared');
  await screenshot(win, 'pin-window-wrong-pin');
  await win.fill('#pin-input', TEST_PIN);
  await clickAndClose(win, '#pin-ok');
  const r = await result;
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.ok(r.value.signature.length > 100);
});

test('the PIN field takes digits only and checks the length', async () => {
  const prompt = nextPrompt(browser.ctx);
  const result = call(page, () => PKIBridge.sign('x', { certificateId: 'card0-sign', format: 'raw' }));
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  await win.type('#pin-input', '12ab34');
  assert.equal(await win.inputValue('#pin-input'), '1234');
  const before = readLog(double.logPath).filter((e) => e.command === 'pin').length;
  await clickAndClose(win, '#pin-ok'); // 4 digits: too short, refused in the window
  await win.waitForSelector('#notice:not([hidden])');
  assert.equal(readLog(double.logPath).filter((e) => e.command === 'pin').length, before, 'nothing sent to the host');
  await clickAndClose(win, '#pin .cancel');
  const r = await result;
  assert.equal(r.code, 'ERR_USER_CANCELLED');
});

test('cancel in the PIN window rejects with ERR_USER_CANCELLED and closes it', async () => {
  const prompt = nextPrompt(browser.ctx);
  const result = call(page, () => PKIBridge.sign('x', { certificateId: 'card0-sign' }));
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  await clickAndClose(win, '#pin .cancel');
  const r = await result;
  assert.equal(r.ok, false);
  assert.equal(r.code, 'ERR_USER_CANCELLED');
  assert.ok(readLog(double.logPath).some((e) => e.command === 'cancel'));
});

test('the page can abort its request (AbortSignal): the PIN window closes', async () => {
  const prompt = nextPrompt(browser.ctx);
  const result = page.evaluate(async () => {
    window.abortCtl = new AbortController();
    try {
      await PKIBridge.sign('x', { certificateId: 'card0-sign', signal: window.abortCtl.signal });
      return 'signed';
    } catch (e) {
      return e.code;
    }
  });
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  await page.evaluate(() => window.abortCtl.abort());
  assert.equal(await result, 'ERR_USER_CANCELLED');
  await until(() => win.isClosed(), 'the PIN window to close');
});

test('two signing certificates: the chooser lists both and the chosen one signs', async () => {
  const prompt = nextPrompt(browser.ctx);
  const result = call(page, () => PKIBridge.sign('choose me', { format: 'cms-attached' }));
  const win = await prompt;
  await win.waitForSelector('#choose:not([hidden])');
  const holders = await win.$$eval('#cert-list .holder', (els) => els.map((e) => e.textContent));
  assert.deepEqual(holders.sort(), ['王小明', '陳大華']);
  await screenshot(win, 'certificate-chooser');
  await win.click('#cert-list li:has-text("陳大華") input');
  await win.click('#choose-ok');
  await win.waitForSelector('#pin:not([hidden])'); // the same window goes on to the PIN
  assert.equal(await win.textContent('#pin-holder'), '陳大華');
  await win.fill('#pin-input', TEST_PIN);
  await clickAndClose(win, '#pin-ok');
  const r = await result;
  assert.equal(r.ok, true, JSON.stringify(r));
  const cert = fs.readFileSync(double.pki.users.sign2.cert, 'utf8');
  const der = openssl(['x509', '-outform', 'DER'], cert).toString('base64');
  assert.equal(r.value.certificate, der);
});

test('authenticate answers a login challenge', async () => {
  const prompt = nextPrompt(browser.ctx);
  const nonce = 'A'.repeat(20) + '-_b'.repeat(10);
  const result = call(page, (n) => PKIBridge.authenticate(n, { certificateId: 'card0-sign' }), nonce);
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  assert.match(await win.textContent('#purpose'), /登入|log in/i);
  await win.fill('#pin-input', TEST_PIN);
  await win.press('#pin-input', 'Enter', { noWaitAfter: true }).catch((e) => { if (!win.isClosed()) throw e; });
  const r = await result;
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.format, 'pkibridge-auth:1');
  const token = openssl(['cms', '-verify', '-inform', 'DER', '-CAfile', double.pki.ca.cert, '-purpose', 'any'], Buffer.from(r.value.pkcs7, 'base64'));
  const claims = JSON.parse(token.toString());
  assert.equal(claims.origin, servers.allowed, 'the host got the origin from the browser');
  assert.equal(claims.nonce, nonce);
});

test('malformed requests are refused before the host', async () => {
  const r1 = await call(page, () => PKIBridge.authenticate('short'));
  assert.equal(r1.code, 'ERR_BAD_REQUEST');
  const r2 = await call(page, () => PKIBridge.sign('x', { format: 'pdf' }));
  assert.equal(r2.code, 'ERR_BAD_REQUEST');
  // A hand-made message with an unknown key is answered, not ignored.
  const r3 = await page.evaluate(
    () =>
      new Promise((resolve) => {
        addEventListener('message', (e) => e.data?.id === 'bad1' && e.data.direction === 'response' && resolve(e.data.error?.code));
        postMessage({ channel: 'pkibridge', version: 1, direction: 'request', id: 'bad1', command: 'status', arguments: {}, origin: 'https://evil.example' }, location.origin);
      }),
  );
  assert.equal(r3, 'ERR_BAD_REQUEST');
});

test('a page whose origin is not allowed gets ERR_ORIGIN_NOT_ALLOWED and nothing reaches the card', async () => {
  const other = await browser.ctx.newPage();
  await other.goto(`${servers.other}/pages/portal.html`);
  let prompts = 0;
  const onPage = (p) => p.url().includes('/ui/prompt.html') && prompts++;
  browser.ctx.on('page', onPage);
  for (const fn of [() => PKIBridge.sign('x', { certificateId: 'card0-sign' }), () => PKIBridge.listCertificates(), () => PKIBridge.status()]) {
    const r = await call(other, fn);
    assert.equal(r.code, 'ERR_ORIGIN_NOT_ALLOWED', JSON.stringify(r));
  }
  await other.waitForTimeout(300);
  browser.ctx.off('page', onPage);
  assert.equal(prompts, 0, 'no PIN window');
  const seen = readLog(double.logPath).filter((e) => e.origin === servers.other);
  assert.deepEqual(seen, [], 'no request with that origin reached the host');
  await other.close();
});

test('an http page has no bridge: ERR_EXTENSION_UNAVAILABLE', async () => {
  const insecure = await browser.ctx.newPage();
  await insecure.goto(`${servers.insecure}/pages/portal.html`);
  assert.equal(await insecure.evaluate(() => PKIBridge.isAvailable()), false);
  const r = await call(insecure, () => PKIBridge.status());
  assert.equal(r.code, 'ERR_EXTENSION_UNAVAILABLE');
  await insecure.close();
});

test('a PIN-pad reader: the window says to use the reader, shows no PIN field, and cancel works', async () => {
  // A second browser with a host whose reader has a PIN pad (the double "verifies" after 0.6 s).
  const cfg = JSON.parse(fs.readFileSync(double.configPath, 'utf8'));
  const padConfig = path.join(double.dir, 'pinpad.json');
  fs.writeFileSync(padConfig, JSON.stringify({ ...cfg, pinPad: true, pinPadDelayMs: 1500 }));
  const padBrowser = await launch({ hostPath: double.hostPath, env: { PKIBRIDGE_TEST_DOUBLE_CONFIG: padConfig } });
  const pins = () => readLog(double.logPath).filter((e) => e.command === 'pin').length;
  const pinsBefore = pins();
  try {
    const p = await padBrowser.ctx.newPage();
    await p.goto(`${servers.allowed}/pages/portal.html`);
    let prompt = nextPrompt(padBrowser.ctx);
    let result = call(p, () => PKIBridge.sign('pad', { certificateId: 'card0-sign', format: 'raw' }));
    let win = await prompt;
    await win.waitForSelector('#pinpad:not([hidden])');
    assert.equal(await win.isVisible('#pin-input'), false);
    assert.match(await win.textContent('#pinpad'), /讀卡機|reader/);
    assert.equal(await win.textContent('#pin-holder'), '王小明');
    assert.match(await win.textContent('#tries'), /3/);
    await screenshot(win, 'pin-window-pinpad');
    const r = await result; // the "reader" verified the PIN
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(pins(), pinsBefore, 'no PIN went through the extension');
    prompt = nextPrompt(padBrowser.ctx);
    result = call(p, () => PKIBridge.sign('pad', { certificateId: 'card0-sign', format: 'raw' }));
    win = await prompt;
    await win.waitForSelector('#pinpad:not([hidden])');
    await clickAndClose(win, '#pinpad .cancel');
    assert.equal((await result).code, 'ERR_USER_CANCELLED');
  } finally {
    await padBrowser.close();
  }
});
