// The options / diagnostics page against the TEST DOUBLE host, and the "host not installed"
// path with no host manifest at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { clickAndClose, launch, nextPrompt, screenshot, startServers, TEST_PIN } from './lib/harness.mjs';
import { setupDouble } from './lib/double.mjs';

let servers, double;

before(async () => {
  // allowCaller: the self-test signs with the extension's own origin, which the host must
  // accept (see docs/extension.md); the last test checks the page without it.
  double = setupDouble({ allowedOrigins: [], allowCaller: true });
  servers = await startServers(double.dir);
  const cfg = JSON.parse(fs.readFileSync(double.configPath, 'utf8'));
  cfg.allowedOrigins = [servers.allowed, 'https://*.portal.example.gov.tw'];
  fs.writeFileSync(double.configPath, JSON.stringify(cfg));
});

after(async () => {
  await servers?.close();
  double?.cleanup();
});

test('diagnostics: host, readers, certificates, allowed origins; self-test signs and verifies', async () => {
  const browser = await launch({ hostPath: double.hostPath, env: double.env });
  try {
    const page = await browser.ctx.newPage();
    await page.goto(`chrome-extension://${browser.id}/ui/options.html`);
    await page.waitForFunction(() => document.querySelectorAll('#certificates tr').length === 3);
    assert.match(await page.textContent('#host-state'), /已找到|found/i);
    assert.equal(await page.textContent('#host-version'), '0.0.0-test-double');
    assert.equal(await page.locator('#readers tr').count(), 2);
    assert.match(await page.textContent('#origins-host'), new RegExp(servers.allowed));
    assert.match(await page.textContent('#origins-effective'), /\*\.portal\.example\.gov\.tw/);
    await page.waitForFunction(() => document.querySelector('#origins-hipki').textContent.includes('/*'));
    assert.match(await page.textContent('#origins-hipki'), /https:\/\/\*\.portal\.example\.gov\.tw\/\*/);

    const prompt = nextPrompt(browser.ctx);
    await page.click('#self-test');
    const win = await prompt;
    await win.waitForSelector('#choose:not([hidden])'); // two signing certificates: choose
    assert.match(await win.textContent('#origin'), /pkibridge/);
    await win.click('#cert-list li:has-text("陳大華") input'); // the EC key: WebCrypto ECDSA path
    await win.click('#choose-ok');
    await win.waitForSelector('#pin:not([hidden])');
    await win.fill('#pin-input', TEST_PIN);
    await clickAndClose(win, '#pin-ok');
    await page.waitForFunction(() => /通過|Passed/.test(document.querySelector('#self-test-result').textContent), null, { timeout: 15_000 });
    assert.match(await page.textContent('#self-test-result'), /EC P-256/);
    await screenshot(page, 'options-page', { width: 1000, height: 1400 });

    const report = await page.inputValue('#report');
    const parsed = JSON.parse(report);
    assert.equal(parsed.selfTest.valid, true);
    assert.equal(parsed.certificates.length, 3);
    for (const secret of ['王小明', '陳大華', '6789', '4321', TEST_PIN, 'TC00000001']) {
      assert.ok(!report.includes(secret), `the report must not contain ${secret}`);
    }
    await page.close();
  } finally {
    await browser.close();
  }
});

test('a host that refuses the extension origin: the self-test says why', async () => {
  const cfg = JSON.parse(fs.readFileSync(double.configPath, 'utf8'));
  fs.writeFileSync(double.configPath, JSON.stringify({ ...cfg, allowCaller: false, readers: cfg.readers.slice(0, 1) }));
  const browser = await launch({ hostPath: double.hostPath, env: double.env });
  try {
    const page = await browser.ctx.newPage();
    await page.goto(`chrome-extension://${browser.id}/ui/options.html`);
    await page.waitForFunction(() => document.querySelectorAll('#certificates tr').length === 2);
    const prompt = nextPrompt(browser.ctx, 3000).catch(() => null);
    await page.click('#self-test');
    await page.waitForFunction(() => /未完成|not completed/.test(document.querySelector('#self-test-result').textContent));
    assert.match(await page.textContent('#self-test-result'), /未被允許|not allowed/);
    assert.equal(await prompt, null, 'no PIN window');
  } finally {
    await browser.close();
  }
});

test('no host installed: the options page says so with install hints; pages get ERR_HOST_NOT_FOUND', async () => {
  const browser = await launch({ hostPath: null });
  try {
    const page = await browser.ctx.newPage();
    await page.goto(`chrome-extension://${browser.id}/ui/options.html`);
    await page.waitForSelector('#install-hint:not([hidden])');
    assert.match(await page.textContent('#host-state'), /找不到|not available/i);
    assert.match(await page.textContent('#install-commands'), /install/);
    await screenshot(page, 'options-page-no-host', { width: 1000, height: 900 });
    const portal = await browser.ctx.newPage();
    await portal.goto(`${servers.allowed}/pages/portal.html`);
    const code = await portal.evaluate(() => PKIBridge.status().then(() => 'ok', (e) => e.code));
    assert.equal(code, 'ERR_HOST_NOT_FOUND');
  } finally {
    await browser.close();
  }
});
