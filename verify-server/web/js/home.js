// Home: who is logged in, the last login times, the application systems the account holds.
import { api } from './api.js';
import { el, formatTime, statusLabel, systemNames } from './format.js';
import { onLangChange, t } from './i18n.js';
import { initPage, logoutAndLeave } from './layout.js';
import { showError, showMessage } from './messages.js';

const $ = (id) => document.getElementById(id);
const isPassword = (method) => !!method && method !== 'certificate';

/**
 * The previous password and certificate logins, not counting this session's own login
 * (what "上一次登入" means). The account's last*LoginAt already are the previous ones for
 * the kind this session is not; for the session's own kind, GET /api/v1/session lists the
 * recent logins (this one first) and the previous certificate login.
 */
async function previousLogins(me) {
  const a = me.account;
  const result = { password: a.lastPasswordLoginAt, certificate: a.lastCertificateLoginAt };
  let info = null;
  try {
    info = await api('/api/v1/session');
  } catch {
    return result; // shown as recorded
  }
  const current = info.session || {};
  const kind = isPassword(current.method) ? 'password' : 'certificate';
  const earlier = (info.lastLogins || []).filter((l) => (kind === 'password' ? isPassword(l.method) : l.method === 'certificate') && l.at !== current.createdAt);
  result[kind] = earlier[0]?.at ?? (kind === 'certificate' ? info.previousCertificateLogin?.at : null) ?? null;
  return result;
}

function render(me) {
  const a = me.account;
  $('welcome').textContent = t('welcome', { name: a.name || '' });
  $('me-national-id').textContent = a.nationalId || '';
  $('me-agency').textContent = a.agency || '—';
  $('me-unit').textContent = a.unit || '—';
  $('me-status').replaceChildren(el('span', { cls: `badge ${a.status}`, text: statusLabel(a.status) }));
  $('me-last-password').textContent = formatTime(me.previous.password);
  $('me-last-certificate').textContent = formatTime(me.previous.certificate);
  $('me-session-expires').textContent = formatTime(me.session?.expiresAt);
  $('admin-link').hidden = !(me.capabilities?.admin && !me.session?.activationOnly);

  const activationOnly = me.session?.activationOnly;
  const notice = $('activation-notice');
  notice.hidden = !activationOnly;
  if (activationOnly) {
    const step = a.mustChangePassword ? 'activationStepPassword' : 'activationStepCertificate';
    const link = { href: a.mustChangePassword ? '/register.html#password' : '/register.html#certificate', label: t('goRegister') };
    showMessage(notice, t(step), link);
  }

  const list = $('systems');
  list.replaceChildren();
  const systems = activationOnly ? [] : me.systems || [];
  for (const s of systems) {
    const names = systemNames(s);
    list.append(
      el('li', { attrs: { 'data-system': s.systemCode } }, [
        el('strong', { text: names.subsystem }),
        el('span', { cls: 'hint', text: ` ${s.systemCode} · ${names.category} (${s.systemId})` }),
        el('br'),
        el('span', { cls: 'mono', text: (s.identityTypes || []).join(', ') }),
      ]),
    );
  }
  $('no-systems').hidden = systems.length > 0;
}

async function main() {
  const me = await initPage({ requireSession: true });
  try {
    me.previous = await previousLogins(me);
    render(me);
    onLangChange(() => render(me));
  } catch (err) {
    showError($('home-error'), err);
  }
  $('logout-here').addEventListener('click', () => logoutAndLeave(false));
  $('logout-everywhere').addEventListener('click', () => logoutAndLeave(true));
  document.body.dataset.loaded = 'true';
}

main();
