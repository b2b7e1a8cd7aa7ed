// Typed errors shared by the service worker and the extension pages. The codes are the native
// host's (docs/native-messaging-protocol.md) plus a few that only the extension can detect.
export const ErrorCode = Object.freeze({
  // from the native host
  BAD_REQUEST: 'ERR_BAD_REQUEST',
  TOO_LARGE: 'ERR_TOO_LARGE',
  UNKNOWN_COMMAND: 'ERR_UNKNOWN_COMMAND',
  ORIGIN_NOT_ALLOWED: 'ERR_ORIGIN_NOT_ALLOWED',
  PCSC_UNAVAILABLE: 'ERR_PCSC_UNAVAILABLE',
  NO_READER: 'ERR_NO_READER',
  NO_CARD: 'ERR_NO_CARD',
  CARD_REMOVED: 'ERR_CARD_REMOVED',
  UNSUPPORTED_CARD: 'ERR_UNSUPPORTED_CARD',
  CERTIFICATE_NOT_FOUND: 'ERR_CERTIFICATE_NOT_FOUND',
  PIN_INCORRECT: 'ERR_PIN_INCORRECT',
  PIN_BLOCKED: 'ERR_PIN_BLOCKED',
  PIN_FORMAT: 'ERR_PIN_FORMAT',
  USER_CANCELLED: 'ERR_USER_CANCELLED',
  TIMEOUT: 'ERR_TIMEOUT',
  BUSY: 'ERR_BUSY',
  CARD_ERROR: 'ERR_CARD_ERROR',
  INTERNAL: 'ERR_INTERNAL',
  // detected by the extension
  HOST_NOT_FOUND: 'ERR_HOST_NOT_FOUND', // no host manifest for this browser
  HOST_FORBIDDEN: 'ERR_HOST_FORBIDDEN', // manifest does not list this extension
  HOST_EXITED: 'ERR_HOST_EXITED', // host crashed or closed its output
  CERTIFICATE_EXPIRED: 'ERR_CERTIFICATE_EXPIRED', // only expired certificates are usable
  EXTENSION_UNAVAILABLE: 'ERR_EXTENSION_UNAVAILABLE', // page side: no content script answered
});

const knownCodes = new Set(Object.values(ErrorCode));

export class BridgeError extends Error {
  /**
   * @param {string} code one of ErrorCode
   * @param {string} message English text for logs and developers
   * @param {object} [details] extra fields from the host, e.g. { triesLeft: 2 }
   */
  constructor(code, message, details = {}) {
    super(message || code);
    this.name = 'BridgeError';
    this.code = knownCodes.has(code) ? code : ErrorCode.INTERNAL;
    this.details = details;
  }

  /** The plain object that travels in messages: { code, message, ...details }. */
  toWire() {
    return { ...this.details, code: this.code, message: this.message };
  }

  /** Rebuilds a BridgeError from a host error object or a wire object. */
  static fromWire(wire) {
    if (!wire || typeof wire !== 'object') return new BridgeError(ErrorCode.INTERNAL, 'malformed error');
    const { code, message, ...details } = wire;
    return new BridgeError(String(code), typeof message === 'string' ? message : String(code), details);
  }
}

/** Anything thrown → BridgeError (programming errors become ERR_INTERNAL). */
export function asBridgeError(err) {
  if (err instanceof BridgeError) return err;
  return new BridgeError(ErrorCode.INTERNAL, err?.message ?? String(err));
}
