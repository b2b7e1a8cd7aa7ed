// Requests from web pages (page API → content script → here). The caller's origin comes from
// the browser (sender), never from the message; it is checked against the allow-list before
// anything is sent to the host.
import { BridgeError, ErrorCode, asBridgeError } from './errors.js';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const B64URL_NONCE = /^[A-Za-z0-9_-]{32,128}$/;
const HASHES = new Set(['sha256', 'sha384', 'sha512']);
const FORMATS = new Set(['cms-attached', 'cms-detached', 'raw']);
const MAX_DATA_B64 = 8 * 1024 * 1024; // the host has its own, smaller or equal, limit
const ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The origin the browser reports for a content script's frame, or null. */
export function senderOrigin(sender) {
  if (!sender?.tab) return null; // only content scripts in tabs speak the page protocol
  const raw = sender.origin ?? sender.url;
  try {
    const origin = new URL(raw).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

function bad(message) {
  return new BridgeError(ErrorCode.BAD_REQUEST, message);
}

function onlyKeys(obj, allowed) {
  if (obj === undefined || obj === null) return {};
  if (typeof obj !== 'object' || Array.isArray(obj)) throw bad('arguments must be an object');
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw bad(`unknown argument: ${k}`);
  return obj;
}

function optString(v, name, re) {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || (re && !re.test(v))) throw bad(`invalid ${name}`);
  return v;
}

function optBool(v, name) {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw bad(`${name} must be true or false`);
  return v;
}

/** Normalises "SHA-256", "sha256" … to the host's spelling. */
export function hashName(v) {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? v.replace('-', '').toLowerCase() : '';
  if (!HASHES.has(n)) throw bad('hashAlgorithm must be SHA-256, SHA-384 or SHA-512');
  return n;
}

export function validateSign(raw) {
  const a = onlyKeys(raw, ['data', 'hash', 'hashAlgorithm', 'format', 'certificateId', 'nonce', 'includeCardSerial', 'includeChain']);
  const out = {
    hashAlgorithm: hashName(a.hashAlgorithm) ?? 'sha256',
    format: optString(a.format, 'format') ?? 'cms-attached',
    certificateId: optString(a.certificateId, 'certificateId', ID),
    nonce: optString(a.nonce, 'nonce', /^[A-Za-z0-9+/]{2,88}={0,2}$/), // base64 of 1–64 bytes
    includeCardSerial: optBool(a.includeCardSerial, 'includeCardSerial'),
    includeChain: optBool(a.includeChain, 'includeChain'),
  };
  if (!FORMATS.has(out.format)) throw bad('format must be cms-attached, cms-detached or raw');
  const data = optString(a.data, 'data', B64);
  const hash = optString(a.hash, 'hash', B64);
  if ((data === undefined) === (hash === undefined)) throw bad('give exactly one of data and hash');
  if ((data ?? hash).length > MAX_DATA_B64) throw new BridgeError(ErrorCode.TOO_LARGE, 'data too large');
  if (hash !== undefined && out.format === 'cms-attached') throw bad('a hash cannot be signed as cms-attached');
  if (out.nonce !== undefined && out.format === 'raw') throw bad('a nonce needs a CMS format');
  if (data !== undefined) out.data = data;
  else out.hash = hash;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

export function validateAuthenticate(raw) {
  const a = onlyKeys(raw, ['nonce', 'certificateId']);
  if (typeof a.nonce !== 'string' || !B64URL_NONCE.test(a.nonce)) {
    throw bad('nonce must be base64url, 32 to 128 characters');
  }
  const out = { nonce: a.nonce };
  const id = optString(a.certificateId, 'certificateId', ID);
  if (id !== undefined) out.certificateId = id;
  return out;
}

export class PageRequests {
  #policy;
  #ops;
  #hipki;

  constructor({ policy, ops, hipki }) {
    this.#policy = policy;
    this.#ops = ops;
    this.#hipki = hipki;
  }

  /** Handles one page message; always resolves with { result } or { error }. */
  async handle(msg, sender) {
    try {
      return { result: await this.#dispatch(msg, sender) };
    } catch (err) {
      return { error: asBridgeError(err).toWire() };
    }
  }

  async #dispatch(msg, sender) {
    const origin = senderOrigin(sender);
    if (!origin || !origin.startsWith('https://')) {
      throw new BridgeError(ErrorCode.ORIGIN_NOT_ALLOWED, 'only https pages can use pkibridge', { origin });
    }
    if (typeof msg?.id !== 'string' || !ID.test(msg.id)) throw bad('invalid request id');
    const callerKey = `${sender.tab.id}:${sender.frameId ?? 0}:${msg.id}`;
    const args = msg.arguments;
    // Validate first (a malformed request is the page's bug, whatever its origin) …
    let run;
    switch (msg.command) {
      case 'status':
        onlyKeys(args, []);
        run = async () => pageStatus(await this.#ops.status(origin));
        break;
      case 'listCertificates':
        onlyKeys(args, []);
        run = () => this.#ops.listCertificates(origin);
        break;
      case 'sign': {
        const a = validateSign(args);
        run = () => this.#ops.sign(origin, a, { callerKey });
        break;
      }
      case 'authenticate': {
        const a = validateAuthenticate(args);
        run = () => this.#ops.authenticate(origin, a, { callerKey });
        break;
      }
      case 'cancel': {
        const a = onlyKeys(args, ['requestId']);
        const target = optString(a.requestId, 'requestId', ID);
        if (!target) throw bad('requestId is required');
        // Only the same frame's own requests can be cancelled: the key includes tab and frame.
        return { cancelled: this.#ops.cancel(`${sender.tab.id}:${sender.frameId ?? 0}:${target}`) };
      }
      case 'hipki':
        return this.#hipki.handleHttp(origin, args);
      default:
        throw new BridgeError(ErrorCode.UNKNOWN_COMMAND, `unknown command: ${String(msg.command)}`);
    }
    // … then the origin policy, before anything reaches the host's card code.
    await this.#policy.check(origin);
    return run();
  }
}

/** What a page may learn from `status`: not the host's full allow-list. */
function pageStatus(status) {
  const { allowedOrigins: _hidden, ...rest } = status ?? {};
  return rest;
}
