// The high-level operations every caller uses (page API, HiPKI compatibility, options page):
// pick a certificate (asking the user when there is a choice), run the host command, and
// keep the prompt window in step with it.
import { BridgeError, ErrorCode, asBridgeError } from './errors.js';
import { loginCandidates, signingCandidates } from './certificates.js';

const SIGN_TIMEOUT_MS = 5 * 60_000; // covers the user typing the PIN (the host has its own)

export class Operations {
  #host;
  #prompts;
  #active = new Map(); // caller key → { session, hostRequestId }

  constructor({ host, prompts }) {
    this.#host = host;
    this.#prompts = prompts;
  }

  status(origin) {
    return this.#host.request('status', origin, {});
  }

  listCertificates(origin) {
    return this.#host.request('list-certificates', origin, {});
  }

  /**
   * Signs with the host. `args` are host `sign` arguments; certificateId may be missing, then
   * the user chooses among the usable certificates (or the only one is taken).
   * @param {string} origin
   * @param {object} args
   * @param {{callerKey?: string, reader?: string, purpose?: string}} [opts]
   */
  sign(origin, args, opts = {}) {
    return this.#withPrompt(origin, 'sign', args, opts, (a, onId) =>
      this.#host.request('sign', origin, a, { timeoutMs: SIGN_TIMEOUT_MS, onId }),
    );
  }

  authenticate(origin, args, opts = {}) {
    return this.#withPrompt(origin, 'authenticate', args, opts, (a, onId) =>
      this.#host.request('authenticate', origin, a, { timeoutMs: SIGN_TIMEOUT_MS, onId }),
    );
  }

  /** The page (or its tab) gave up on one of its requests. */
  cancel(callerKey) {
    const active = this.#active.get(callerKey);
    if (active) this.#prompts.cancel(active.session);
    return Boolean(active);
  }

  /** Cancels every request a tab started (the tab was closed). */
  cancelTab(tabId) {
    for (const [key, active] of this.#active) {
      if (key.startsWith(`${tabId}:`)) this.#prompts.cancel(active.session);
    }
  }

  async #withPrompt(origin, purpose, args, { callerKey, reader, purpose: label }, run) {
    const session = this.#prompts.createSession({ origin, purpose: label ?? purpose });
    const active = { session };
    if (callerKey) this.#active.set(callerKey, active);
    try {
      const certificateId = args.certificateId ?? (await this.#chooseCertificate(origin, session, reader, purpose));
      if (session.cancelled) throw new BridgeError(ErrorCode.USER_CANCELLED, 'cancelled');
      return await run({ ...args, certificateId }, (id) => this.#prompts.attachHostRequest(session, id));
    } catch (err) {
      throw asBridgeError(err);
    } finally {
      this.#prompts.finish(session);
      if (callerKey && this.#active.get(callerKey) === active) this.#active.delete(callerKey);
    }
  }

  async #chooseCertificate(origin, session, reader, purpose) {
    const { certificates } = await this.listCertificates(origin);
    const { usable, expired } =
      purpose === 'authenticate' ? loginCandidates(certificates) : signingCandidates(certificates, { reader });
    if (usable.length === 1) return usable[0].certificateId;
    if (usable.length > 1) return this.#prompts.chooseCertificate(session, usable);
    if (expired.length > 0) {
      throw new BridgeError(ErrorCode.CERTIFICATE_EXPIRED, 'the only signing certificates on the card have expired');
    }
    throw new BridgeError(ErrorCode.CERTIFICATE_NOT_FOUND, 'no signing certificate on any card');
  }
}
