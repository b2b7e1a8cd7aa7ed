// Every real part of the certificate login, for the login end-to-end tests: a private pcscd
// with the virtual PIV card, the real pkibridge-server (account bound to the card), the test
// portal (tests/e2e/pages/login.html, /api/* proxied to the server on the same origin), and
// headless Chromium with the extension and the real pkibridge-host.
import fs from 'node:fs';
import path from 'node:path';
import { clickAndClose, launch, nextPrompt, startServers, tempDir } from './harness.mjs';
import { pkcsTool, realHost, startCardEnv } from './real.mjs';
import { startVerifyServer } from './verify-server.mjs';

/** Starts it all; `stop()` stops only what this started, also after a partial start. */
export async function startLoginWorld(name = 'login') {
  const world = { dir: tempDir(name) };
  world.stop = async () => {
    await world.browser?.close();
    await world.servers?.close();
    await world.verifier?.stop();
    await world.card?.stop();
    fs.rmSync(world.dir, { recursive: true, force: true });
  };
  try {
    world.card = await startCardEnv();
    // The portal origin must be known before the verification server starts: take a port first.
    const probe = await startServers(world.dir);
    const origin = probe.allowed;
    await probe.close();
    world.verifier = await startVerifyServer({ dir: world.dir, card: world.card, origin, pkcsTool });
    world.servers = await startServers(world.dir, { apiPort: world.verifier.port, port: Number(new URL(origin).port) });
    const config = path.join(world.dir, 'host.json');
    fs.writeFileSync(config, JSON.stringify({ allowedOrigins: [world.servers.allowed] }));
    world.browser = await launch({ hostPath: realHost, env: { PCSCLITE_CSOCK_NAME: world.card.socket, PKIBRIDGE_HOST_CONFIG: config } });
  } catch (err) {
    await world.stop();
    throw err;
  }
  return world;
}

/** Clicks the portal's certificate button; resolves with the PIN window once it asks for the PIN. */
export async function clickLogin(world, page) {
  const prompt = nextPrompt(world.browser.ctx);
  await page.click('#login');
  const win = await prompt;
  await win.waitForSelector('#pin:not([hidden])');
  return win;
}

/** What the portal page ended with: window.loginResult ({ok, session} or {ok: false, code, typed}). */
export async function loginResult(page, timeout = 30_000) {
  await page.waitForFunction(() => window.loginResult, null, { timeout });
  return page.evaluate(() => window.loginResult);
}

/** Types the PIN into an open PIN window and submits it (the window closes itself). */
export async function submitPin(win, pin) {
  await win.fill('#pin-input', pin);
  await clickAndClose(win, '#pin-ok');
}

/** GET /api/v1/session from the page (its cookies): { status, body }. */
export function serverSession(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/session', { credentials: 'same-origin' });
    return { status: r.status, body: await r.json().catch(() => null) };
  });
}

/** POST /api/v1/logout from the page, so the next test starts without a session. */
export async function logout(page) {
  const status = await page.evaluate(async () => (await fetch('/api/v1/logout', { method: 'POST', credentials: 'same-origin' })).status);
  if (status !== 200) throw new Error(`logout answered ${status}`);
}

/** The extension prompt windows open right now. */
export function openPrompts(world) {
  return world.browser.ctx.pages().filter((p) => !p.isClosed() && p.url().includes('/ui/prompt.html'));
}
