// The portal pages end to end, everything real (pkibridge-server serving verify-server/web,
// headless Chromium + extension + pkibridge-host + private pcscd + virtual PIV card):
// first login with the initial password, typed with the keyboard alone → activation: change
// the password → register the card's certificate → account active → logout → certificate
// login → home lists the account's systems; home at a 375 px phone width.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { artifactsDir, screenshot } from './lib/harness.mjs';
import { CARD_HOLDER, accountCli, captchaAnswerOf, holderSession, issueHolder, pageLoaded, phoneOverflow, serverRequest, startPortalWorld, textOf, watchPage, withPin } from './lib/portal-world.mjs';

// Born 12 June: the initial password is "MmDd" + 0612 + the ID's last four characters.
const BIRTH_DATE = '1980-06-12';
const INITIAL_PASSWORD = `MmDd0612${CARD_HOLDER.nationalId.slice(-4)}`;
const NEW_PASSWORD = 'Portal-Activation-2025!';
const IDENTITY_TYPES = ['csm_user', 'fms_user'];

const NEW_PASSWORD_2 = 'Portal-OneDay-2025#';
const USER_EMAIL = 'user@example.gov.tw';
let world;
let officerCall; // the officer's API session
let accountId;

before(async () => {
  // The programme officer (a second holder, no card) creates the card holder's account
  // through the administration API, as on the admin page: pending, with today's initial
  // password and two identity types, no certificate yet.
  let officer;
  world = await startPortalWorld('activation', (w) => {
    officer = issueHolder(w, { nationalId: 'B123456780', name: '計畫承辦人' });
    accountCli(w, ['add', '--id', officer.nationalId, '--name', officer.name, '--role', 'super-admin', '--status', 'active', '--cert', officer.authCert]);
  }, { smtp: true });
  officerCall = await holderSession(world, officer);
  const created = await officerCall('POST', '/api/v1/portal/admin/accounts/create', {
    nationalId: CARD_HOLDER.nationalId, name: CARD_HOLDER.name, birthDate: BIRTH_DATE, agency: '測試機關', unit: '資訊室',
    agencyOid: '2.16.886.101.20003', email: USER_EMAIL, identityTypes: IDENTITY_TYPES,
  });
  assert.equal(created.status, 201, `account create: ${created.text}`);
  accountId = created.body.account.id;
});

after(async () => {
  await world?.stop();
});

/** Presses Tab until `selector` has the focus; returns the ids focused on the way. */
async function tabTo(page, selector, max = 25) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    seen.push(id);
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return seen;
  }
  throw new Error(`Tab never reached ${selector}; focus went through ${seen.join(', ')}`);
}

test('first login (keyboard only) → change password → register the card → certificate login → home lists the systems', async () => {
  const page = await world.browser.ctx.newPage();
  const problems = watchPage(page);
  await page.setViewportSize({ width: 1000, height: 900 });
  let answer = await captchaAnswerOf(page, () => page.goto(`${world.origin}/`));
  await pageLoaded(page);
  assert.equal(await page.locator('#cert-login').isVisible(), true, 'the login page is served at /');
  assert.ok((await phoneOverflow(page)) <= 0, 'the login page fits a 375 px phone');

  // A wrong password: the error says how many tries are left, and a new CAPTCHA is loaded.
  await page.fill('#national-id', CARD_HOLDER.nationalId);
  await page.fill('#password', 'MmDd00000000');
  await page.fill('#captcha-answer', answer);
  const next = await captchaAnswerOf(page, () => page.click('#password-submit'));
  assert.match(await textOf(page, '#password-error'), /還可以再試 2 次.*credentials-invalid/s);
  assert.equal(await page.inputValue('#captcha-answer'), '', 'the spent CAPTCHA answer is cleared');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password', 'focus goes back to the password');
  answer = await captchaAnswerOf(page, () => page.reload());
  await pageLoaded(page);
  assert.notEqual(next, undefined, 'a new CAPTCHA image was fetched after the failure');

  // Keyboard alone: Tab reaches the first-login form in a logical order, Enter submits it.
  await page.locator('body').focus();
  const route = await tabTo(page, '#national-id');
  assert.ok(route.includes('cert-login'), `the certificate button comes before the form: ${route}`);
  assert.ok(route.includes('tab-initial') && !route.includes('tab-one-day'), `one tab stop for the tab list: ${route}`);
  await page.keyboard.type(CARD_HOLDER.nationalId);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await page.keyboard.type(INITIAL_PASSWORD);
  const rest = await tabTo(page, '#captcha-answer', 4);
  assert.deepEqual(rest, ['captcha-refresh', 'captcha-answer'], 'password → new image → CAPTCHA answer');
  await page.keyboard.type(answer);
  await screenshot(page, 'portal-login-first-login-filled', null);
  await Promise.all([page.waitForURL(/\/register\.html/, { timeout: 15_000 }), page.keyboard.press('Enter')]);
  await pageLoaded(page);

  // Activation: only the password and certificate sections; change the password.
  assert.equal(await page.locator('#totp').isHidden(), true, 'no authenticator during activation');
  assert.match(await textOf(page, '#activation-notice'), /密碼|password/i);
  await page.fill('#current-password', INITIAL_PASSWORD);
  await page.fill('#new-password', NEW_PASSWORD);
  await page.fill('#confirm-password', NEW_PASSWORD);
  await page.click('#password-submit');
  await page.waitForSelector('#password-message.ok', { timeout: 15_000 }).catch(async () => {
    assert.fail(`password change: ${await textOf(page, '#password-message')}`);
  });

  // Register the card's certificate: challenge → extension → PIN window → server.
  await withPin(world, () => page.click('#register-certificate'), { shot: 'portal-register-pin-window' });
  await page.waitForSelector('#certificate-message.ok, #certificate-message.error', { timeout: 30_000 });
  const registered = await textOf(page, '#certificate-message');
  assert.equal(await page.locator('#certificate-message.ok').count(), 1, `certificate registration: ${registered}`);
  assert.equal(await page.locator('#certificates tr td.mono').count(), 1, 'the registered certificate is listed');
  await screenshot(page, 'portal-register-done', { width: 1000, height: 1100 });
  const accounts = (await serverRequest(world, 'GET', '/api/v1/admin/accounts')).body.accounts;
  const account = accounts.find((a) => a.nationalId === CARD_HOLDER.nationalId);
  assert.equal(account?.status, 'active', `the account is active after activation: ${JSON.stringify(account)}`);

  // Log out, then log in with the certificate.
  await Promise.all([page.waitForURL(/\/login\.html/), page.click('#logout')]);
  assert.equal((await serverRequest(world, 'GET', '/api/v1/portal/me')).status, 401);
  await pageLoaded(page);
  await withPin(world, () => page.click('#cert-login'));
  await page.waitForURL(/\/home\.html/, { timeout: 30_000 }).catch(async () => {
    assert.fail(`certificate login: ${await textOf(page, '#cert-error')}`);
  });
  await pageLoaded(page);

  // Home: the two systems of the identity types, the last password login, no activation notice.
  const systems = await page.locator('#systems li').allInnerTexts();
  assert.equal(systems.length, 2, `systems listed: ${systems}`);
  assert.ok(systems.some((s) => s.includes('csm_user')) && systems.some((s) => s.includes('fms_user')), systems.join(' | '));
  assert.equal(await page.locator('#activation-notice').isHidden(), true);
  assert.match(await textOf(page, '#me-last-password'), /\d{4}\/\d{2}\/\d{2}/, 'the first (password) login is shown');
  assert.match(await textOf(page, '#me-last-certificate'), /尚無紀錄|never/, 'this session\'s own certificate login is not "the previous" one');
  assert.match(await textOf(page, '#welcome'), new RegExp(CARD_HOLDER.name));
  await screenshot(page, 'portal-home', { width: 1000, height: 800 });

  // A phone: 375 px wide, nothing wider than the screen.
  await page.setViewportSize({ width: 375, height: 812 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the home page fits 375 px (overflows by ${overflow} px)`);
  await page.screenshot({ path: path.join(artifactsDir, 'portal-home-375px.png'), fullPage: true });

  // English switch, remembered for the next page.
  await page.click('#lang-switch');
  assert.match(await textOf(page, 'h1'), /Home/);
  await page.reload();
  await pageLoaded(page);
  assert.match(await textOf(page, 'h1'), /Home/, 'the language choice is remembered');
  await page.click('#lang-switch');

  // Registration service with a full session: profile and authenticator.
  await page.goto(`${world.origin}/register.html#profile`);
  await pageLoaded(page);
  assert.equal(await page.getAttribute('#p-name', 'readonly'), '', 'the name is read-only for the user');
  await page.fill('#p-phone', '02-2345-6789');
  await page.click('#profile-submit');
  await page.waitForSelector('#profile-message.ok', { timeout: 10_000 });
  await page.click('#totp-build');
  await page.waitForSelector('#totp-result:not([hidden])', { timeout: 10_000 });
  assert.equal(await textOf(page, '#totp-version'), '1');
  await page.click('#totp-build');
  await page.waitForFunction(() => document.getElementById('totp-version').textContent === '2', null, { timeout: 10_000 });
  assert.match(await page.getAttribute('#totp-qr', 'src'), /^data:image\/svg\+xml;base64,/);
  const qrShown = await page.evaluate(() => document.getElementById('totp-qr').naturalWidth > 0);
  assert.ok(qrShown, 'the QR code SVG renders');
  const secret = await textOf(page, '#totp-secret');
  assert.ok((await phoneOverflow(page)) <= 0, 'the registration service fits a 375 px phone');
  await screenshot(page, 'portal-register-totp', { width: 1000, height: 900 });

  // Log out everywhere, then the authenticator login with a code from version 2.
  await page.goto(`${world.origin}/home.html`);
  await pageLoaded(page);
  await Promise.all([page.waitForURL(/\/login\.html/), page.click('#logout-everywhere')]);
  assert.equal((await page.evaluate(() => fetch('/api/v1/portal/me').then((r) => r.status))), 401, 'logged out');
  await pageLoaded(page);
  await page.click('#tab-totp');
  assert.equal(await page.locator('#totp-field').isVisible(), true);
  const totpAnswer = await captchaAnswerOf(page, () => page.click('#captcha-refresh'));
  await page.fill('#national-id', CARD_HOLDER.nationalId);
  await page.fill('#password', NEW_PASSWORD);
  await page.fill('#totp-code', totp(secret));
  await page.fill('#captcha-answer', totpAnswer);
  await Promise.all([page.waitForURL(/\/home\.html/, { timeout: 15_000 }).catch(async () => assert.fail(`TOTP login: ${await textOf(page, '#password-error')}`)), page.click('#password-submit')]);
  assert.deepEqual(problems, [], 'no CSP violation, no script error');
  await page.close();
});

/** RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret: what an authenticator app shows. */
function totp(base32, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('one-day password: the e-mailed check code logs in on the one-day tab, then the password must change', async () => {
  const enabled = await officerCall('POST', '/api/v1/portal/admin/accounts/one-day-password', { id: accountId, reason: 'D-06-11 忘了帶卡' });
  assert.equal(enabled.status, 200, `one-day password: ${enabled.text}`);
  const mail = await world.smtp.waitFor(USER_EMAIL);
  const code = /(?<![\d-])(\d{8})(?![\d-])/.exec(mail.text)?.[1];
  assert.ok(code, `an 8-digit check code in the mail: ${mail.text}`);

  const page = await world.browser.ctx.newPage();
  const problems = watchPage(page);
  const answer = await captchaAnswerOf(page, () => page.goto(`${world.origin}/login.html?mode=one-day`));
  await pageLoaded(page);
  assert.equal(await page.locator('#check-code-field').isVisible(), true, 'the check code field is shown');
  await page.fill('#national-id', CARD_HOLDER.nationalId);
  await page.fill('#password', NEW_PASSWORD);
  await page.fill('#check-code', code);
  await page.fill('#captcha-answer', answer);
  await Promise.all([page.waitForURL(/\/register\.html/, { timeout: 15_000 }).catch(async () => assert.fail(`one-day login: ${await textOf(page, '#password-error')}`)), page.click('#password-submit')]);
  await pageLoaded(page);
  assert.match(await textOf(page, '#activation-notice'), /密碼|password/i, 'the password must change first');
  await page.fill('#current-password', NEW_PASSWORD);
  await page.fill('#new-password', NEW_PASSWORD);
  await page.fill('#confirm-password', NEW_PASSWORD);
  await page.click('#password-submit');
  await page.waitForSelector('#password-message.error', { timeout: 10_000 });
  assert.match(await textOf(page, '#password-message'), /password-reused/, 'the same password again is refused');
  await page.fill('#current-password', NEW_PASSWORD);
  await page.fill('#new-password', NEW_PASSWORD_2);
  await page.fill('#confirm-password', NEW_PASSWORD_2);
  await page.click('#password-submit');
  await page.waitForSelector('#password-message.ok', { timeout: 10_000 });
  await page.goto(`${world.origin}/home.html`);
  await pageLoaded(page);
  assert.equal(await page.locator('#systems li').count(), 2, 'a full session after the change');
  await screenshot(page, 'portal-home-after-one-day', { width: 1000, height: 800 });
  assert.deepEqual(problems, [], 'no CSP violation, no script error');
  await page.close();
});

test('three wrong passwords lock the account: the page says until when', async () => {
  const page = await world.browser.ctx.newPage();
  let answer = await captchaAnswerOf(page, () => page.goto(`${world.origin}/login.html?mode=totp`));
  await pageLoaded(page);
  assert.equal(await page.getAttribute('#tab-totp', 'aria-selected'), 'true', '?mode=totp opens the authenticator tab');
  let message = '';
  for (let attempt = 0; attempt < 4 && !/account-locked/.test(message); attempt++) {
    await page.fill('#national-id', CARD_HOLDER.nationalId);
    await page.fill('#password', `Wrong-password-${attempt}!`);
    await page.fill('#totp-code', '000000');
    await page.fill('#captcha-answer', answer);
    answer = await captchaAnswerOf(page, () => page.click('#password-submit'));
    message = await textOf(page, '#password-error');
  }
  // "…鎖定，2026/01/31 20:35:00 後可再登入…" — the unlock time in Taipei time.
  assert.match(message, /account-locked/, message);
  assert.match(message, /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} 後可再登入/, message);
  await screenshot(page, 'portal-login-locked', { width: 1000, height: 900 });
  await page.close();
});
