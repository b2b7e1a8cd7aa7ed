// The login page: certificate login through the pkibridge extension, and the password
// logins (first login, one-day password, authenticator) with a CAPTCHA.
import { api } from './api.js';
import { busy } from './format.js';
import { onLangChange, t } from './i18n.js';
import { initPage } from './layout.js';
import { showError, showMessage } from './messages.js';
import { certificateToken } from './card.js';

const $ = (id) => document.getElementById(id);
let mode = 'initial';
let captchaId = null;

const AFTER_LOGIN = {
  'change-password': '/register.html#password',
  'register-certificate': '/register.html#certificate',
  home: '/home.html',
};

async function certificateLogin() {
  const status = $('cert-status');
  const error = $('cert-error');
  showMessage(error, '');
  showMessage(status, t('certLoginWorking'));
  try {
    const token = await certificateToken();
    showMessage(status, t('certLoginChecking'));
    await api('/api/v1/login/certificate', { body: { token } });
    showMessage(status, t('certLoginDone'));
    location.assign('/home.html');
  } catch (err) {
    showMessage(status, '');
    showError(error, err);
    $('cert-login').focus();
  }
}

async function loadCaptcha() {
  const img = $('captcha-image');
  captchaId = null;
  $('captcha-answer').value = '';
  try {
    const c = await api('/api/v1/portal/captcha');
    captchaId = c.captchaId;
    img.src = c.image;
  } catch (err) {
    img.removeAttribute('src');
    showError($('password-error'), err);
  }
}

function selectMode(next, { focus = false } = {}) {
  mode = next;
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.mode === mode;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected) {
      $('password-panel').setAttribute('aria-labelledby', tab.id);
      if (focus) tab.focus();
    }
  }
  $('check-code-field').hidden = mode !== 'one-day';
  $('totp-field').hidden = mode !== 'totp';
  $('check-code').required = mode === 'one-day';
  $('totp-code').required = mode === 'totp';
  $('initial-password-hint').hidden = mode !== 'initial';
  $('mode-hint').textContent = t(`modeHint_${mode}`);
  $('password').autocomplete = mode === 'initial' ? 'off' : 'current-password';
  showMessage($('password-error'), '');
}

// WAI-ARIA tabs: arrow keys, Home and End move between the tabs.
function onTabKey(event) {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const i = tabs.findIndex((tab) => tab.dataset.mode === mode);
  const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
  selectMode(next.dataset.mode, { focus: true });
}

function missingField() {
  const fields = ['national-id', 'password', mode === 'one-day' && 'check-code', mode === 'totp' && 'totp-code', 'captcha-answer'];
  for (const id of fields.filter(Boolean)) {
    const input = $(id);
    input.setAttribute('aria-invalid', String(!input.value.trim()));
  }
  return fields.filter(Boolean).map($).find((input) => !input.value.trim());
}

async function passwordLogin(event) {
  event.preventDefault();
  const error = $('password-error');
  showMessage(error, '');
  const missing = missingField();
  if (missing) {
    showMessage(error, t('errFillIn', { field: document.querySelector(`label[for="${missing.id}"]`).textContent }));
    missing.focus();
    return;
  }
  const body = {
    mode,
    nationalId: $('national-id').value.trim().toUpperCase(),
    password: $('password').value,
    captchaId,
    captchaAnswer: $('captcha-answer').value.trim(),
  };
  if (mode === 'one-day') body.checkCode = $('check-code').value.trim();
  if (mode === 'totp') body.totpCode = $('totp-code').value.trim();
  try {
    const result = await busy($('password-submit'), () => api('/api/v1/portal/login/password', { body }));
    $('password').value = '';
    location.assign(AFTER_LOGIN[result.next] || '/home.html');
  } catch (err) {
    showError(error, err);
    $('password').value = '';
    await loadCaptcha(); // single use: the answer was spent, right or wrong
    (err.code === 'captcha-invalid' ? $('captcha-answer') : $('password')).focus();
  }
}

async function main() {
  await initPage();
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener('click', () => selectMode(tab.dataset.mode));
    tab.addEventListener('keydown', onTabKey);
  }
  const requested = new URLSearchParams(location.search).get('mode');
  selectMode(['initial', 'one-day', 'totp'].includes(requested) ? requested : 'initial');
  onLangChange(() => selectMode(mode));
  $('cert-login').addEventListener('click', () => busy($('cert-login'), certificateLogin));
  $('captcha-refresh').addEventListener('click', () => loadCaptcha().then(() => $('captcha-answer').focus()));
  $('password-form').addEventListener('submit', passwordLogin);
  await loadCaptcha();
  document.body.dataset.loaded = 'true';
}

main();
