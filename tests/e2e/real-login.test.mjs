// End to end with every real part: headless Chromium + extension + real pkibridge-host + private
// pcscd + virtual PIV card + real pkibridge-server. The portal page (tests/e2e/pages/login.html)
// gets a challenge from the server, the card signs the origin-bound token, the server logs the
// user in. With PKIBRIDGE_BENCH_ITERATIONS=N it also measures click → logged in N times.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from './lib/harness.mjs';
import { clickLogin, loginResult, startLoginWorld, submitPin } from './lib/login-world.mjs';

const iterations = Number(process.env.PKIBRIDGE_BENCH_ITERATIONS ?? 0);
let world, servers;

before(async () => {
  world = await startLoginWorld('login');
  servers = world.servers;
});

after(async () => {
  await world?.stop();
});

/** One click → PIN → logged in; returns the page's timings and when the PIN window showed. */
async function login(page, { shot } = {}) {
  const clicked = Date.now();
  const win = await clickLogin(world, page);
  const pinShown = Date.now() - clicked;
  if (shot) await screenshot(win, shot);
  const submitted = Date.now();
  await submitPin(win, world.card.pin);
  const result = await loginResult(page);
  return { result, pinShown, afterPin: Date.now() - submitted };
}

test('click → PIN window → card → server: logged in, bound to the portal origin', async () => {
  const page = await world.browser.ctx.newPage();
  await page.goto(`${servers.allowed}/pages/login.html`);
  const { result } = await login(page, { shot: 'real-login-pin-window' });
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.match(JSON.stringify(result.session), /A123456789|測試用戶/);
  await screenshot(page, 'real-login-logged-in', { width: 900, height: 400 });
  await page.close();
});

if (iterations > 0) {
  test(`benchmark: click → logged in (${iterations} logins; PIN typed by the test at once)`, async () => {
    const page = await world.browser.ctx.newPage();
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
