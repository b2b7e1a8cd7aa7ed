// Answers portals written for the MOICA HiPKI Local Server (http://localhost:61161) with the
// same JSON shapes, but through pkibridge: our PIN window (a `pin` in the request is ignored),
// our origin allow-list, and the native host. See docs/hipki-compatibility.md.
import { BridgeError, ErrorCode, asBridgeError } from './errors.js';
import { commonName, signingCertificates } from './certificates.js';
import { hashName } from './page-requests.js';

// HiPKI's ret_code values (the ones portals show text for) and last_error values.
export const HiPKI = Object.freeze({
  OK: 0,
  GENERAL_ERROR: 0x76000001, // pkibridge's choice for failures HiPKI has no code for
  NO_CARD: 0x76000006,
  DOMAIN_NOT_ALLOWED: 0x7600000f,
  CANCELLED: 0x76000999,
  NO_READER: 0x76100003,
  CARD_LOGIN_FAILED: 0x76100006,
  CERT_EXPIRED: 0x76500002,
  LAST_ERROR_PIN_INCORRECT: 0xa0,
  LAST_ERROR_PIN_LOCKED: 0xa4,
});

const CODE_MAP = {
  [ErrorCode.ORIGIN_NOT_ALLOWED]: [HiPKI.DOMAIN_NOT_ALLOWED, 0],
  [ErrorCode.NO_CARD]: [HiPKI.NO_CARD, 0],
  [ErrorCode.CARD_REMOVED]: [HiPKI.NO_CARD, 0],
  [ErrorCode.UNSUPPORTED_CARD]: [HiPKI.NO_CARD, 0],
  [ErrorCode.NO_READER]: [HiPKI.NO_READER, 0],
  [ErrorCode.PCSC_UNAVAILABLE]: [HiPKI.NO_READER, 0],
  [ErrorCode.USER_CANCELLED]: [HiPKI.CANCELLED, 0],
  [ErrorCode.PIN_INCORRECT]: [HiPKI.CARD_LOGIN_FAILED, HiPKI.LAST_ERROR_PIN_INCORRECT],
  [ErrorCode.PIN_BLOCKED]: [HiPKI.CARD_LOGIN_FAILED, HiPKI.LAST_ERROR_PIN_LOCKED],
  [ErrorCode.CERTIFICATE_EXPIRED]: [HiPKI.CERT_EXPIRED, 0],
};

/** A BridgeError as HiPKI's { ret_code, last_error } (plus our code, for support staff). */
export function hipkiError(err) {
  const e = asBridgeError(err);
  const [retCode, lastError] = CODE_MAP[e.code] ?? [HiPKI.GENERAL_ERROR, 0];
  return { ret_code: retCode, last_error: lastError, pkibridge_error: e.code, message: e.message };
}

/**
 * The original server URL-decodes the request package once (form style: "+" is a space), so
 * portals that encodeURIComponent() fields or write "+" as "%2B" rely on it. Malformed "%"
 * sequences are kept as they are instead of failing.
 */
export function formDecodeOnce(text) {
  const bytes = [];
  const enc = new TextEncoder();
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (c === '+') {
      bytes.push(0x20);
      i += 1;
    } else {
      const cp = text.codePointAt(i);
      const ch = String.fromCodePoint(cp);
      bytes.push(...enc.encode(ch));
      i += ch.length;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Base64 as portals send it: a "+" that became a space in URL decoding is put back. */
export function decodeLooseBase64(text) {
  let t = String(text).replace(/ /g, '+').replace(/[\r\n\t]/g, '');
  t = t.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new BridgeError(ErrorCode.BAD_REQUEST, 'tbs is not base64');
  while (t.length % 4) t += '=';
  return atob(t);
}

/** UTF-8 text or a binary string → standard base64. */
function utf8ToBase64(text) {
  return binaryToBase64(String.fromCharCode(...new TextEncoder().encode(text)));
}

function binaryToBase64(binary) {
  let out = '';
  for (let i = 0; i < binary.length; i += 0x8000) out += binary.slice(i, i + 0x8000);
  return btoa(out);
}

function truthy(v) {
  return v === true || String(v).toLowerCase() === 'true';
}

/**
 * HiPKI's "usage" text: portals take the first certificate whose usage is exactly
 * "digitalSignature", so only signing certificates (not a PIV card's login key when the card
 * has a signature key) get it; others list their key usages joined with "|".
 */
export function hipkiUsage(cert, signers) {
  if (signers.has(cert)) return 'digitalSignature';
  const ku = Array.isArray(cert.keyUsage) ? [...cert.keyUsage] : [];
  if (cert.authenticationKey === true) ku.push('authentication'); // never just "digitalSignature"
  return ku.join('|');
}

function hexSerial(serial) {
  return typeof serial === 'string' ? serial.replace(/[^0-9A-Fa-f]/g, '').toUpperCase() : '';
}

/** The host's certificate list in HiPKI's pkcs11info shape: one slot per reader. */
export function toPkcs11Info(certificates, { withCert = true } = {}) {
  const slots = new Map();
  const signers = new Set(signingCertificates(certificates));
  for (const c of certificates ?? []) {
    const reader = String(c.reader ?? '');
    if (!slots.has(reader)) {
      slots.set(reader, {
        slotDescription: reader,
        token: { label: 'pkibridge', serialNumber: c.cardSerial ?? '', certs: [] },
      });
    }
    const entry = {
      label: c.certificateId,
      usage: hipkiUsage(c, signers),
      subjectDN: c.subject ?? '',
      issuerDN: c.issuer ?? '',
      subjectCN: commonName(c.subject),
      sn: hexSerial(c.serial),
      subjectID: c.gpki?.idLast4 ?? '',
      notBefore: c.notBefore,
      notAfter: c.notAfter,
    };
    if (withCert) entry.certb64 = c.certificate;
    slots.get(reader).token.certs.push(entry);
  }
  return { func: 'pkcs11info', ret_code: HiPKI.OK, last_error: 0, slots: [...slots.values()] };
}

export class HiPKIService {
  #policy;
  #ops;
  #version;

  constructor({ policy, ops, version }) {
    this.#policy = policy;
    this.#ops = ops;
    this.#version = version;
  }

  /** The popupForm protocol: `raw` is the string the portal posted after getTbs. */
  async handlePopup(origin, raw) {
    let request;
    try {
      if (typeof raw !== 'string' || raw.length > 16 * 1024 * 1024) throw new Error('not a string');
      request = JSON.parse(formDecodeOnce(raw));
      if (!request || typeof request !== 'object') throw new Error('not an object');
    } catch {
      return { func: 'unknown', ...hipkiError(new BridgeError(ErrorCode.BAD_REQUEST, 'the request is not JSON')) };
    }
    return this.#run(origin, request, { withCert: true });
  }

  /**
   * The IE-era HTTP endpoints, intercepted in the page: GET/POST /pkcs11info?withcert=true and
   * POST /sign with a form field tbsPackage=<JSON>. Returns the response body text.
   */
  async handleHttp(origin, args) {
    const path = typeof args?.path === 'string' ? args.path : '';
    const query = new URLSearchParams(typeof args?.query === 'string' ? args.query : '');
    let reply;
    if (path === '/pkcs11info') {
      reply = await this.#run(origin, { func: 'GetUserCert' }, { withCert: truthy(query.get('withcert')) });
    } else if (path === '/sign') {
      const body = new URLSearchParams(typeof args?.body === 'string' ? args.body : '');
      let request = null;
      try {
        request = JSON.parse(body.get('tbsPackage') ?? query.get('tbsPackage') ?? '');
      } catch {
        /* answered below */
      }
      reply =
        request && typeof request === 'object'
          ? await this.#run(origin, { func: 'MakeSignature', ...request }, { withCert: true })
          : { func: 'sign', ...hipkiError(new BridgeError(ErrorCode.BAD_REQUEST, 'tbsPackage is not JSON')) };
    } else {
      reply = { func: 'unknown', ...hipkiError(new BridgeError(ErrorCode.UNKNOWN_COMMAND, `no such path: ${path}`)) };
    }
    return { status: 200, body: JSON.stringify(reply) };
  }

  async #run(origin, request, { withCert }) {
    const func = String(request.func ?? '');
    const replyFunc = { MakeSignature: 'sign', GetUserCert: 'pkcs11info', CheckEnvir: 'CheckEnvir' }[func] ?? func;
    try {
      await this.#policy.check(origin);
      switch (func) {
        case 'MakeSignature':
          return await this.#makeSignature(origin, request);
        case 'GetUserCert': {
          const { certificates } = await this.#ops.listCertificates(origin);
          return toPkcs11Info(certificates, { withCert });
        }
        case 'CheckEnvir': {
          const status = await this.#ops.status(origin);
          return {
            func: 'CheckEnvir',
            ret_code: HiPKI.OK,
            last_error: 0,
            version: this.#version,
            serverVersion: status?.hostVersion ?? status?.version ?? '',
            server: 'pkibridge',
          };
        }
        default:
          throw new BridgeError(ErrorCode.UNKNOWN_COMMAND, `unknown func: ${func}`);
      }
    } catch (err) {
      return { func: replyFunc, ...hipkiError(err) };
    }
  }

  async #makeSignature(origin, req) {
    if (typeof req.tbs !== 'string') throw new BridgeError(ErrorCode.BAD_REQUEST, 'tbs is missing');
    const encoding = String(req.tbsEncoding ?? 'NONE').toLowerCase();
    let data;
    if (encoding === 'base64') data = binaryToBase64(decodeLooseBase64(req.tbs));
    else if (encoding === 'none' || encoding === '') data = utf8ToBase64(req.tbs);
    else throw new BridgeError(ErrorCode.BAD_REQUEST, `unknown tbsEncoding: ${req.tbsEncoding}`);

    const type = String(req.signatureType ?? 'PKCS7').toUpperCase();
    if (type !== 'PKCS7' && type !== 'PKCS1') {
      throw new BridgeError(ErrorCode.BAD_REQUEST, `unknown signatureType: ${req.signatureType}`);
    }
    const withCardSN = truthy(req.withCardSN);
    const args = {
      data,
      hashAlgorithm: hashName(String(req.hashAlgorithm ?? 'SHA256')),
      format: type === 'PKCS7' ? 'cms-attached' : 'raw',
    };
    // The nonce goes into the CMS as the bytes of the string the portal sent (at most 64).
    if (type === 'PKCS7' && typeof req.nonce === 'string' && req.nonce !== '') args.nonce = utf8ToBase64(req.nonce);
    if (withCardSN) args.includeCardSerial = true;
    // req.pin is ignored on purpose: the PIN is typed in the extension's own window.
    const reader = typeof req.slotDescription === 'string' && req.slotDescription ? req.slotDescription : undefined;
    const result = await this.#ops.sign(origin, args, { reader });
    const reply = {
      func: 'sign',
      ret_code: HiPKI.OK,
      last_error: 0,
      signature: result.pkcs7 ?? result.signature,
      certb64: result.certificate,
    };
    if (withCardSN) reply.cardSN = result.cardSerial ?? '';
    return reply;
  }
}
