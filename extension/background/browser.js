// One namespace for Chrome, Edge and Firefox: Firefox's `browser` and Chrome's MV3 `chrome`
// both return promises from the APIs this extension uses.
export const api = globalThis.browser ?? globalThis.chrome;

/** The extension's own origin, e.g. chrome-extension://<id> or moz-extension://<uuid>. */
export function extensionOrigin() {
  return new URL(api.runtime.getURL('')).origin;
}
