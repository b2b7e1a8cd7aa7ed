// What the options / diagnostics page asks the service worker for. These requests carry the
// extension's own origin; the host decides what it allows for it.
import { api } from './browser.js';
import { BridgeError, ErrorCode, asBridgeError } from './errors.js';
import { hipkiSyncSettled, registeredHipkiPatterns, syncHipkiRegistration } from './hipki-registration.js';
import { HOST_NAME } from './native-host.js';

export class OptionsService {
  #host;
  #policy;
  #ops;
  #version;
  #extOrigin;
  #eventPorts = new Set();

  constructor({ host, policy, ops, version, extOrigin }) {
    this.#host = host;
    this.#policy = policy;
    this.#ops = ops;
    this.#version = version;
    this.#extOrigin = extOrigin;
  }

  async handle(msg) {
    try {
      return { result: await this.#dispatch(msg) };
    } catch (err) {
      return { error: asBridgeError(err).toWire() };
    }
  }

  async #dispatch(msg) {
    switch (msg.action) {
      case 'overview':
        return this.#overview();
      case 'certificates':
        return this.#ops.listCertificates(this.#extOrigin);
      case 'self-test':
        return this.#selfTest();
      case 'resync-hipki':
        return { patterns: await syncHipkiRegistration(this.#policy) };
      default:
        throw new BridgeError(ErrorCode.UNKNOWN_COMMAND, `unknown options action: ${msg.action}`);
    }
  }

  /** Everything the page shows at the top; a host error is reported, not thrown. */
  async #overview() {
    const extension = {
      version: this.#version,
      id: api.runtime.id,
      origin: this.#extOrigin,
      hostName: HOST_NAME,
      userAgent: navigator.userAgent,
    };
    let status = null;
    let hostError = null;
    try {
      status = await this.#host.request('status', this.#extOrigin, {}, { timeoutMs: 10_000 });
      this.#policy.rememberStatus(status);
    } catch (err) {
      hostError = asBridgeError(err).toWire();
    }
    const managed = await this.#policy.managedAllowedOrigins();
    const effective = status ? await this.#policy.effectivePatterns() : null;
    return {
      extension,
      status,
      hostError,
      allowedOrigins: { host: status?.allowedOrigins ?? null, managed, effective },
      hipkiPatterns: await hipkiSyncSettled().then(registeredHipkiPatterns),
    };
  }

  /** Signs fresh random bytes with the card (PIN window and all); the page verifies. */
  async #selfTest() {
    const data = new Uint8Array(32);
    crypto.getRandomValues(data);
    const dataB64 = btoa(String.fromCharCode(...data));
    const started = performance.now();
    const result = await this.#ops.sign(
      this.#extOrigin,
      { data: dataB64, hashAlgorithm: 'sha256', format: 'raw' },
      { purpose: 'self-test' },
    );
    return {
      data: dataB64,
      hashAlgorithm: 'sha256',
      signature: result.signature,
      certificate: result.certificate,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /** The options page listens for card events while it is open. */
  attachEvents(port) {
    const release = this.#host.hold();
    this.#eventPorts.add(port);
    port.onDisconnect.addListener(() => {
      this.#eventPorts.delete(port);
      release();
    });
  }

  forwardEvent(event) {
    if (event.event === 'pin-required') return; // the prompt window handles it
    for (const port of this.#eventPorts) {
      try {
        port.postMessage({ type: 'host-event', event: event.event });
      } catch {
        /* closing */
      }
    }
  }
}
