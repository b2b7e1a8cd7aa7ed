// Registration service: change password, register the citizen certificate, authenticator
// QR code, own profile. An activation-only session (first login) sees the first two only.
import { api } from './api.js';
import { busy, el, formatTime } from './format.js';
import { onLangChange, t } from './i18n.js';
import { fetchMe, initPage } from './layout.js';
import { showError, showMessage } from './messages.js';
import { certificateToken } from './card.js';

const $ = (id) => document.getElementById(id);
let me = null;

function ok(region, text, link) {
  region.className = 'message ok';
  showMessage(region, text, link);
}

function fail(region, err) {
  region.className = 'message error';
  showError(region, err);
}

function renderActivation() {
  const a = me.account;
  const activationOnly = !!me.session?.activationOnly;
  $('totp').hidden = activationOnly;
  $('profile').hidden = activationOnly;
  const notice = $('activation-notice');
  notice.hidden = !activationOnly;
  if (activationOnly) {
    showMessage(notice, t(a.mustChangePassword ? 'activationStepPassword' : 'activationStepCertificate'));
  }
  $('register-certificate').disabled = !!a.mustChangePassword;
}

function renderCertificates() {
  const body = $('certificates');
  body.replaceChildren();
  for (const c of me.account.certificates || []) {
    body.append(el('tr', {}, [
      el('td', { text: c.subject || '' }),
      el('td', { text: formatTime(c.notAfter) }),
      el('td', { cls: 'mono', text: c.sha256 || '' }),
    ]));
  }
  if (!body.children.length) body.append(el('tr', {}, [el('td', { text: t('none'), attrs: { colspan: 3 } })]));
}

function renderProfile() {
  const a = me.account;
  const values = {
    'p-name': a.name, 'p-national-id': a.nationalId, 'p-agency': a.agency, 'p-unit': a.unit,
    'p-agency-oid': a.agencyOid, 'p-jurisdiction-oid': a.jurisdictionOid, 'p-email': a.email, 'p-phone': a.phone,
  };
  for (const [id, v] of Object.entries(values)) $(id).value = v ?? '';
}

function render() {
  renderActivation();
  renderCertificates();
  renderProfile();
}

async function refresh() {
  me = (await fetchMe()) || me;
  render();
}

async function changePassword(event) {
  event.preventDefault();
  const region = $('password-message');
  const current = $('current-password');
  const next = $('new-password');
  const confirm = $('confirm-password');
  for (const input of [current, next, confirm]) {
    if (!input.value) {
      region.className = 'message error';
      showMessage(region, t('errFillIn', { field: document.querySelector(`label[for="${input.id}"]`).textContent }));
      input.focus();
      return;
    }
  }
  if (next.value !== confirm.value) {
    fail(region, { code: 'password-confirm-mismatch' });
    confirm.focus();
    return;
  }
  try {
    await busy($('password-submit'), () => api('/api/v1/portal/password', { body: { currentPassword: current.value, newPassword: next.value } }));
    for (const input of [current, next, confirm]) input.value = '';
    const wasActivation = me.session?.activationOnly;
    await refresh();
    if (wasActivation) {
      ok(region, t('passwordChangedNextCertificate'), { href: '#certificate', label: t('goCertificate') });
    } else {
      ok(region, t('passwordChanged'));
    }
  } catch (err) {
    fail(region, err);
    (err.code === 'password-incorrect' ? current : next).focus();
  }
}

async function registerCertificate() {
  const region = $('certificate-message');
  showMessage(region, '');
  region.className = 'message info';
  showMessage(region, t('certLoginWorking'));
  try {
    const token = await certificateToken();
    const result = await api('/api/v1/portal/certificate/register', { body: { token } });
    await refresh();
    const status = result?.account?.status || me.account.status;
    ok(region, status === 'active' ? t('certificateRegisteredActive') : t('certificateRegistered'), { href: '/home.html', label: t('goHome') });
  } catch (err) {
    fail(region, err);
  }
}

async function loadTotp() {
  try {
    const s = await api('/api/v1/portal/totp');
    $('totp-state').textContent = s.enrolled ? t('totpEnrolled', { version: s.version, at: formatTime(s.createdAt) }) : t('totpNotEnrolled');
  } catch (err) {
    fail($('totp-message'), err);
  }
}

async function buildTotp() {
  const region = $('totp-message');
  showMessage(region, '');
  try {
    const r = await api('/api/v1/portal/totp', { body: {} });
    $('totp-version').textContent = String(r.version);
    // The SVG goes into an <img> as a data: URL: shown, never run.
    $('totp-qr').src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(r.qrSvg)))}`;
    $('totp-secret').textContent = r.secretBase32 || '';
    $('totp-result').hidden = false;
    ok(region, t('totpBuilt', { version: r.version }));
    await loadTotp();
  } catch (err) {
    fail(region, err);
  }
}

async function saveProfile(event) {
  event.preventDefault();
  const region = $('profile-message');
  try {
    const r = await busy($('profile-submit'), () => api('/api/v1/portal/me/profile', { body: { email: $('p-email').value.trim(), phone: $('p-phone').value.trim() } }));
    if (r?.account) me.account = { ...me.account, ...r.account };
    renderProfile();
    ok(region, t('profileSaved'));
  } catch (err) {
    fail(region, err);
  }
}

async function main() {
  me = await initPage({ requireSession: true });
  render();
  onLangChange(render);
  $('password-form').addEventListener('submit', changePassword);
  $('register-certificate').addEventListener('click', () => busy($('register-certificate'), registerCertificate));
  $('totp-build').addEventListener('click', () => busy($('totp-build'), buildTotp));
  $('profile-form').addEventListener('submit', saveProfile);
  if (!me.session?.activationOnly) await loadTotp();
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && !target.hidden) target.focus();
  document.body.dataset.loaded = 'true';
}

main();
