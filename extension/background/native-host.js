// The connection to the native host (org.pkibridge.host): one long-lived port, requests
// matched to replies by id, events handed to a listener. The port is closed after a quiet
// period so the host process (and the browser's service worker) can exit.
import { api } from './browser.js';
import { BridgeError, ErrorCode } from './errors.js';

export const HOST_NAME = 'org.pkibridge.host';

const IDLE_CLOSE_MS = 30_000;

// Browser messages for a port that could not be opened or died (Chrome/Edge, then Firefox).
function disconnectError(message) {
  const text = message ?? 'native host disconnected';
  if (/not found|No such native application/i.test(text)) {
    return new BridgeError(ErrorCode.HOST_NOT_FOUND, text);
  }
  if (/forbidden|not allowed/i.test(text)) return new BridgeError(ErrorCode.HOST_FORBIDDEN, text);
  return new BridgeError(ErrorCode.HOST_EXITED, text);
}

export class NativeHost {
  #port = null;
  #pending = new Map(); // id → { resolve, reject, timer }
  #nextId = 1;
  #idleTimer = null;
  #eventListeners = new Set();
  #holds = 0; // open prompt windows etc. that want the port (and its events) kept

  /** Registers fn(event) for host events (pin-required, card-inserted, card-removed). */
  onEvent(fn) {
    this.#eventListeners.add(fn);
  }

  /** Keeps the port open until the returned function is called. */
  hold() {
    this.#holds += 1;
    this.#cancelIdle();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      this.#scheduleIdle();
    };
  }

  /**
   * Sends one command and resolves with its `result` (rejects with a BridgeError).
   * @param {string} command host command name
   * @param {string} origin the origin the browser reported for the caller
   * @param {object} args command arguments
   * @param {{timeoutMs?: number, onId?: (id: string) => void}} [opts]
   */
  request(command, origin, args = {}, { timeoutMs = 30_000, onId } = {}) {
    const port = this.#connect();
    const id = `x${this.#nextId++}`;
    onId?.(id);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#scheduleIdle();
        reject(new BridgeError(ErrorCode.TIMEOUT, `no reply from the native host to ${command}`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#cancelIdle();
      try {
        port.postMessage({ id, command, origin, arguments: args });
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(disconnectError(err?.message));
      }
    });
  }

  get connected() {
    return this.#port !== null;
  }

  disconnect() {
    this.#port?.disconnect();
    this.#onDisconnect(new BridgeError(ErrorCode.HOST_EXITED, 'disconnected by the extension'));
  }

  #connect() {
    if (this.#port) return this.#port;
    const port = api.runtime.connectNative(HOST_NAME);
    port.onMessage.addListener((msg) => this.#onMessage(msg));
    port.onDisconnect.addListener((p) => {
      // Chrome reports the reason in runtime.lastError, Firefox in port.error.
      const reason = api.runtime.lastError?.message ?? p?.error?.message;
      if (this.#port === port) this.#onDisconnect(disconnectError(reason));
    });
    this.#port = port;
    return port;
  }

  #onMessage(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (typeof msg.event === 'string') {
      for (const fn of this.#eventListeners) {
        try {
          fn(msg);
        } catch (err) {
          console.error('pkibridge: event listener failed', err);
        }
      }
      return;
    }
    const entry = this.#pending.get(msg.id);
    if (!entry) return; // a reply after our timeout: nobody waits for it any more
    this.#pending.delete(msg.id);
    clearTimeout(entry.timer);
    if (msg.error) entry.reject(BridgeError.fromWire(msg.error));
    else entry.resolve(msg.result ?? {});
    this.#scheduleIdle();
  }

  #onDisconnect(error) {
    this.#port = null;
    this.#cancelIdle();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    for (const fn of this.#eventListeners) {
      try {
        fn({ event: 'host-disconnected', error: error.toWire() });
      } catch (err) {
        console.error('pkibridge: event listener failed', err);
      }
    }
  }

  #cancelIdle() {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #scheduleIdle() {
    this.#cancelIdle();
    if (!this.#port || this.#pending.size > 0 || this.#holds > 0) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#pending.size === 0 && this.#holds === 0) this.disconnect();
    }, IDLE_CLOSE_MS);
  }
}
