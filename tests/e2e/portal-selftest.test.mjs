// The portal's signature self-test page, everything real: the virtual card signs a text
// through the extension, the server verifies it (POST /api/v1/verify) and every check is
// green; after the signing certificate is revoked (`pkcs-tool ca revoke` on the test's copy
// of the CA, a fresh CRL, the server told to reload it) the revocation check is red with the
// reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { clickAndClose, nextPrompt, screenshot, until } from './lib/harness.mjs';
import { pkcsTool } from './lib/real.mjs';
import { pageLoaded, phoneOverflow, serverRequest, startPortalWorld, textOf, watchPage, writeCrls, withPin } from './lib/portal-world.mjs';

let world;

before(async () => {
  world = await startPortalWorld('selftest');
});

after(async () => {
  await world?.stop();
});

/** Runs the self-test on the page; resolves with {result, checks: {id: state}, detail}. */
async function selfTest(page, shot) {
  await page.evaluate(() => delete document.body.dataset.result);
  await withPin(world, () => page.click('#selftest-run'), { shot });
  await page.waitForSelector('body[data-result]', { timeout: 30_000 });
  return page.evaluate(() => ({
    result: document.body.dataset.result,
    error: document.getElementById('selftest-error').innerText,
    overall: document.getElementById('overall').innerText,
    checks: Object.fromEntries([...document.querySelectorAll('#checks li')].map((li) => [li.dataset.check, li.dataset.state])),
    details: Object.fromEntries([...document.querySelectorAll('#checks li')].map((li) => [li.dataset.check, li.innerText])),
  }));
}

test('sign with the card and verify: every check green; revoked certificate: red with the reason', async () => {
  const page = await world.browser.ctx.newPage();
  const problems = watchPage(page);
  await page.setViewportSize({ width: 1000, height: 1200 });
  await page.goto(`${world.origin}/selftest.html`);
  await pageLoaded(page);
  await page.fill('#selftest-text', '簽章自我測試 self-test ✓');

  const good = await selfTest(page, 'portal-selftest-pin-window');
  assert.equal(good.result, 'valid', `${good.error} ${good.overall} ${JSON.stringify(good.details)}`);
  const states = Object.values(good.checks);
  assert.ok(states.length >= 8, `every check shown: ${JSON.stringify(good.checks)}`);
  assert.deepEqual(states.filter((s) => s !== 'pass'), [], `all green: ${JSON.stringify(good.details)}`);
  assert.equal(await page.locator('#checks li.pass').count(), states.length);
  await screenshot(page, 'portal-selftest-valid', { width: 1000, height: 1200 });

  // Revoke the card's signing certificate in the test's CA copy; the server reloads the CRL.
  execFileSync(pkcsTool, ['ca', 'revoke', world.ca, world.card.signCert, '--reason', 'keyCompromise'], { stdio: 'pipe' });
  writeCrls(world);
  const refresh = await serverRequest(world, 'POST', '/api/v1/admin/crls/refresh');
  assert.equal(refresh.status, 200, `CRL refresh: ${refresh.text}`);

  const bad = await selfTest(page, null);
  assert.equal(bad.result, 'invalid', `${bad.error} ${bad.overall}`);
  assert.equal(bad.checks.revocation, 'fail', JSON.stringify(bad.details));
  assert.match(bad.details.revocation, /revoked/);
  assert.match(bad.details.revocation, /keyCompromise/, 'the revocation reason is shown');
  assert.match(bad.overall, /revoked/);
  assert.equal(bad.checks.signature, 'pass', 'the signature itself is still fine');
  await screenshot(page, 'portal-selftest-revoked', { width: 1000, height: 1200 });
  assert.ok((await phoneOverflow(page)) <= 0, 'the self-test page with its report fits a 375 px phone');
  assert.deepEqual(problems, [], 'no CSP violation, no script error');
  await page.close();
});

// Last in this file: it blocks the test's (private) virtual card.
test('wrong PINs until the card blocks: the page links to the MOICA unblock page', async () => {
  const page = await world.browser.ctx.newPage();
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto(`${world.origin}/selftest.html`);
  await pageLoaded(page);
  const prompt = nextPrompt(world.browser.ctx, 20_000);
  await page.click('#selftest-run');
  const win = await prompt;
  const pageResult = () => page.evaluate(() => document.body.dataset.result);
  for (let attempt = 0; attempt < 10 && !(await pageResult()) && !win.isClosed(); attempt++) {
    await win.waitForSelector('#pin:not([hidden])');
    const tries = await win.locator('#tries').innerText().catch(() => '');
    await win.fill('#pin-input', '000000');
    await clickAndClose(win, '#pin-ok');
    // The host answers with the next tries-left count, or the request ends (blocked).
    await until(async () => win.isClosed() || (await pageResult()) ||
      ((await win.locator('#tries').innerText().catch(() => tries)) !== tries && (await win.locator('#pin').isVisible().catch(() => false))),
    'the PIN window to react to a wrong PIN', 15_000);
  }
  await page.waitForSelector('body[data-result="error"]', { timeout: 15_000 });
  const message = await textOf(page, '#selftest-error');
  assert.match(message, /ERR_PIN_BLOCKED/, message);
  assert.equal(await page.getAttribute('#selftest-error a', 'href'), 'https://moica.nat.gov.tw/unblockcard.html');
  await screenshot(page, 'portal-selftest-pin-blocked', { width: 1000, height: 700 });
  await page.close();
});
