// The prompt window: shows who is asking (the origin the browser reported), lets the user pick
// a certificate and type the PIN. The PIN is read once, the field is cleared at once, and the
// digits go to the service worker, which passes them to the native host.
import { applyI18n, t, errorText } from './i18n.js';

const api = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);
const sections = ['choose', 'pin', 'pinpad', 'working'];

applyI18n(document);

const sessionId = decodeURIComponent(location.hash.slice(1));
const port = api.runtime.connect({ name: `prompt:${sessionId}` });
let current = null;

port.onMessage.addListener((msg) => {
  if (msg?.type === 'state') render(msg.state);
});
port.onDisconnect.addListener(() => window.close());

for (const b of document.querySelectorAll('button.cancel')) {
  b.addEventListener('click', () => {
    port.postMessage({ action: 'cancel' });
    window.close();
  });
}
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    port.postMessage({ action: 'cancel' });
    window.close();
  }
});

function localDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleDateString();
}

function render(state) {
  const stageChanged = current?.stage !== state.stage;
  current = state;
  $('purpose').textContent = t(state.purpose === 'authenticate' ? 'purposeLogin' : state.purpose === 'self-test' ? 'purposeSelfTest' : 'purposeSign');
  $('origin').textContent = state.purpose === 'self-test' ? t('selfTestOrigin') : state.origin;
  for (const s of sections) $(s).hidden = s !== state.stage;
  $('pin-info').hidden = state.stage !== 'pin' && state.stage !== 'pinpad';
  if (state.stage === 'choose' && stageChanged) renderChooser(state.certificates);
  if (state.stage === 'pin' || state.stage === 'pinpad') renderPin(state, stageChanged);
  document.title = `${t('promptTitle')} — ${state.origin}`;
}

function renderChooser(certs) {
  const list = $('cert-list');
  list.replaceChildren();
  certs.forEach((c, i) => {
    const li = document.createElement('li');
    const label = document.createElement('label');
    const radio = document.createElement('input');
    radio.type = 'radio';
    radio.name = 'cert';
    radio.value = c.certificateId;
    radio.id = `cert-${i}`;
    radio.addEventListener('change', () => ($('choose-ok').disabled = false));
    const holder = document.createElement('span');
    holder.className = 'holder';
    holder.textContent = c.holder;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${t('certIssuer')}: ${c.issuer} · ${t('certValidTo')}: ${localDate(c.notAfter)} · ${c.reader ?? ''}`;
    label.append(radio, holder, meta);
    li.append(label);
    list.append(li);
  });
  $('choose-ok').disabled = true;
}

$('choose-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const chosen = document.querySelector('input[name="cert"]:checked');
  if (chosen) port.postMessage({ action: 'choose', certificateId: chosen.value });
});

function noticeText(notice) {
  return notice ? errorText(notice.code) : ''; // tries left have their own line
}

function renderPin(state, stageChanged) {
  const pin = state.pin ?? {};
  $('pin-holder').textContent = pin.certificate?.holder ?? '';
  $('pin-issuer').textContent = pin.certificate?.issuer ?? '';
  $('pin-reader').textContent = pin.reader ?? '';
  const noticeEl = state.stage === 'pin' ? $('notice') : $('pinpad-notice');
  noticeEl.textContent = noticeText(state.notice);
  noticeEl.hidden = !state.notice;
  const tries = $('tries');
  tries.hidden = !Number.isInteger(pin.triesLeft);
  tries.textContent = Number.isInteger(pin.triesLeft) ? t('triesLeft', [String(pin.triesLeft)]) : '';
  tries.classList.toggle('notice', pin.triesLeft === 1);
  if (state.stage === 'pin') {
    const input = $('pin-input');
    input.minLength = pin.minLength;
    input.maxLength = pin.maxLength;
    input.inputMode = pin.digitsOnly === false ? 'text' : 'numeric';
    $('pin-rule').textContent = t('pinRule', [String(pin.minLength), String(pin.maxLength)]);
    if (stageChanged || state.notice) {
      input.value = '';
      input.focus();
    }
  }
}

// Digits only (the usual PIN format, as the host reports it), as they are typed.
$('pin-input').addEventListener('input', (e) => {
  if (current?.pin?.digitsOnly === false) return;
  const cleaned = e.target.value.replace(/[^0-9]/g, '');
  if (cleaned !== e.target.value) e.target.value = cleaned;
});

$('pin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('pin-input');
  const pin = input.value;
  input.value = ''; // cleared before anything else happens
  const { minLength, maxLength, digitsOnly } = current?.pin ?? { minLength: 6, maxLength: 8, digitsOnly: true };
  if ((digitsOnly !== false && !/^[0-9]+$/.test(pin)) || pin.length < minLength || pin.length > maxLength) {
    const n = $('notice');
    n.textContent = t('pinRule', [String(minLength), String(maxLength)]);
    n.hidden = false;
    input.focus();
    return;
  }
  port.postMessage({ action: 'pin', pin });
});
