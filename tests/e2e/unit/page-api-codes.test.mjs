// The page API (extension/page-api/pkibridge.js) is copied to portal sites and must stay
// self-contained, so it lists the error codes again; the extension's background/errors.js is
// the one source of truth. This test loads the page script as a browser would (a classic
// script on `window`) and fails when its codes differ from the extension's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ext = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../extension');
const { ErrorCode, BridgeError } = await import(pathToFileURL(path.join(ext, 'background/errors.js')).href);

/** Runs pkibridge.js in a fresh context with a minimal window; returns window.PKIBridge. */
function loadPageApi() {
  const window = {
    location: { origin: 'https://portal.example' },
    addEventListener() {},
    postMessage() {},
    crypto: globalThis.crypto,
  };
  const context = vm.createContext({ window, TextEncoder, btoa, setTimeout, clearTimeout, Uint32Array, Uint8Array, ArrayBuffer, Promise, Error, Object });
  vm.runInContext(fs.readFileSync(path.join(ext, 'page-api/pkibridge.js'), 'utf8'), context, { filename: 'pkibridge.js' });
  return window.PKIBridge;
}

test('the page API has exactly the error codes of background/errors.js', () => {
  const page = loadPageApi();
  const missing = Object.keys(ErrorCode).filter((k) => page.ErrorCodes[k] !== ErrorCode[k]);
  const extra = Object.keys(page.ErrorCodes).filter((k) => !(k in ErrorCode));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'edit CODE_NAMES in extension/page-api/pkibridge.js');
  assert.deepEqual({ ...page.ErrorCodes }, { ...ErrorCode });
  assert.ok(Object.isFrozen(page.ErrorCodes), 'pages cannot change the codes');
});

test('a code the extension sends arrives as a typed PKIBridge.Error with the same code', () => {
  const page = loadPageApi();
  for (const code of Object.values(ErrorCode)) {
    const wire = new BridgeError(code, 'm', { triesLeft: 2 }).toWire();
    const e = page.Error(wire.code, wire.message, { triesLeft: wire.triesLeft });
    assert.ok(e instanceof page.Error, code);
    assert.equal(e.code, code);
    assert.equal(e.details.triesLeft, 2);
  }
});
