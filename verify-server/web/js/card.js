// The card through the pkibridge extension's page API (js/pkibridge.js, a copy of
// extension/page-api/pkibridge.js): login tokens for a server challenge, and signatures.
import { api } from './api.js';

function bridge() {
  if (!window.PKIBridge) {
    const e = new Error('the page API script is missing');
    e.code = 'ERR_EXTENSION_UNAVAILABLE';
    throw e;
  }
  return window.PKIBridge;
}

/** A fresh challenge from the server, answered by the card: the pkibridge-auth:1 token. */
export async function certificateToken() {
  const pkibridge = bridge();
  const { nonce } = await api('/api/v1/challenge', { body: {} });
  return pkibridge.authenticate(nonce);
}

/** Signs `text` (UTF-8) as attached CMS with the card: { pkcs7, certificate, ... }. */
export function signText(text) {
  return bridge().sign(text, { format: 'cms-attached', hashAlgorithm: 'SHA-256' });
}
