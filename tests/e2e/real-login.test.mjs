// End to end with every real part: headless Chromium + extension + real pkibridge-host + private
// pcscd + virtual PIV card + real pkibridge-server. The portal page (tests/e2e/pages/login.html)
// gets a challenge from the server, the card signs the origin-bound token, the server logs the
// user in. With PKIBRIDGE_BENCH_ITERATIONS=N it also measures click → logged in N times.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clickAndClose, launch, nextPrompt, screenshot, startServers, tempDir } from './lib/harness.mjs';
import { pkcsTool, realHost, startCardEnv } from './lib/real.mjs';
import { startVerifyServer } from './lib/verify-server.mjs';

const iterations = Number(process.env.PKIBRIDGE_BENCH_ITERATIONS ?? 0);
let card, verifier, servers, browser, dir;

before(async () => {
  dir = tempDir('login');
  card = await startCardEnv();
  // The portal origin must be known before the verification server starts: take a port first.
  const probe = await startServers(dir);
  const origin = probe.allowed;
  await probe.close();
  verifier = await startVerifyServer({ dir, card, origin, pkcsTool });
  servers = await startServers(dir, { apiPort: verifier.port, port: Number(new URL(origin).port) });
  const config = path.join(dir, 'host.json');
  fs.writeFileSync(config, JSON.stringify({ allowedOrigins: [servers.allowed] }));
  browser = await launch({ hostPath: realHost, env: { PCSCLITE_CSOCK_NAME: card.socket, PKIBRIDGE_HOST_CONFIG: config } });
});

after(async () => {
  await browser?.close();
  await servers?.close();
  await verifier?.stop();
  await card?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** One click → PIN → logged in; returns the page's timings and when the PIN window showed. */
async function login(page, { shot } = {}) {
  const prompt = nextPrompt(browser.ctx);
  const clicked = Date.now();
  await page.click('#login');
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  const pinShown = Date.now() - clicked;
  if (shot) await screenshot(win, shot);
  await win.fill('#pin-input', card.pin);
  const submitted = Date.now();
  await clickAndClose(win, '#pin-ok');
  await page.waitForFunction(() => window.loginResult, null, { timeout: 30_000 });
  const result = await page.evaluate(() => window.loginResult);
  return { result, pinShown, afterPin: Date.now() - submitted };
}

test('click → PIN window → card → server: logged in, bound to the portal origin', async () => {
  const page = await browser.ctx.newPage();
  await page.goto(`${servers.allowed}/pages/login.html`);
  const { result } = await login(page, { shot: 'real-login-pin-window' });
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.match(JSON.stringify(result.session), /A123456789|測試用戶/);
  await screenshot(page, 'real-login-logged-in', { width: 900, height: 400 });
  await page.close();
});

if (iterations > 0) {
  test(`benchmark: click → logged in (${iterations} logins; PIN typed by the test at once)`, async () => {
    const page = await browser.ctx.newPage();
    await page.goto(`${servers.allowed}/pages/login.html`);
    const rows = [];
    for (let i = 0; i < iterations; i++) {
      const { result, pinShown, afterPin } = await login(page);
      assert.equal(result.ok, true, JSON.stringify(result));
      const t = result.t;
      rows.push({ challenge: t.challenge - t.click, pinShown, afterPin, total: t.loggedIn - t.click, server: t.loggedIn - t.token });
    }
    const stat = (k) => {
      const v = rows.map((r) => r[k]).sort((a, b) => a - b);
      return `${k}: median ${v[Math.floor(v.length / 2)].toFixed(0)} ms, min ${v[0].toFixed(0)}, max ${v.at(-1).toFixed(0)}`;
    };
    console.log(`click → logged in over ${iterations} logins (headless Chromium, real host, virtual PIV card, real server)`);
    for (const k of ['challenge', 'pinShown', 'afterPin', 'server', 'total']) console.log(`  ${stat(k)}`);
    await page.close();
  });
}
