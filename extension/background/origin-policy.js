// Which web origins the extension talks for: those the native host's configuration allows
// AND, when an administrator set one, those the managed policy (storage.managed) allows.
// A request from any other origin is refused here, before anything reaches the host's card code.
import { api } from './browser.js';
import { BridgeError, ErrorCode } from './errors.js';

const HOST_LIST_TTL_MS = 60_000;

/**
 * True when `origin` matches `pattern`: an exact origin ("https://portal.example.gov.tw",
 * default ports omitted) or a subdomain wildcard ("https://*.example.gov.tw", which matches
 * every subdomain but not example.gov.tw itself).
 */
export function originMatches(pattern, origin) {
  if (typeof pattern !== 'string' || typeof origin !== 'string') return false;
  const p = parseOriginPattern(pattern);
  const o = parseOrigin(origin);
  if (!p || !o) return false;
  if (p.scheme !== o.scheme || p.port !== o.port) return false;
  if (p.wildcard) return o.host.endsWith(`.${p.host}`);
  return p.host === o.host;
}

function parseOrigin(text) {
  try {
    const u = new URL(text);
    if (u.origin === 'null' || u.origin !== text) return null;
    return { scheme: u.protocol, host: u.hostname, port: u.port };
  } catch {
    return null;
  }
}

function parseOriginPattern(text) {
  const m = /^(https?):\/\/(\*\.)?([^/:*]+)(?::(\d+))?\/?$/.exec(text.trim().toLowerCase());
  if (!m) return null;
  try {
    // URL normalises the host and drops a default port (":443").
    const u = new URL(`${m[1]}://${m[3]}${m[4] ? `:${m[4]}` : ''}`);
    return { scheme: u.protocol, host: u.hostname, port: u.port, wildcard: Boolean(m[2]) };
  } catch {
    return null;
  }
}

/** True when every origin that `inner` matches is also matched by `outer`. */
export function patternCovers(outer, inner) {
  const o = parseOriginPattern(outer);
  const i = parseOriginPattern(inner);
  if (!o || !i || o.scheme !== i.scheme || o.port !== i.port) return false;
  if (!o.wildcard) return !i.wildcard && o.host === i.host;
  return i.host.endsWith(`.${o.host}`);
}

/** A content-script match pattern for an allowed-origin pattern, or null if it has none. */
export function toMatchPattern(pattern) {
  const p = parseOriginPattern(pattern);
  if (!p) return null;
  const host = p.wildcard ? `*.${p.host}` : p.host;
  return `${p.scheme}//${host}${p.port ? `:${p.port}` : ''}/*`;
}

export class OriginPolicy {
  #host;
  #cache = null; // { origins: string[] | null, at: number } — null: the host reports no list
  #perOrigin = new Map(); // origin → { allowed: boolean, at: number } (hosts without a list)
  #changeListeners = new Set();

  /** @param {import('./native-host.js').NativeHost} host */
  constructor(host, extOrigin) {
    this.#host = host;
    this.extOrigin = extOrigin;
  }

  /**
   * The host's allow-list (status.allowedOrigins), cached for a minute; null when the host
   * does not report one (then each origin is asked for with its own status request).
   */
  async hostAllowedOrigins({ refresh = false } = {}) {
    if (!refresh && this.#cache && Date.now() - this.#cache.at < HOST_LIST_TTL_MS) {
      return this.#cache.origins;
    }
    const status = await this.#host.request('status', this.extOrigin, {});
    this.rememberStatus(status);
    return this.#cache.origins;
  }

  /** Any `status` reply refreshes the cache (the options page asks for status too). */
  rememberStatus(status) {
    const origins = Array.isArray(status?.allowedOrigins)
      ? status.allowedOrigins.filter((o) => typeof o === 'string')
      : null;
    const before = this.#cache ? JSON.stringify(this.#cache.origins) : undefined;
    this.#cache = { origins, at: Date.now() };
    if (before !== JSON.stringify(origins)) {
      this.#perOrigin.clear();
      for (const fn of this.#changeListeners) fn(origins);
    }
  }

  /** fn(origins) runs whenever the host's allow-list is seen to change (and the first time). */
  onChange(fn) {
    this.#changeListeners.add(fn);
  }

  /** The managed (enterprise) allow-list, or null when no policy sets one. */
  async managedAllowedOrigins() {
    try {
      const { allowedOrigins } = await api.storage.managed.get('allowedOrigins');
      return Array.isArray(allowedOrigins) ? allowedOrigins.filter((o) => typeof o === 'string') : null;
    } catch {
      return null; // no managed storage on this browser / no policy installed
    }
  }

  /** The patterns allowed by both lists ([] when the host reports no list). */
  async effectivePatterns(opts) {
    const hostList = (await this.hostAllowedOrigins(opts)) ?? [];
    const managed = await this.managedAllowedOrigins();
    if (managed === null) return hostList;
    // The intersection of two pattern lists: each pattern of one list that a pattern of the
    // other covers (exact origins and subdomain wildcards only, so this is exact).
    const fromHost = hostList.filter((h) => managed.some((m) => patternCovers(m, h)));
    const fromPolicy = managed.filter((m) => hostList.some((h) => patternCovers(h, m)));
    return [...new Set([...fromHost, ...fromPolicy])];
  }

  async #hostAllows(origin) {
    const list = await this.hostAllowedOrigins();
    if (list !== null) return list.some((p) => originMatches(p, origin));
    const cached = this.#perOrigin.get(origin);
    if (cached && Date.now() - cached.at < HOST_LIST_TTL_MS) return cached.allowed;
    const status = await this.#host.request('status', origin, {});
    const allowed = status?.origin?.allowed === true;
    this.#perOrigin.set(origin, { allowed, at: Date.now() });
    return allowed;
  }

  async isAllowed(origin) {
    // The managed policy first: it needs no host round trip.
    const managed = await this.managedAllowedOrigins();
    if (managed !== null && !managed.some((p) => originMatches(p, origin))) return false;
    return this.#hostAllows(origin);
  }

  /** Throws ERR_ORIGIN_NOT_ALLOWED unless `origin` may use the card. */
  async check(origin) {
    if (!(await this.isAllowed(origin))) {
      throw new BridgeError(ErrorCode.ORIGIN_NOT_ALLOWED, `${origin} is not allowed to use pkibridge`, {
        origin,
      });
    }
  }
}
