/*
 * pkibridge page API — include this file in a portal page (copy it to your site; it is not
 * loaded from the extension). It talks to the pkibridge extension's content script with
 * window.postMessage, addressed to the page's own origin only. The extension adds the page's
 * origin as the browser reports it; only origins on the allow-list are served.
 *
 *   const info  = await PKIBridge.status();
 *   const certs = await PKIBridge.listCertificates();
 *   const signed = await PKIBridge.sign('text or bytes', { format: 'cms-detached' });
 *   const token = await PKIBridge.authenticate(nonceFromServer);
 *
 * Every failure rejects with a PKIBridge.Error whose `code` is one of PKIBridge.ErrorCodes.
 * See docs/extension.md.
 */
(function (global) {
  'use strict';

  var CHANNEL = 'pkibridge';
  var VERSION = 1;
  var origin = global.location.origin;
  var pending = Object.create(null);
  var counter = 0;

  /* The error codes: those of the extension's background/errors.js (the one source of truth),
     each 'ERR_' + name. Listed here again so that this file stays self-contained for portals;
     tests/e2e/unit/page-api-codes.test.mjs fails when the two differ. */
  var CODE_NAMES = [
    'BAD_REQUEST', 'TOO_LARGE', 'UNKNOWN_COMMAND', 'ORIGIN_NOT_ALLOWED', 'PCSC_UNAVAILABLE',
    'NO_READER', 'NO_CARD', 'CARD_REMOVED', 'UNSUPPORTED_CARD', 'CERTIFICATE_NOT_FOUND',
    'CERTIFICATE_EXPIRED', 'PIN_INCORRECT', 'PIN_BLOCKED', 'PIN_FORMAT', 'USER_CANCELLED', 'TIMEOUT',
    'BUSY', 'CARD_ERROR', 'INTERNAL', 'HOST_NOT_FOUND', 'HOST_FORBIDDEN', 'HOST_EXITED',
    'EXTENSION_UNAVAILABLE'
  ];
  var ErrorCodes = {};
  CODE_NAMES.forEach(function (name) { ErrorCodes[name] = 'ERR_' + name; });
  Object.freeze(ErrorCodes);

  function PKIBridgeError(code, message, details) {
    var e = new Error(message || code);
    Object.setPrototypeOf(e, PKIBridgeError.prototype);
    e.name = 'PKIBridgeError';
    e.code = code;
    e.details = details || {};
    return e;
  }
  PKIBridgeError.prototype = Object.create(Error.prototype, { constructor: { value: PKIBridgeError } });

  global.addEventListener('message', function (event) {
    if (event.source !== global || event.origin !== origin) return;
    var m = event.data;
    if (!m || m.channel !== CHANNEL || m.direction !== 'response' || typeof m.id !== 'string') return;
    var p = pending[m.id];
    if (!p) return;
    delete pending[m.id];
    clearTimeout(p.timer);
    if (m.error) {
      var details = {};
      for (var k in m.error) if (k !== 'code' && k !== 'message') details[k] = m.error[k];
      p.reject(PKIBridgeError(String(m.error.code), m.error.message, details));
    } else {
      p.resolve(m.result);
    }
  });

  function newId() {
    counter += 1;
    var rnd = global.crypto && global.crypto.getRandomValues ? global.crypto.getRandomValues(new Uint32Array(1))[0].toString(36) : '';
    return 'p' + Date.now().toString(36) + '-' + counter + '-' + rnd;
  }

  /* Sends one request. A request the extension does not pick up within `answerTimeoutMs`
     (content script missing: extension not installed, or the page is not https) fails with
     ERR_EXTENSION_UNAVAILABLE; after that, the request may take as long as the user needs. */
  function call(command, args, opts) {
    opts = opts || {};
    return new Promise(function (resolve, reject) {
      var id = newId();
      var entry = { resolve: resolve, reject: reject, timer: null };
      pending[id] = entry;
      if (opts.timeoutMs) {
        entry.timer = setTimeout(function () {
          if (pending[id]) {
            delete pending[id];
            reject(PKIBridgeError(ErrorCodes.EXTENSION_UNAVAILABLE, 'the pkibridge extension did not answer'));
          }
        }, opts.timeoutMs);
      }
      if (opts.signal) {
        if (opts.signal.aborted) {
          delete pending[id];
          reject(PKIBridgeError(ErrorCodes.USER_CANCELLED, 'aborted'));
          return;
        }
        opts.signal.addEventListener('abort', function () {
          if (pending[id]) post('cancel', { requestId: id }, newId());
        }, { once: true });
      }
      post(command, args, id);
    });
  }

  function post(command, args, id) {
    global.postMessage({ channel: CHANNEL, version: VERSION, direction: 'request', id: id, command: command, arguments: args || {} }, origin);
  }

  var available = null;
  /** Resolves with { extension, version } when the extension's content script answers. */
  function ping(timeoutMs) {
    return call('ping', {}, { timeoutMs: timeoutMs || 1000 });
  }

  function ensureAvailable() {
    if (!available) {
      available = ping(1500).catch(function (e) {
        available = null; // try again next time (the extension may be installed meanwhile)
        throw e;
      });
    }
    return available;
  }

  function toBase64(data) {
    var bytes;
    if (typeof data === 'string') bytes = new TextEncoder().encode(data);
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else throw PKIBridgeError(ErrorCodes.BAD_REQUEST, 'data must be a string, an ArrayBuffer or a typed array');
    var bin = '';
    for (var i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  function run(command, args, opts) {
    return ensureAvailable().then(function () {
      return call(command, args, opts);
    });
  }

  var PKIBridge = {
    Error: PKIBridgeError,
    ErrorCodes: ErrorCodes,

    /** True when the extension is installed and active on this page. */
    isAvailable: function () {
      return ensureAvailable().then(function () { return true; }, function () { return false; });
    },

    /** Host version, readers and cards. */
    status: function () {
      return run('status', {});
    },

    /** { certificates: [...] } as the native host lists them. */
    listCertificates: function () {
      return run('listCertificates', {});
    },

    /**
     * Signs `data` (string → UTF-8, ArrayBuffer or typed array). Options:
     *   format: 'cms-attached' (default) | 'cms-detached' | 'raw'
     *   hashAlgorithm: 'SHA-256' (default) | 'SHA-384' | 'SHA-512' | 'SHA-1'
     *   isHash: true when `data` already is the digest (not for cms-attached)
     *   certificateId: skip the chooser; nonce; includeCardSerial; includeChain
     *   signal: an AbortSignal that cancels the request (and closes the PIN window)
     * Resolves with the host's result: { pkcs7 } or { signature }, and { certificate }.
     */
    sign: function (data, options) {
      options = options || {};
      var args = {};
      try {
        args[options.isHash ? 'hash' : 'data'] = toBase64(data);
      } catch (e) {
        return Promise.reject(e);
      }
      ['format', 'hashAlgorithm', 'certificateId', 'nonce', 'includeCardSerial', 'includeChain'].forEach(function (k) {
        if (options[k] !== undefined) args[k] = options[k];
      });
      return run('sign', args, { signal: options.signal });
    },

    /**
     * Answers a login challenge from the portal's server (`nonce`: base64url, 32–128 chars).
     * Resolves with { format: 'pkibridge-auth:1', certificate, pkcs7 }: send it to the server.
     */
    authenticate: function (nonce, options) {
      options = options || {};
      var args = { nonce: nonce };
      if (options.certificateId !== undefined) args.certificateId = options.certificateId;
      return run('authenticate', args, { signal: options.signal });
    }
  };

  global.PKIBridge = Object.freeze(PKIBridge);
})(window);
