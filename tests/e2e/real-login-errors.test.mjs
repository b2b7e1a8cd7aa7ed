// The portal login page's certificate button when the login does not happen, with every real
// part (headless Chromium + extension + real pkibridge-host + private pcscd + virtual PIV card +
// real pkibridge-server): cancel in the PIN window, the card pulled while the PIN window is open,
// and no card in the reader. Each asserts what the page shows (the typed error code), what the
// server says (GET /api/v1/session), whether a PIN window opened or closed, that no PIN reached
// the card, and that a login works again afterwards. Screenshots go to the artefacts folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickAndClose, screenshot } from './lib/harness.mjs';
import { clickLogin, loginResult, logout, openPrompts, serverSession, startLoginWorld, submitPin } from './lib/login-world.mjs';
import { apduLines } from './lib/real.mjs';

let world;

before(async () => {
  world = await startLoginWorld('login-errors');
});

after(async () => {
  await world?.stop();
});

/** VERIFY commands that carried a PIN (INS 20 with data; the tries query has none). */
const pinVerifies = () => apduLines(world.card.apduLog).filter((l) => /\bINS=20\b/.test(l) && /\bLC=[1-9]/.test(l)).length;

async function loginPage() {
  const page = await world.browser.ctx.newPage();
  await page.goto(`${world.servers.allowed}/pages/login.html`);
  return page;
}

/** The error as the page shows it: its typed code in the status line and in loginResult. */
async function assertPageError(page, code) {
  const result = await loginResult(page);
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(result.code, code, JSON.stringify(result));
  assert.equal(result.typed, true, 'rejected with a PKIBridge.Error');
  assert.match(await page.textContent('#state'), new RegExp(code));
}

async function assertNoSession(page) {
  const s = await serverSession(page);
  assert.equal(s.status, 401, JSON.stringify(s));
}

/** A whole login with the card's PIN; asserts the server's session names the card's account. */
async function assertLoginWorks(page) {
  const win = await clickLogin(world, page);
  await submitPin(win, world.card.pin);
  const result = await loginResult(page);
  assert.equal(result.ok, true, JSON.stringify(result));
  const s = await serverSession(page);
  assert.equal(s.status, 200, JSON.stringify(s));
  assert.equal(s.body.account.nationalId, 'A123456789', JSON.stringify(s.body));
  assert.equal(s.body.session.method, 'certificate');
}

test('cancel in the PIN window: ERR_USER_CANCELLED on the page, no session, the host works afterwards', async () => {
  const page = await loginPage();
  await assertNoSession(page);
  const verifiesBefore = pinVerifies();
  const win = await clickLogin(world, page);
  assert.equal(await win.textContent('#origin'), world.servers.allowed, 'the PIN window names the portal');
  await screenshot(win, 'real-login-cancel-pin-window');
  const closed = win.waitForEvent('close');
  await clickAndClose(win, '#pin .cancel');
  await closed;
  await assertPageError(page, 'ERR_USER_CANCELLED');
  await screenshot(page, 'real-login-cancelled', { width: 900, height: 400 });
  assert.equal(openPrompts(world).length, 0, 'no PIN window left open');
  assert.equal(pinVerifies(), verifiesBefore, 'no PIN went to the card');
  await assertNoSession(page);

  // The same browser, extension and host: the next click logs in.
  await assertLoginWorks(page);
  await logout(page);
  await assertNoSession(page);
  await page.close();
});

/**
 * The card is pulled while the PIN window is open, then the user submits the PIN.
 * `waitForPcscd`: false → the PIN is submitted at once, before pcscd (polling every ~0.4 s) and
 * the host (checking every 250 ms while it waits for the PIN) have seen the empty reader, so
 * the PIN reaches the host and the card operation itself finds the card gone; true → the host
 * notices first, ends the request and the extension closes the PIN window before the PIN is in.
 * Both must end the same way.
 */
async function cardPulledBeforeSigning(waitForPcscd, shot) {
  const page = await loginPage();
  try {
    return await pullCardAtPin(page, waitForPcscd, shot);
  } finally {
    await page.close();
  }
}

async function pullCardAtPin(page, waitForPcscd, shot) {
  const verifiesBefore = pinVerifies();
  const win = await clickLogin(world, page);
  await screenshot(win, `${shot}-pin-window`);
  const closed = win.waitForEvent('close');
  let submitted = false;
  try {
    await world.card.remove({ wait: waitForPcscd });
    try {
      await submitPin(win, world.card.pin);
      submitted = true;
    } catch (err) {
      if (!win.isClosed()) throw err;
    }
    await assertPageError(page, 'ERR_CARD_REMOVED');
    await closed; // the request is over: the extension closed its PIN window
    assert.equal(openPrompts(world).length, 0, 'no PIN window left open');
    await screenshot(page, shot, { width: 900, height: 400 });
    assert.equal(pinVerifies(), verifiesBefore, 'no PIN went to the (absent) card');
    await assertNoSession(page);
  } finally {
    await world.card.insert(); // also after a failure: the next test needs the card
  }
  await assertLoginWorks(page);
  await logout(page);
  return submitted;
}

// The card goes while the PIN is on its way: pcscd has not yet seen the empty reader and
// SCardTransmit fails with SCARD_E_NOT_TRANSACTED; the host must still say ERR_CARD_REMOVED
// (it re-checks the reader state for a moment before calling the card unresponsive).
test('card pulled, PIN submitted at once: ERR_CARD_REMOVED, no session; re-inserted, the login works', async () => {
  const submitted = await cardPulledBeforeSigning(false, 'real-login-card-removed-at-pin');
  assert.ok(submitted, 'the PIN was submitted before the window closed');
});

test('card pulled and noticed while the PIN window waits: ERR_CARD_REMOVED, the window closes, the login works after', async () => {
  await cardPulledBeforeSigning(true, 'real-login-card-removed');
});

test('no card in the reader: ERR_NO_CARD at once, no PIN window ever opens, no session', async () => {
  const page = await loginPage();
  await world.card.remove();
  try {
    const prompts = [];
    const onPage = (p) => prompts.push(p);
    world.browser.ctx.on('page', onPage);
    await page.click('#login');
    await assertPageError(page, 'ERR_NO_CARD');
    assert.match(await page.textContent('#state'), /card/i, 'a message a person can read, not only the code');
    // Any window the extension opened would have appeared by now; give it a moment anyway.
    await new Promise((r) => setTimeout(r, 500));
    world.browser.ctx.off('page', onPage);
    assert.equal(prompts.length, 0, `windows opened: ${prompts.map((p) => p.url()).join(', ')}`);
    assert.equal(openPrompts(world).length, 0);
    await screenshot(page, 'real-login-no-card', { width: 900, height: 400 });
    await assertNoSession(page);
  } finally {
    await world.card.insert();
  }
  // Card back in: the same page logs in (the error left nothing stuck).
  await assertLoginWorks(page);
  await logout(page);
  await page.close();
});
