// HiPKI Local Server compatibility against the TEST DOUBLE host: a portal written the way
// MOICA-era portals are (tests/e2e/pages/hipki-portal.html) opens http://localhost:61161/popupForm,
// answers getTbs, and reads the reply; the IE-era XHR endpoints too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clickAndClose, launch, nextPage, nextPrompt, openssl, readLog, screenshot, startServers, TEST_PIN, until } from './lib/harness.mjs';
import { setupDouble } from './lib/double.mjs';

let servers, double, browser;

before(async () => {
  double = setupDouble({ allowedOrigins: [], secondCard: false });
  servers = await startServers(double.dir);
  const cfg = JSON.parse(fs.readFileSync(double.configPath, 'utf8'));
  cfg.allowedOrigins = [servers.allowed];
  fs.writeFileSync(double.configPath, JSON.stringify(cfg));
  browser = await launch({ hostPath: double.hostPath, env: double.env });
  // The MAIN-world script is registered once the service worker has learnt the allow-list.
  await until(
    async () => {
      const m = await browser.sw.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).flatMap((s) => s.matches));
      return m.length > 0 && m;
    },
    'the HiPKI script registration',
  ).then((m) => assert.deepEqual(m, [`${servers.allowed}/*`]));
});

after(async () => {
  await browser?.close();
  await servers?.close();
  double?.cleanup();
});

async function portal(query = '', origin = servers.allowed) {
  const page = await browser.ctx.newPage();
  await page.goto(`${origin}/pages/hipki-portal.html${query}`);
  return page;
}

/** Starts a HiPKI request in the portal; types the PIN when a PIN window comes. */
async function runHipki(page, request, { pin = TEST_PIN, shot } = {}) {
  const prompt = pin ? nextPrompt(browser.ctx) : null;
  await page.evaluate((r) => startHipki(r), request);
  if (prompt) {
    const win = await prompt;
    await win.waitForSelector('#pin:not([hidden])');
    if (shot) await screenshot(win, shot);
    await win.fill('#pin-input', pin);
    await clickAndClose(win, '#pin-ok');
  }
  await page.waitForFunction(() => window.hipkiDone, null, { timeout: 20_000 });
  return page.evaluate(() => window.hipkiResult);
}

function verifyAttached(b64) {
  const file = path.join(double.dir, `p7-${Date.now()}.der`);
  fs.writeFileSync(file, Buffer.from(b64, 'base64'));
  return openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-CAfile', double.pki.ca.cert, '-purpose', 'any']).toString('utf8');
}

test('MakeSignature PKCS7 with nonce and card serial; the portal answers with targetOrigin "*"', async () => {
  const page = await portal('?reply=star');
  const tbs = 'HiPKI 相容測試 a+b=c';
  const result = await runHipki(
    page,
    { func: 'MakeSignature', signatureType: 'PKCS7', tbs: encodeURIComponent(tbs), tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin: '999999', nonce: 'n0nce-123' },
    { shot: 'hipki-pin-window' },
  );
  assert.equal(result.ret_code, 0, JSON.stringify(result));
  assert.equal(result.func, 'sign');
  assert.equal(result.last_error, 0);
  assert.equal(result.cardSN, 'TC00000001');
  assert.equal(verifyAttached(result.signature), tbs, 'the signed content is the tbs, decoded once');
  const der = openssl(['x509', '-outform', 'DER'], fs.readFileSync(double.pki.users.sign.cert)).toString('base64');
  assert.equal(result.certb64, der);
  const signReq = readLog(double.logPath).filter((e) => e.command === 'sign').at(-1);
  assert.equal(signReq.origin, servers.allowed, 'the host got the portal origin, not localhost:61161');
  assert.ok(signReq.keys.includes('nonce') && signReq.keys.includes('includeCardSerial'));
  const pins = readLog(double.logPath).filter((e) => e.command === 'pin');
  assert.equal(pins.at(-1).pinLength, 6, 'the PIN typed in our window was used, not the page one');
  await screenshot(page, 'hipki-portal-result', { width: 900, height: 500 });
  await page.close();
});

test('portals replying with targetOrigin "http://localhost:61161" (and via event.source) work too', async () => {
  for (const mode of ['exact', 'source']) {
    const page = await portal(`?reply=${mode}`);
    const result = await runHipki(page, { func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'abc', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'false', nonce: '' });
    assert.equal(result.ret_code, 0, `${mode}: ${JSON.stringify(result)}`);
    assert.equal(result.cardSN, undefined);
    assert.equal(verifyAttached(result.signature), 'abc');
    await page.close();
  }
});

test('MakeSignature PKCS1 over base64 tbs, with "+" sent as %2B', async () => {
  const page = await portal('?reply=star&plus=1');
  const data = Buffer.from([0xfb, 0xff, 0xfe, 0x00, 0x41, 0x3e, 0x3f]); // base64 "+//+AEE+Pw==" has "+"
  const result = await runHipki(page, { func: 'MakeSignature', signatureType: 'PKCS1', tbs: data.toString('base64'), tbsEncoding: 'base64', hashAlgorithm: 'SHA256' });
  assert.equal(result.ret_code, 0, JSON.stringify(result));
  const sig = path.join(double.dir, 'pkcs1.sig');
  const content = path.join(double.dir, 'pkcs1.bin');
  const pub = path.join(double.dir, 'pkcs1.pub');
  fs.writeFileSync(sig, Buffer.from(result.signature, 'base64'));
  fs.writeFileSync(content, data);
  fs.writeFileSync(pub, openssl(['x509', '-pubkey', '-noout'], fs.readFileSync(double.pki.users.sign.cert)));
  assert.match(openssl(['dgst', '-sha256', '-verify', pub, '-signature', sig, content]).toString(), /Verified OK/);
  await page.close();
});

test('GetUserCert answers pkcs11info with usage and subjectID as portals read them', async () => {
  const page = await portal();
  const result = await runHipki(page, { func: 'GetUserCert' }, { pin: null });
  assert.equal(result.func, 'pkcs11info');
  assert.equal(result.ret_code, 0);
  const certs = result.slots.flatMap((s) => s.token.certs);
  const signing = certs.find((c) => c.usage === 'digitalSignature');
  assert.ok(signing, JSON.stringify(certs));
  assert.equal(signing.subjectID, '6789');
  assert.ok(signing.certb64.length > 500);
  assert.equal(certs.find((c) => c.label === 'card0-enc').usage, 'keyEncipherment|dataEncipherment');
  assert.equal(result.slots[0].slotDescription, 'Test Reader 00');
  await page.close();
});

test('CheckEnvir answers ret_code 0', async () => {
  const page = await portal();
  const result = await runHipki(page, { func: 'CheckEnvir' }, { pin: null });
  assert.equal(result.func, 'CheckEnvir');
  assert.equal(result.ret_code, 0);
  assert.equal(result.serverVersion, '0.0.0-test-double');
  await page.close();
});

test('cancel in the PIN window gives ret_code 0x76000999', async () => {
  const page = await portal();
  const prompt = nextPrompt(browser.ctx);
  await page.evaluate(() => startHipki({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'x', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256' }));
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  await clickAndClose(win, '#pin .cancel');
  await page.waitForFunction(() => window.hipkiDone);
  const result = await page.evaluate(() => window.hipkiResult);
  assert.equal(result.ret_code, 0x76000999, JSON.stringify(result));
  await page.close();
});

test('IE-era XHR: GET /pkcs11info?withcert=true and POST /sign with tbsPackage', async () => {
  const page = await portal();
  const info = await page.evaluate(() => xhr('GET', 'http://localhost:61161/pkcs11info?withcert=true'));
  assert.equal(info.status, 200);
  const parsed = JSON.parse(info.text);
  assert.equal(parsed.func, 'pkcs11info');
  assert.ok(parsed.slots[0].token.certs[0].certb64);
  const noCert = JSON.parse((await page.evaluate(() => xhr('GET', 'http://localhost:61161/pkcs11info'))).text);
  assert.equal(noCert.slots[0].token.certs[0].certb64, undefined);

  const prompt = nextPrompt(browser.ctx);
  const pkg = JSON.stringify({ tbs: 'xhr 簽章', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', signatureType: 'PKCS7', withCardSN: 'true' });
  const signed = page.evaluate((p) => xhr('POST', 'http://localhost:61161/sign', 'tbsPackage=' + encodeURIComponent(p)), pkg);
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  await win.fill('#pin-input', TEST_PIN);
  await clickAndClose(win, '#pin-ok');
  const reply = JSON.parse((await signed).text);
  assert.equal(reply.ret_code, 0, JSON.stringify(reply));
  assert.equal(verifyAttached(reply.signature), 'xhr 簽章');
  // fetch() takes the same path.
  const viaFetch = await page.evaluate(async () => (await fetch('http://localhost:61161/pkcs11info?withcert=true')).json());
  assert.equal(viaFetch.ret_code, 0);
  await page.close();
});

test('a portal origin that is not allowed: no PIN window, no request reaches the host', async () => {
  const page = await portal('', servers.other);
  // Not registered there: the page keeps the browser's own window.open and fetch.
  assert.equal(await page.evaluate(() => window.__pkibridgeHipki), undefined);
  const before = readLog(double.logPath).length;
  let prompts = 0;
  const onPage = (p) => p.url().includes('/ui/prompt.html') && prompts++;
  browser.ctx.on('page', onPage);
  const popup = nextPage(browser.ctx, '/hipki/popup.html');
  const result = await runHipki(page, { func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'x', tbsEncoding: 'NONE' }, { pin: null });
  assert.deepEqual(result, { notInstalled: true }, 'the portal never hears from the popup and times out');
  await popup.catch(() => {});
  browser.ctx.off('page', onPage);
  assert.equal(prompts, 0);
  assert.deepEqual(readLog(double.logPath).slice(before).filter((e) => e.origin === servers.other), []);
  await page.close();
});

test('the popup page itself refuses a disallowed origin with 0x7600000F', async () => {
  // What the popup does after a portal's request arrives, with the origin the browser put on
  // that request: here one that is not on the allow-list.
  const opened = nextPage(browser.ctx, '/hipki/popup.html');
  await browser.sw.evaluate(() => chrome.windows.create({ url: chrome.runtime.getURL('hipki/popup.html'), type: 'popup' }));
  const popup = await opened;
  assert.match(await popup.textContent('#state'), /Cross-Origin-Opener-Policy/, 'opened without a portal: it says why');
  const before = readLog(double.logPath).length;
  const r = await popup.evaluate(
    (origin) => chrome.runtime.sendMessage({ type: 'hipki-popup', origin, raw: JSON.stringify({ func: 'GetUserCert' }) }),
    servers.other,
  );
  assert.equal(r.ret_code, 0x7600000f);
  assert.equal(r.func, 'pkcs11info');
  assert.deepEqual(readLog(double.logPath).slice(before).filter((e) => e.command !== 'status'), []);
  await popup.close();
});
