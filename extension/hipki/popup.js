// The page the browser shows instead of http://localhost:61161/popupForm. It speaks the HiPKI
// popup protocol with the portal that opened it: ask for the request ({"func":"getTbs"}), pass
// the answer to the service worker together with the origin the browser put on it, post the
// reply back to that origin only, and close.
import { applyI18n, t } from '../ui/i18n.js';

const api = globalThis.browser ?? globalThis.chrome;
const stateEl = document.getElementById('state');
const originEl = document.getElementById('origin');

applyI18n(document);

function show(key, isError = false) {
  stateEl.textContent = t(key);
  stateEl.classList.toggle('error', isError);
}

const opener = window.opener;
if (!opener) {
  // The portal is served with Cross-Origin-Opener-Policy: same-origin (the real HiPKI cannot
  // work there either) or the page was opened by hand.
  show('hipkiNoOpener', true);
} else {
  let answered = false;
  window.addEventListener('message', async (event) => {
    if (answered || event.source !== opener) return;
    answered = true;
    originEl.textContent = event.origin;
    show('hipkiWorking');
    let reply;
    try {
      reply = await api.runtime.sendMessage({ type: 'hipki-popup', origin: event.origin, raw: event.data });
      if (!reply || typeof reply !== 'object') throw new Error('no answer from the extension');
    } catch (err) {
      reply = { func: 'unknown', ret_code: 0x76000001, last_error: 0, message: String(err?.message ?? err) };
    }
    try {
      opener.postMessage(JSON.stringify(reply), event.origin);
    } finally {
      show(reply.ret_code === 0 ? 'hipkiDone' : 'hipkiFailed', reply.ret_code !== 0);
      setTimeout(() => window.close(), reply.ret_code === 0 ? 0 : 1500);
    }
  });
  // Portals not on the allow-list never get our message in the form they accept, so they
  // never answer: say so instead of waiting silently.
  setTimeout(() => {
    if (!answered) show('hipkiNoRequest', true);
  }, 5000);
  // HiPKI's popup speaks first; its message carries no data, so "*" gives nothing away.
  opener.postMessage(JSON.stringify({ func: 'getTbs' }), '*');
}
