// The extension-owned prompt window: certificate chooser and PIN entry for one request.
// The window is an extension page (ui/prompt.html) that connects back with a runtime port;
// the PIN it sends goes straight to the host in a `pin` command and is not kept here.
import { api } from './browser.js';
import { BridgeError, ErrorCode, asBridgeError } from './errors.js';
import { certificateSummary } from './certificates.js';

const PROMPT_PAGE = 'ui/prompt.html';
const WINDOW_SIZE = { width: 460, height: 640 };

let nextSessionId = 1;

/** One user-visible request (a sign or a login) and the window that belongs to it. */
class PromptSession {
  constructor({ origin, purpose }) {
    this.id = `s${nextSessionId++}-${crypto.randomUUID()}`;
    this.origin = origin;
    this.purpose = purpose; // 'sign' | 'authenticate' | 'self-test'
    this.hostRequestId = null;
    this.stage = 'starting'; // starting | choose | pin | pinpad | working | done
    this.certificates = [];
    this.pin = null; // the pin-required event, minus nothing secret (it has no secret)
    this.notice = null; // { code, message, triesLeft } shown in the window
    this.windowId = null;
    this.port = null;
    this.chooser = null; // { resolve, reject } while choosing
    this.cancelled = false;
    this.release = null; // NativeHost.hold() releaser
  }

  view() {
    return {
      origin: this.origin,
      purpose: this.purpose,
      stage: this.stage,
      certificates: this.stage === 'choose' ? this.certificates : [],
      pin: this.pin,
      notice: this.notice,
    };
  }
}

export class PromptManager {
  #host;
  #sessions = new Map(); // session id → PromptSession
  #byHostRequest = new Map(); // host request id → PromptSession

  /** @param {import('./native-host.js').NativeHost} host */
  constructor(host) {
    this.#host = host;
    api.windows?.onRemoved.addListener((windowId) => {
      for (const s of this.#sessions.values()) {
        if (s.windowId === windowId) this.#userCancelled(s);
      }
    });
  }

  createSession({ origin, purpose }) {
    const session = new PromptSession({ origin, purpose });
    this.#sessions.set(session.id, session);
    session.release = this.#host.hold();
    return session;
  }

  /** The host request that this session's PIN prompts belong to. */
  attachHostRequest(session, hostRequestId) {
    session.hostRequestId = hostRequestId;
    this.#byHostRequest.set(hostRequestId, session);
  }

  /** Shows the chooser and resolves with the chosen certificateId (rejects on cancel). */
  async chooseCertificate(session, certificates) {
    session.certificates = certificates.map(certificateSummary);
    session.stage = 'choose';
    const chosen = new Promise((resolve, reject) => {
      session.chooser = { resolve, reject };
    });
    await this.#show(session);
    return chosen;
  }

  /** Host event: the card needs a PIN for one of our requests. */
  async handlePinRequired(event) {
    let session = this.#byHostRequest.get(event.requestId);
    if (!session) {
      // A request we did not start a session for (should not happen): still ask the user,
      // showing the origin the host names.
      session = this.createSession({ origin: String(event.origin ?? ''), purpose: 'sign' });
      this.attachHostRequest(session, event.requestId);
    }
    if (session.cancelled) return;
    const format = event.pinFormat ?? {};
    session.pin = {
      reader: event.reader,
      certificate: certificateSummary(event.certificate),
      triesLeft: Number.isInteger(event.triesLeft) ? event.triesLeft : null,
      pinPad: Boolean(event.pinPad),
      minLength: Number.isInteger(format.minLength) ? format.minLength : 4,
      maxLength: Number.isInteger(format.maxLength) ? format.maxLength : 8,
      digitsOnly: format.digitsOnly !== false,
    };
    session.notice = event.lastError ? normaliseNotice(event.lastError, event.triesLeft) : null;
    session.stage = session.pin.pinPad ? 'pinpad' : 'pin';
    await this.#show(session);
  }

  /** The request is over: close the window and forget the session. */
  finish(session) {
    if (!session || session.stage === 'done') return;
    session.stage = 'done';
    session.chooser?.reject(new BridgeError(ErrorCode.USER_CANCELLED, 'request finished'));
    session.chooser = null;
    this.#sessions.delete(session.id);
    if (session.hostRequestId) this.#byHostRequest.delete(session.hostRequestId);
    try {
      session.port?.disconnect();
    } catch {
      /* already gone */
    }
    if (session.windowId !== null) api.windows?.remove(session.windowId).catch(() => {});
    session.release?.();
  }

  /** Cancels from outside the window (the page aborted, its tab closed). */
  cancel(session) {
    this.#userCancelled(session);
  }

  /** A prompt page connected: bind it to its session and send the current state. */
  onConnect(port) {
    const sessionId = port.name.slice('prompt:'.length);
    const session = this.#sessions.get(sessionId);
    if (!session || session.stage === 'done') {
      port.disconnect();
      return;
    }
    session.port = port;
    port.onMessage.addListener((msg) => this.#onPromptMessage(session, msg));
    port.onDisconnect.addListener(() => {
      if (session.port === port) {
        session.port = null;
        this.#userCancelled(session);
      }
    });
    this.#push(session);
  }

  static isPromptPort(port) {
    return port.name.startsWith('prompt:') && port.sender?.url?.startsWith(api.runtime.getURL(PROMPT_PAGE));
  }

  async #show(session) {
    if (session.windowId !== null) {
      this.#push(session);
      api.windows?.update(session.windowId, { focused: true }).catch(() => {});
      return;
    }
    const url = api.runtime.getURL(`${PROMPT_PAGE}#${encodeURIComponent(session.id)}`);
    const win = await api.windows.create({ url, type: 'popup', focused: true, ...WINDOW_SIZE });
    session.windowId = win.id;
    if (session.stage === 'done') api.windows.remove(win.id).catch(() => {});
  }

  #push(session) {
    try {
      session.port?.postMessage({ type: 'state', state: session.view() });
    } catch {
      /* the window is closing */
    }
  }

  async #onPromptMessage(session, msg) {
    if (!msg || typeof msg !== 'object' || session.stage === 'done') return;
    switch (msg.action) {
      case 'choose': {
        if (session.stage !== 'choose') return;
        const cert = session.certificates.find((c) => c.certificateId === msg.certificateId);
        if (!cert) return;
        session.stage = 'working';
        session.chooser?.resolve(cert.certificateId);
        session.chooser = null;
        this.#push(session);
        return;
      }
      case 'pin':
        return this.#sendPin(session, msg.pin);
      case 'cancel':
        return this.#userCancelled(session);
      default:
    }
  }

  async #sendPin(session, pin) {
    if (session.stage !== 'pin' || typeof pin !== 'string') return;
    // Checked again here: the window is ours, but nothing but digits may reach the card.
    const { minLength, maxLength, digitsOnly } = session.pin;
    if ((digitsOnly && !/^[0-9]+$/.test(pin)) || pin.length < minLength || pin.length > maxLength) {
      session.notice = { code: ErrorCode.PIN_FORMAT };
      this.#push(session);
      return;
    }
    session.stage = 'working';
    session.notice = null;
    this.#push(session);
    try {
      await this.#host.request('pin', session.origin, { requestId: session.hostRequestId, pin });
    } catch (err) {
      // The host refused the PIN message itself (e.g. ERR_PIN_FORMAT): let the user retry.
      const e = asBridgeError(err);
      if (session.stage === 'working') {
        session.stage = 'pin';
        session.notice = { code: e.code, message: e.message, ...e.details };
        this.#push(session);
      }
    }
  }

  #userCancelled(session) {
    if (session.cancelled || session.stage === 'done') return;
    session.cancelled = true;
    if (session.chooser) {
      session.chooser.reject(new BridgeError(ErrorCode.USER_CANCELLED, 'the user closed the certificate chooser'));
      session.chooser = null;
    }
    if (session.hostRequestId) {
      this.#host.request('cancel', session.origin, { requestId: session.hostRequestId }).catch(() => {});
    }
    // The pending request ends with ERR_USER_CANCELLED from the host, which calls finish();
    // close the window now anyway so the user is not left waiting.
    if (session.windowId !== null) api.windows?.remove(session.windowId).catch(() => {});
    session.windowId = null;
  }
}

function normaliseNotice(lastError, triesLeft) {
  if (typeof lastError === 'string') return { code: lastError, triesLeft };
  if (lastError && typeof lastError === 'object') {
    return { code: String(lastError.code ?? ErrorCode.INTERNAL), message: lastError.message, triesLeft: lastError.triesLeft ?? triesLeft };
  }
  return null;
}
