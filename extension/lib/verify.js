// Checks a raw signature against a certificate's public key with WebCrypto (the self-test's
// independent check of what the card produced).
import { certificateSpki, ecdsaDerToRaw } from './der.js';
import { fromBase64 } from './base64.js';

const RSA = '1.2.840.113549.1.1.1';
const EC = '1.2.840.10045.2.1';
const CURVES = {
  '1.2.840.10045.3.1.7': ['P-256', 32],
  '1.3.132.0.34': ['P-384', 48],
  '1.3.132.0.35': ['P-521', 66],
};
const HASHES = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** @returns {Promise<{valid: boolean, keyType: string}>} */
export async function verifyRawSignature({ certificate, data, signature, hashAlgorithm }) {
  const spki = certificateSpki(fromBase64(certificate));
  const hash = HASHES[hashAlgorithm] ?? 'SHA-256';
  const sig = fromBase64(signature);
  const msg = fromBase64(data);
  if (spki.algorithm === RSA) {
    const key = await crypto.subtle.importKey('spki', spki.der, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
    return { valid: await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, sig, msg), keyType: 'RSA' };
  }
  if (spki.algorithm === EC && CURVES[spki.curve]) {
    const [namedCurve, size] = CURVES[spki.curve];
    const key = await crypto.subtle.importKey('spki', spki.der, { name: 'ECDSA', namedCurve }, false, ['verify']);
    const raw = sig.length === size * 2 ? sig : ecdsaDerToRaw(sig, size);
    return { valid: await crypto.subtle.verify({ name: 'ECDSA', hash }, key, raw, msg), keyType: `EC ${namedCurve}` };
  }
  throw new Error(`unsupported key algorithm ${spki.algorithm}`);
}
