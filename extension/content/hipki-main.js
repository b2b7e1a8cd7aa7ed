// Runs in the page's own world (MAIN), at document_start, only on allowed portal origins (the
// service worker registers it for them). It makes portals written for the MOICA HiPKI Local
// Server talk to pkibridge without changes:
//  - window.open("http://localhost:61161/popupForm") still opens the popup (the browser
//    redirects it to the extension's hipki/popup.html), but the portal gets a small handle whose
//    postMessage maps targetOrigin "http://localhost:61161" to the popup's real origin;
//  - messages from that popup are re-dispatched to the portal with origin
//    "http://localhost:61161" and the handle as `source`, because portals drop anything else;
//  - XMLHttpRequest/fetch to http://localhost:61161/pkcs11info and /sign are answered through
//    the pkibridge content script (which adds nothing: the service worker takes the origin
//    from the browser).
// Nothing here is trusted by the extension: it only changes how the portal's own messages flow.
(() => {
  const HIPKI_ORIGINS = new Set(['http://localhost:61161', 'http://127.0.0.1:61161']);
  const HIPKI_ORIGIN = 'http://localhost:61161';
  const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension|extension):\/\/[^/]+$/;
  const CHANNEL = 'pkibridge';
  if (window.__pkibridgeHipki) return;
  Object.defineProperty(window, '__pkibridgeHipki', { value: true });

  function hipkiUrl(url) {
    try {
      const u = new URL(String(url), document.baseURI);
      return HIPKI_ORIGINS.has(u.origin) ? u : null;
    } catch {
      return null;
    }
  }

  // ---- popupForm ----------------------------------------------------------------------------
  const popups = []; // { win, handle, extOrigin, queue }
  const redispatched = new WeakSet();

  function entryFor(win) {
    return popups.find((p) => p.win === win) ?? null;
  }

  function deliver(entry, message, targetOrigin, transfer) {
    const mapped = targetOrigin === '*' || targetOrigin === '/' || HIPKI_ORIGINS.has(String(targetOrigin).replace(/\/$/, ''));
    if (!mapped) return entry.win.postMessage(message, targetOrigin, transfer);
    if (!entry.extOrigin) {
      entry.queue.push([message, transfer]); // the popup has not spoken yet: wait for its origin
      return undefined;
    }
    return entry.win.postMessage(message, entry.extOrigin, transfer);
  }

  function makeHandle(entry) {
    const handle = {
      postMessage: (message, targetOrigin = '/', transfer) => deliver(entry, message, targetOrigin, transfer),
      close: () => entry.win.close(),
      focus: () => entry.win.focus(),
      blur: () => entry.win.blur(),
      get closed() {
        return entry.win.closed;
      },
      get opener() {
        return window;
      },
    };
    Object.defineProperty(handle, 'window', { get: () => handle });
    Object.defineProperty(handle, 'self', { get: () => handle });
    return Object.freeze(handle);
  }

  const realOpen = window.open;
  window.open = function open(url, ...rest) {
    const win = realOpen.call(window, url, ...rest);
    const u = hipkiUrl(url);
    if (!win || !u || u.pathname !== '/popupForm') return win;
    const entry = { win, extOrigin: null, queue: [] };
    entry.handle = makeHandle(entry);
    popups.push(entry);
    if (popups.length > 16) popups.shift();
    return entry.handle;
  };

  // Registered at document_start, so before any portal listener: it sees the popup's messages
  // first, hides the original and re-sends it the way the HiPKI server's page would look.
  window.addEventListener(
    'message',
    (event) => {
      if (redispatched.has(event)) return;
      const entry = entryFor(event.source);
      if (entry && EXTENSION_ORIGIN.test(event.origin)) {
        event.stopImmediatePropagation();
        entry.extOrigin = event.origin;
        const queued = entry.queue.splice(0);
        const copy = new MessageEvent('message', { data: event.data, origin: HIPKI_ORIGIN, lastEventId: event.lastEventId });
        Object.defineProperty(copy, 'source', { value: entry.handle });
        redispatched.add(copy);
        window.dispatchEvent(copy);
        for (const [message, transfer] of queued) entry.win.postMessage(message, entry.extOrigin, transfer);
        return;
      }
      // Replies from the content script to our own HTTP-shim requests: not the portal's business.
      const d = event.data;
      if (event.source === window && d && d.channel === CHANNEL && d.direction === 'response' && pendingHttp.has(d.id)) {
        event.stopImmediatePropagation();
        const done = pendingHttp.get(d.id);
        pendingHttp.delete(d.id);
        done(d);
      }
    },
    true,
  );

  // ---- /pkcs11info and /sign over HTTP -------------------------------------------------------
  const pendingHttp = new Map(); // id → callback(response message)
  let nextId = 1;

  function askExtension(url, body) {
    const id = `hipki-http-${Date.now()}-${nextId++}`;
    return new Promise((resolve, reject) => {
      pendingHttp.set(id, (d) => (d.error ? reject(new Error(d.error.message ?? d.error.code)) : resolve(d.result)));
      window.postMessage(
        {
          channel: CHANNEL,
          version: 1,
          direction: 'request',
          id,
          command: 'hipki',
          arguments: { path: url.pathname, query: url.search.replace(/^\?/, ''), body: body ?? '' },
        },
        window.location.origin,
      );
    });
  }

  function bodyText(body) {
    if (body === undefined || body === null) return '';
    if (typeof body === 'string') return body;
    if (body instanceof URLSearchParams) return body.toString();
    if (typeof FormData !== 'undefined' && body instanceof FormData) return new URLSearchParams(body).toString();
    return String(body);
  }

  const XHR = XMLHttpRequest.prototype;
  const realXhrOpen = XHR.open;
  const realXhrSend = XHR.send;
  const realSetHeader = XHR.setRequestHeader;
  const shimmed = new WeakMap();

  function define(obj, values) {
    for (const [k, v] of Object.entries(values)) Object.defineProperty(obj, k, { value: v, configurable: true });
  }

  XHR.open = function open(method, url, async = true, ...rest) {
    const u = hipkiUrl(url);
    if (!u || !['/pkcs11info', '/sign'].includes(u.pathname)) {
      shimmed.delete(this);
      return realXhrOpen.call(this, method, url, async, ...rest);
    }
    shimmed.set(this, { url: u, async: async !== false });
    define(this, { readyState: 1 });
    this.dispatchEvent(new Event('readystatechange'));
    return undefined;
  };

  XHR.setRequestHeader = function setRequestHeader(...args) {
    if (shimmed.has(this)) return undefined;
    return realSetHeader.apply(this, args);
  };

  XHR.send = function send(body) {
    const s = shimmed.get(this);
    if (!s) return realXhrSend.call(this, body);
    if (!s.async) {
      throw new DOMException('pkibridge answers http://localhost:61161 only to asynchronous requests', 'InvalidAccessError');
    }
    const xhr = this;
    const finish = (status, text) => {
      define(xhr, {
        readyState: 4,
        status,
        statusText: status === 200 ? 'OK' : '',
        responseText: text,
        response: xhr.responseType === 'json' ? JSON.parse(text || 'null') : text,
        responseURL: status ? s.url.href : '',
        getResponseHeader: (name) => (status && /^content-type$/i.test(name) ? 'application/json; charset=utf-8' : null),
        getAllResponseHeaders: () => (status ? 'content-type: application/json; charset=utf-8\r\n' : ''),
      });
      xhr.dispatchEvent(new Event('readystatechange'));
      xhr.dispatchEvent(new ProgressEvent(status ? 'load' : 'error'));
      xhr.dispatchEvent(new ProgressEvent('loadend'));
    };
    askExtension(s.url, bodyText(body)).then(
      (r) => finish(r.status ?? 200, r.body ?? ''),
      () => finish(0, ''),
    );
    return undefined;
  };

  const realFetch = window.fetch;
  window.fetch = function fetch(input, init) {
    const url = hipkiUrl(input instanceof Request ? input.url : input);
    if (!url || !['/pkcs11info', '/sign'].includes(url.pathname)) return realFetch.call(window, input, init);
    const bodyPromise = init?.body !== undefined ? Promise.resolve(bodyText(init.body)) : input instanceof Request ? input.text() : Promise.resolve('');
    return bodyPromise
      .then((body) => askExtension(url, body))
      .then(
        (r) => new Response(r.body ?? '', { status: r.status ?? 200, headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
        () => {
          throw new TypeError('Failed to fetch');
        },
      );
  };
})();
