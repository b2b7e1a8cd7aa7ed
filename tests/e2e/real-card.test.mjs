// End to end with the REAL parts: headless Chromium + the extension + the real pkibridge-host +
// a private pcscd with the virtual PIV card. Page API (sign, wrong PIN, login token), HiPKI
// MakeSignature with nonce and card serial, and a disallowed origin that never reaches the card.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { call, clickAndClose, launch, nextPrompt, openssl, screenshot, startServers, tempDir } from './lib/harness.mjs';
import { apduLines, realHost, startCardEnv } from './lib/real.mjs';

let card, servers, browser, page, dir;

before(async () => {
  dir = tempDir('real');
  card = await startCardEnv();
  // openssl cms -verify builds the chain from -CAfile only (-certfile is searched for signers):
  // the trust bundle is the root plus the issuing CA.
  card.bundle = path.join(dir, 'trust.pem');
  fs.writeFileSync(card.bundle, [card.trustAnchor, card.chain].map((f) => fs.readFileSync(f, 'utf8')).join('\n'));
  servers = await startServers(dir);
  const config = path.join(dir, 'host.json');
  fs.writeFileSync(config, JSON.stringify({ allowedOrigins: [servers.allowed] }));
  browser = await launch({ hostPath: realHost, env: { PCSCLITE_CSOCK_NAME: card.socket, PKIBRIDGE_HOST_CONFIG: config } });
  page = await browser.ctx.newPage();
  await page.goto(`${servers.allowed}/pages/portal.html`);
});

after(async () => {
  await browser?.close();
  await servers?.close();
  await card?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function cmsVerify(b64, content) {
  const sig = path.join(dir, `sig-${Date.now()}.der`);
  fs.writeFileSync(sig, Buffer.from(b64, 'base64'));
  const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-CAfile', card.bundle, '-purpose', 'any'];
  if (content !== undefined) {
    fs.writeFileSync(`${sig}.content`, content);
    args.push('-content', `${sig}.content`);
  }
  return openssl(args);
}

async function typePin(win, pin) {
  await win.waitForSelector('#pin:not([hidden])');
  await win.fill('#pin-input', pin);
  await clickAndClose(win, '#pin-ok');
}

test('status and certificates come from the virtual card through the real host', async () => {
  const s = await call(page, () => PKIBridge.status());
  assert.equal(s.ok, true, JSON.stringify(s));
  const reader = s.value.readers.find((r) => r.name === card.reader);
  assert.ok(reader?.cardPresent, JSON.stringify(s.value));
  const l = await call(page, () => PKIBridge.listCertificates());
  assert.equal(l.ok, true, JSON.stringify(l));
  assert.deepEqual(l.value.certificates.map((c) => c.slot).sort(), ['9a', '9c']);
});

test('sign: PIN window → real card → CMS that openssl verifies; the wrong PIN costs one try', async () => {
  const prompt = nextPrompt(browser.ctx);
  const result = call(page, () => PKIBridge.sign('e2e 簽章', { format: 'cms-detached' }));
  const win = await prompt; // one signing certificate (9C): no chooser
  await win.waitForSelector('#pin:not([hidden])');
  assert.equal(await win.textContent('#origin'), servers.allowed);
  assert.match(await win.textContent('#tries'), /3/);
  await win.fill('#pin-input', '654321');
  await win.click('#pin-ok');
  await win.waitForSelector('#notice:not([hidden])');
  assert.match(await win.textContent('#tries'), /2/);
  await screenshot(win, 'real-pin-window-wrong-pin');
  await typePin(win, card.pin);
  const r = await result;
  assert.equal(r.ok, true, JSON.stringify(r));
  cmsVerify(r.value.pkcs7, Buffer.from('e2e 簽章'));
  const signCert = openssl(['x509', '-outform', 'DER'], fs.readFileSync(card.signCert)).toString('base64');
  assert.equal(r.value.certificate, signCert, 'signed with the 9C signature key');
});

test('authenticate: a login token bound to the page origin', async () => {
  const nonce = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
  const prompt = nextPrompt(browser.ctx);
  const result = call(page, (n) => PKIBridge.authenticate(n), nonce);
  await typePin(await prompt, card.pin);
  const r = await result;
  assert.equal(r.ok, true, JSON.stringify(r));
  const content = JSON.parse(cmsVerify(r.value.pkcs7).toString());
  assert.equal(content.format, 'pkibridge-auth:1');
  assert.equal(content.origin, servers.allowed);
  assert.equal(content.nonce, nonce);
});

test('HiPKI MakeSignature PKCS7 with nonce and card serial on the real card', async () => {
  const portal = await browser.ctx.newPage();
  await portal.goto(`${servers.allowed}/pages/hipki-portal.html?reply=exact`);
  const prompt = nextPrompt(browser.ctx);
  await portal.evaluate(() =>
    startHipki({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'hipki e2e', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', nonce: 'nonce-4711' }),
  );
  await typePin(await prompt, card.pin);
  await portal.waitForFunction(() => window.hipkiDone, null, { timeout: 20_000 });
  const result = await portal.evaluate(() => window.hipkiResult);
  assert.equal(result.ret_code, 0, JSON.stringify(result));
  assert.equal(result.cardSN, card.info.cardSerial);
  assert.equal(cmsVerify(result.signature).toString(), 'hipki e2e');
  const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], Buffer.from(result.signature, 'base64')).toString();
  assert.match(printed, /nonce-4711/, 'the nonce is a signed attribute (randomNonce)');
  assert.match(printed, new RegExp(card.info.cardSerial), 'so is the card serial');
  await portal.close();
});

test('a disallowed origin is refused before any APDU reaches the card', async () => {
  const before = apduLines(card.apduLog).length;
  const other = await browser.ctx.newPage();
  await other.goto(`${servers.other}/pages/portal.html`);
  for (const fn of [() => PKIBridge.sign('x'), () => PKIBridge.authenticate('a'.repeat(43)), () => PKIBridge.listCertificates()]) {
    assert.equal((await call(other, fn)).code, 'ERR_ORIGIN_NOT_ALLOWED');
  }
  assert.equal(apduLines(card.apduLog).length, before, 'no APDU');
  await other.close();
});
