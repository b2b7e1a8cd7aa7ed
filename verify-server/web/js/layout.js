// The frame every page shares: header with navigation, language switch and logout; the
// session check. Pages call initPage() first.
import { api } from './api.js';
import { el } from './format.js';
import { applyI18n, lang, setLang, t } from './i18n.js';

const NAV = [
  { page: 'home', href: '/home.html', key: 'navHome', needs: 'session' },
  { page: 'register', href: '/register.html', key: 'navRegister', needs: 'session' },
  { page: 'admin', href: '/admin.html', key: 'navAdmin', needs: 'admin' },
  { page: 'selftest', href: '/selftest.html', key: 'navSelfTest' },
  { page: 'login', href: '/login.html', key: 'navLogin', needs: 'no-session' },
];

function buildHeader(me) {
  const header = document.getElementById('site-header');
  const page = document.body.dataset.page;
  const title = el('p', { cls: 'site-title' }, [el('a', { attrs: { href: me ? '/home.html' : '/', 'data-i18n': 'siteTitle' } })]);
  const list = el('ul');
  for (const item of NAV) {
    if (item.needs === 'session' && !me) continue;
    if (item.needs === 'admin' && !(me && me.capabilities?.admin && !me.session?.activationOnly)) continue;
    if (item.needs === 'no-session' && me) continue;
    const a = el('a', { attrs: { href: item.href, 'data-i18n': item.key, 'aria-current': item.page === page ? 'page' : null } });
    list.append(el('li', {}, [a]));
  }
  const nav = el('nav', { cls: 'site-nav', attrs: { 'aria-label': t('navLabel'), 'data-i18n-aria-label': 'navLabel' } }, [list]);
  const tools = el('div', { cls: 'header-tools' });
  const langButton = el('button', { attrs: { type: 'button', id: 'lang-switch', 'data-i18n': 'langSwitch', 'data-i18n-aria-label': 'langSwitchLabel' } });
  langButton.addEventListener('click', () => setLang(lang() === 'en' ? 'zh' : 'en'));
  tools.append(langButton);
  if (me) {
    const logout = el('button', { attrs: { type: 'button', id: 'logout', 'data-i18n': 'logout' } });
    logout.addEventListener('click', () => logoutAndLeave(false));
    tools.append(logout);
  }
  header.replaceChildren(title, nav, tools);
}

export async function logoutAndLeave(everywhere) {
  try {
    if (everywhere) await api('/api/v1/portal/logout-everywhere', { body: {} });
  } finally {
    await api('/api/v1/logout', { body: {} }).catch(() => {});
    location.assign('/login.html');
  }
}

/** GET /api/v1/portal/me, or null without a session (401). */
export async function fetchMe() {
  try {
    return await api('/api/v1/portal/me');
  } catch (err) {
    if (err.status === 401) return null;
    throw err;
  }
}

/**
 * Sets up the page: language, header, session. With `requireSession` a visitor without a
 * session is sent to the login page. Resolves with /me (or null).
 */
export async function initPage({ requireSession = false } = {}) {
  applyI18n();
  let me = null;
  try {
    me = await fetchMe();
  } catch {
    me = null;
  }
  if (requireSession && !me) {
    location.replace('/login.html');
    return new Promise(() => {}); // the page is going away
  }
  buildHeader(me);
  applyI18n();
  document.body.dataset.ready = 'true'; // for tests and for styles
  return me;
}
