// An administrator manages accounts through the portal's administration page, everything
// real: a super administrator (bootstrapped with `pkibridge-server account add --role
// super-admin --cert ...`) logs in with the virtual card's certificate, creates an account
// with the page's form, and the new account appears in the list (and in the audit log).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifactsDir } from './lib/harness.mjs';
import { CARD_HOLDER, accountCli, pageLoaded, phoneOverflow, serverRequest, startPortalWorld, textOf, watchPage, withPin } from './lib/portal-world.mjs';

// A valid national ID (check digit) for the account the administrator creates.
const NEW_ACCOUNT = { nationalId: 'B123456780', name: '王小明', birthDate: '1985-03-04', agency: '測試機關', unit: '資訊室',
  agencyOid: '2.16.886.101.20003', email: 'wang@example.gov.tw' };

let world;

before(async () => {
  world = await startPortalWorld('admin', (w) => {
    accountCli(w, ['add', '--id', CARD_HOLDER.nationalId, '--name', CARD_HOLDER.name, '--role', 'super-admin',
      '--status', 'active', '--cert', w.card.authCert]);
    accountCli(w, ['register-cert', '--id', CARD_HOLDER.nationalId, '--cert', w.card.signCert]);
  });
});

after(async () => {
  await world?.stop();
});

test('a super administrator logs in with the card and creates an account on the administration page', async () => {
  const page = await world.browser.ctx.newPage();
  const problems = watchPage(page);
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(`${world.origin}/login.html`);
  await pageLoaded(page);
  await withPin(world, () => page.click('#cert-login'));
  await page.waitForURL(/\/home\.html/, { timeout: 30_000 }).catch(async () => {
    assert.fail(`certificate login: ${await textOf(page, '#cert-error')}`);
  });
  await pageLoaded(page);
  assert.equal(await page.locator('#admin-link').isVisible(), true, 'the administration link is offered');

  await page.click('#admin-link a');
  await page.waitForURL(/\/admin\.html/);
  await pageLoaded(page);
  assert.equal(await page.locator(`#accounts tr[data-national-id="${CARD_HOLDER.nationalId}"]`).count(), 1, 'the administrator is listed');
  assert.equal(await page.locator(`#accounts tr[data-national-id="${NEW_ACCOUNT.nationalId}"]`).count(), 0);

  await page.click('#show-create');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'c-nationalId', 'the form takes the focus');
  for (const [field, value] of Object.entries(NEW_ACCOUNT)) await page.fill(`#c-${field}`, value);
  const firstType = page.locator('#c-identity-types input[type=checkbox]').first();
  const identityType = await firstType.getAttribute('value');
  await firstType.check();
  await page.click('#create-submit');
  await page.waitForSelector('#create-message.ok, #create-message.error', { timeout: 15_000 });
  const outcome = await textOf(page, '#create-message');
  assert.equal(await page.locator('#create-message.ok').count(), 1, `create: ${outcome}`);
  assert.match(outcome, new RegExp(NEW_ACCOUNT.nationalId));

  // The new account in the list: pending, with the identity type.
  const row = page.locator(`#accounts tr[data-national-id="${NEW_ACCOUNT.nationalId}"]`);
  await row.waitFor({ timeout: 10_000 });
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[1], NEW_ACCOUNT.name);
  assert.ok(cells[4].includes(identityType), `identity types: ${cells[4]}`);
  assert.match(cells[3], /待啟用|pending/);
  await page.screenshot({ path: path.join(artifactsDir, 'portal-admin-created.png'), fullPage: true });

  // The search finds it, and the audit log shows its creation.
  await page.fill('#search-q', NEW_ACCOUNT.nationalId);
  await page.click('#search-submit');
  await page.waitForFunction((id) => {
    const rows = [...document.querySelectorAll('#accounts tr[data-national-id]')];
    return rows.length === 1 && rows[0].dataset.nationalId === id;
  }, NEW_ACCOUNT.nationalId, { timeout: 10_000 });
  const audit = await page.locator('#audit').innerText();
  assert.match(audit, /create/, `audit log: ${audit.slice(0, 400)}`);

  // Manage it: disabling needs a reason; with one the account is disabled, then re-enabled
  // (back to pending: it was never activated). Each change reaches the audit log.
  await page.click(`#accounts tr[data-national-id="${NEW_ACCOUNT.nationalId}"] button`);
  await page.waitForSelector('#detail:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'detail', 'the panel takes the focus');
  await page.click('#act-disable');
  assert.match(await textOf(page, '#detail-message'), /原因|reason/i, 'a reason is asked for');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'action-reason');
  await page.fill('#action-reason', 'D-06-09 離職');
  await page.click('#act-disable');
  await page.waitForSelector('#detail-message.ok', { timeout: 10_000 });
  await page.waitForFunction((id) => /已停用|disabled/.test(document.querySelector(`#accounts tr[data-national-id="${id}"] td:nth-child(4)`)?.innerText), NEW_ACCOUNT.nationalId, { timeout: 10_000 });
  await page.click('#act-enable');
  await page.waitForFunction((id) => /待啟用|pending/.test(document.querySelector(`#accounts tr[data-national-id="${id}"] td:nth-child(4)`)?.innerText), NEW_ACCOUNT.nationalId, { timeout: 10_000 });
  await page.waitForSelector('#audit tr[data-action="account.disable"]', { timeout: 10_000 });

  // Edit a field the user cannot change, re-open the initial password for today.
  await page.fill('#e-unit', '資訊處');
  await page.click('#edit-submit');
  await page.waitForFunction((id) => /資訊處/.test(document.querySelector(`#accounts tr[data-national-id="${id}"] td:nth-child(3)`)?.innerText), NEW_ACCOUNT.nationalId, { timeout: 10_000 });
  await page.click('#act-reopen');
  await page.waitForFunction(() => /\d{4}-\d{2}-\d{2}/.test(document.querySelector('#detail-message.ok')?.innerText), null, { timeout: 10_000 });

  // The review export links work in this session and list the account.
  const csv = await page.evaluate(async () => {
    const r = await fetch(document.getElementById('review-csv').href);
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  });
  assert.equal(csv.status, 200, csv.text.slice(0, 200));
  assert.match(csv.text, new RegExp(NEW_ACCOUNT.nationalId));

  // The server agrees: the account exists, created by the administrator.
  const listed = (await serverRequest(world, 'GET', '/api/v1/admin/accounts')).body.accounts;
  const stored = listed.find((a) => a.nationalId === NEW_ACCOUNT.nationalId);
  assert.equal(stored?.unit, '資訊處', `the account is in the store, edited: ${JSON.stringify(stored)}`);

  // Delete it (a reason and a confirmation): gone from the list and from the store.
  page.once('dialog', (dialog) => dialog.accept());
  await page.click('#act-delete');
  await page.waitForSelector(`#accounts tr[data-national-id="${NEW_ACCOUNT.nationalId}"]`, { state: 'detached', timeout: 10_000 });
  assert.equal(await page.locator('#detail').isHidden(), true);
  const after = (await serverRequest(world, 'GET', '/api/v1/admin/accounts')).body.accounts;
  assert.ok(!after.some((a) => a.nationalId === NEW_ACCOUNT.nationalId), 'deleted from the store');
  assert.ok((await phoneOverflow(page)) <= 0, 'the administration page fits a 375 px phone (tables scroll inside)');
  assert.deepEqual(problems, [], 'no CSP violation, no script error');
  await page.close();
});
