// Content script (isolated world) on https pages: relays page API requests to the service
// worker and the replies back. It accepts only messages the page posted to itself, in the
// exact request shape, and answers only to the page's own origin (never "*"). The origin that
// is checked is the one the browser attaches to this frame, not anything in the message.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const CHANNEL = 'pkibridge';
  const VERSION = 1;
  const COMMANDS = new Set(['ping', 'status', 'listCertificates', 'sign', 'authenticate', 'cancel', 'hipki']);
  const REQUEST_KEYS = new Set(['channel', 'version', 'direction', 'id', 'command', 'arguments']);
  const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
  const origin = window.location.origin;
  if (!origin || origin === 'null') return;

  // (Not a prototype check: in Firefox the page's objects reach us through wrappers.)
  function isPlainObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.toString.call(v) === '[object Object]';
  }

  function isRequest(m) {
    if (!isPlainObject(m) || m.channel !== CHANNEL || m.direction !== 'request') return false;
    for (const k of Object.keys(m)) if (!REQUEST_KEYS.has(k)) return false;
    return (
      m.version === VERSION &&
      typeof m.id === 'string' &&
      ID.test(m.id) &&
      COMMANDS.has(m.command) &&
      (m.arguments === undefined || isPlainObject(m.arguments))
    );
  }

  function reply(id, body) {
    window.postMessage({ channel: CHANNEL, version: VERSION, direction: 'response', id, ...body }, origin);
  }

  window.addEventListener('message', (event) => {
    if (event.source !== window || event.origin !== origin) return;
    const m = event.data;
    if (!isRequest(m)) {
      // A request-looking message in the wrong shape gets a clear answer instead of silence.
      if (isPlainObject(m) && m.channel === CHANNEL && m.direction === 'request' && typeof m.id === 'string' && ID.test(m.id)) {
        reply(m.id, { error: { code: 'ERR_BAD_REQUEST', message: 'malformed pkibridge request' } });
      }
      return;
    }
    if (m.command === 'ping') {
      reply(m.id, { result: { extension: 'pkibridge', version: api.runtime.getManifest().version } });
      return;
    }
    api.runtime
      // JSON round trip: only plain data goes on, whatever the page put in its object.
      .sendMessage({ type: 'page-request', id: m.id, command: m.command, arguments: JSON.parse(JSON.stringify(m.arguments ?? {})) })
      .then(
        (answer) => reply(m.id, answer && (answer.result !== undefined || answer.error) ? answer : { error: { code: 'ERR_INTERNAL', message: 'no answer' } }),
        (err) => reply(m.id, { error: { code: 'ERR_EXTENSION_UNAVAILABLE', message: String(err?.message ?? err) } }),
      );
  });
})();
