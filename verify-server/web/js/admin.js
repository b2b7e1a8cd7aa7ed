// Administration: accounts in the administrator's scope (search, paging), create, edit,
// identity types, roles, disable / re-enable / delete / unlock / re-open the initial
// password / one-day password, the audit log and the review export. The server checks
// role and scope on every call; this page only hides what the caller cannot use.
import { api } from './api.js';
import { busy, el, formatTime, statusLabel, systemNames } from './format.js';
import { onLangChange, t } from './i18n.js';
import { initPage } from './layout.js';
import { showError, showMessage } from './messages.js';

const $ = (id) => document.getElementById(id);
const PAGE = 20;
const ROLES = ['user', 'registration-admin', 'super-admin'];
const PROFILE_FIELDS = ['name', 'birthDate', 'agency', 'unit', 'agencyOid', 'jurisdictionOid', 'email', 'phone'];

let me = null;
let catalogue = [];
let list = { offset: 0, total: 0, accounts: [] };
let audit = { offset: 0, entries: [] };
let current = null; // the account open in the detail panel

function ok(region, text) {
  region.className = 'message ok';
  showMessage(region, text);
}

function fail(region, err) {
  region.className = 'message error';
  showError(region, err);
}

// Checkboxes for every identity type of the catalogue, grouped by system.
function identityTypeBoxes(fieldset, prefix, selected = []) {
  const legend = fieldset.querySelector('legend');
  fieldset.replaceChildren(legend);
  // One entry per sub-system (identity type), in catalogue order (by system code).
  const grid = el('div', { cls: 'checks' });
  for (const s of catalogue) {
    for (const type of s.identityTypes || []) {
      const id = `${prefix}-type-${type}`;
      const box = el('input', { attrs: { type: 'checkbox', id, value: type, checked: selected.includes(type) } });
      grid.append(el('label', { attrs: { for: id } }, [box, document.createTextNode(`${type} — ${s.systemCode} ${systemNames(s).subsystem}`)]));
    }
  }
  fieldset.append(grid);
  if (!catalogue.length) fieldset.append(el('p', { cls: 'hint', text: t('none') }));
}

function roleBoxes(fieldset, prefix, selected = []) {
  const legend = fieldset.querySelector('legend');
  fieldset.replaceChildren(legend);
  const group = el('div', { cls: 'checks' });
  for (const role of ROLES) {
    const id = `${prefix}-role-${role}`;
    group.append(el('label', { attrs: { for: id } }, [
      el('input', { attrs: { type: 'checkbox', id, value: role, checked: selected.includes(role) } }),
      document.createTextNode(t(`role_${role}`)),
    ]));
  }
  fieldset.append(group);
}

const checked = (fieldset) => [...fieldset.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);

async function loadAccounts() {
  const region = $('admin-error');
  try {
    const r = await api('/api/v1/portal/admin/accounts', {
      query: { q: $('search-q').value.trim(), status: $('search-status').value, offset: list.offset, limit: PAGE },
    });
    list = { offset: list.offset, total: r.total ?? r.accounts.length, accounts: r.accounts || [] };
    renderAccounts();
    showMessage(region, '');
  } catch (err) {
    showError(region, err);
  }
}

function renderAccounts() {
  const body = $('accounts');
  body.replaceChildren();
  for (const a of list.accounts) {
    const manage = el('button', { text: t('manage'), attrs: { type: 'button', 'aria-label': t('manageAccount', { name: a.name, id: a.nationalId }) } });
    manage.addEventListener('click', () => openDetail(a.id));
    const lastLogin = [a.lastCertificateLoginAt, a.lastPasswordLoginAt].filter(Boolean).sort().pop();
    body.append(el('tr', { attrs: { 'data-national-id': a.nationalId } }, [
      el('td', { cls: 'mono', text: a.nationalId }),
      el('td', { text: a.name }),
      el('td', { text: [a.agency, a.unit].filter(Boolean).join(' / ') }),
      el('td', {}, [el('span', { cls: `badge ${a.status}`, text: statusLabel(a.status) })]),
      el('td', { cls: 'mono', text: (a.identityTypes || []).join(', ') }),
      el('td', { text: formatTime(lastLogin) }),
      el('td', { cls: 'actions' }, [manage]),
    ]));
  }
  if (!list.accounts.length) body.append(el('tr', {}, [el('td', { text: t('noAccounts'), attrs: { colspan: 7 } })]));
  const from = list.total ? list.offset + 1 : 0;
  const to = list.offset + list.accounts.length;
  $('page-info').textContent = t('pageInfo', { from, to, total: list.total });
  $('accounts-caption').textContent = t('accountsCaption', { total: list.total });
  $('page-prev').disabled = list.offset === 0;
  $('page-next').disabled = to >= list.total;
}

async function createAccount(event) {
  event.preventDefault();
  const region = $('create-message');
  showMessage(region, '');
  const body = {};
  for (const input of $('create-form').querySelectorAll('input[name]')) {
    const v = input.value.trim();
    if (v) body[input.name] = input.name === 'nationalId' ? v.toUpperCase() : v;
  }
  for (const required of ['nationalId', 'name', 'birthDate', 'agencyOid', 'email']) {
    if (!body[required]) {
      region.className = 'message error';
      showMessage(region, t('errFillIn', { field: t(`field_${required}`) }));
      $(`c-${required}`).focus();
      return;
    }
  }
  body.identityTypes = checked($('c-identity-types'));
  if (me.capabilities?.superAdmin) body.roles = checked($('c-roles'));
  try {
    const r = await busy($('create-submit'), () => api('/api/v1/portal/admin/accounts/create', { body }));
    ok(region, t('accountCreated', { id: r.account.nationalId, day: r.initialPasswordValidOn || '' }));
    $('create-form').reset();
    identityTypeBoxes($('c-identity-types'), 'c');
    list.offset = 0;
    await loadAccounts();
    await loadAudit();
  } catch (err) {
    fail(region, err);
  }
}

function renderDetail() {
  const a = current;
  if (!a) return;
  $('detail-heading').textContent = t('detailHeading', { name: a.name, id: a.nationalId });
  const facts = [
    ['field_status', statusLabel(a.status)],
    ['lockedUntil', a.lockedUntil ? formatTime(a.lockedUntil) : null],
    ['field_roles', (a.roles || []).map((r) => t(`role_${r}`)).join(', ')],
    ['lastPasswordLogin', formatTime(a.lastPasswordLoginAt)],
    ['lastCertificateLogin', formatTime(a.lastCertificateLoginAt)],
    ['registeredCertificates', String((a.certificates || []).length)],
  ].filter(([, v]) => v !== null);
  $('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', { text: v || '—' })]));
  for (const f of PROFILE_FIELDS) $(`e-${f}`).value = a[f] ?? '';
  identityTypeBoxes($('e-identity-types'), 'e', a.identityTypes || []);
  $('roles-form').hidden = !me.capabilities?.superAdmin;
  if (me.capabilities?.superAdmin) roleBoxes($('e-roles'), 'e', a.roles || []);
  $('act-disable').hidden = a.status === 'disabled';
  $('act-enable').hidden = a.status !== 'disabled';
  $('act-unlock').hidden = a.status !== 'locked' && !a.lockedUntil;
}

async function openDetail(id) {
  const region = $('detail-message');
  showMessage(region, '');
  try {
    const r = await api('/api/v1/portal/admin/account', { query: { id } });
    current = r.account;
    renderDetail();
    $('detail').hidden = false;
    $('detail').focus();
  } catch (err) {
    showError($('admin-error'), err);
  }
}

/** Runs one account action and shows its outcome in the detail panel. */
async function accountAction(button, path, body, doneKey) {
  const region = $('detail-message');
  showMessage(region, '');
  try {
    const r = await busy(button, () => api(path, { body: { id: current.id, ...body } }));
    if (r?.account) current = r.account;
    renderDetail();
    ok(region, t(doneKey, { day: r?.validOn || r?.initialPasswordValidOn || '', to: r?.sentTo || current.email || '' }));
    await loadAccounts();
    await loadAudit();
    return r;
  } catch (err) {
    fail(region, err);
    return null;
  }
}

function reason(required) {
  const v = $('action-reason').value.trim();
  if (required && !v) {
    const region = $('detail-message');
    region.className = 'message error';
    showMessage(region, t('errReasonRequired'));
    $('action-reason').focus();
    return null;
  }
  return v;
}

function wireDetail() {
  $('edit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const changed = {};
    for (const f of PROFILE_FIELDS) {
      const v = $(`e-${f}`).value.trim();
      if (v !== (current[f] ?? '')) changed[f] = v;
    }
    accountAction($('edit-submit'), '/api/v1/portal/admin/accounts/update', changed, 'accountUpdated');
  });
  $('types-form').addEventListener('submit', (e) => {
    e.preventDefault();
    accountAction($('types-submit'), '/api/v1/portal/admin/accounts/identity-types', { identityTypes: checked($('e-identity-types')) }, 'accountUpdated');
  });
  $('roles-form').addEventListener('submit', (e) => {
    e.preventDefault();
    accountAction($('roles-submit'), '/api/v1/portal/admin/accounts/roles', { roles: checked($('e-roles')) }, 'accountUpdated');
  });
  $('act-disable').addEventListener('click', () => {
    const r = reason(true);
    if (r !== null) accountAction($('act-disable'), '/api/v1/portal/admin/accounts/status', { status: 'disabled', reason: r }, 'accountDisabled');
  });
  $('act-enable').addEventListener('click', () => {
    accountAction($('act-enable'), '/api/v1/portal/admin/accounts/status', { status: 'active', reason: reason(false) }, 'accountEnabled');
  });
  $('act-unlock').addEventListener('click', () => accountAction($('act-unlock'), '/api/v1/portal/admin/accounts/unlock', {}, 'accountUnlocked'));
  $('act-reopen').addEventListener('click', () => accountAction($('act-reopen'), '/api/v1/portal/admin/accounts/reopen', {}, 'accountReopened'));
  $('act-one-day').addEventListener('click', () => {
    const r = reason(true);
    if (r !== null) accountAction($('act-one-day'), '/api/v1/portal/admin/accounts/one-day-password', { reason: r }, 'oneDayEnabled');
  });
  $('act-delete').addEventListener('click', async () => {
    const r = reason(true);
    if (r === null || !window.confirm(t('confirmDelete', { name: current.name, id: current.nationalId }))) return;
    const region = $('detail-message');
    try {
      await busy($('act-delete'), () => api('/api/v1/portal/admin/accounts/delete', { body: { id: current.id, reason: r } }));
      ok($('admin-status'), t('accountDeleted', { id: current.nationalId }));
      current = null;
      $('detail').hidden = true;
      await loadAccounts();
      await loadAudit();
      $('search-q').focus();
    } catch (err) {
      fail(region, err);
    }
  });
  $('detail-close').addEventListener('click', () => {
    $('detail').hidden = true;
    current = null;
    $('search-q').focus();
  });
}

async function loadAudit() {
  try {
    const r = await api('/api/v1/portal/admin/audit', { query: { accountId: $('audit-account').value.trim(), offset: audit.offset, limit: PAGE } });
    audit.entries = r.entries || [];
    renderAudit();
  } catch (err) {
    showError($('admin-error'), err);
  }
}

const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** "field: before → after" for what changed; the non-empty fields of a creation or deletion. */
function changes(before, after) {
  if (isObject(before) && isObject(after)) {
    return Object.keys({ ...before, ...after })
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
  }
  const one = isObject(after) ? after : isObject(before) ? before : null;
  if (!one) return [after ?? before].filter((v) => v !== null && v !== undefined).map(show);
  const label = one === after ? t('auditAfter') : t('auditBefore');
  return [`${label}: ` + Object.entries(one).filter(([, v]) => v !== null && !(Array.isArray(v) && !v.length)).map(([k, v]) => `${k}=${show(v)}`).join(', ')];
}

function renderAudit() {
  const body = $('audit');
  body.replaceChildren();
  for (const e of audit.entries) {
    const at = typeof e.at === 'number' ? new Date(e.at * 1000).toISOString() : e.at;
    body.append(el('tr', { attrs: { 'data-action': e.action } }, [
      el('td', { cls: 'nowrap', text: formatTime(at) }),
      el('td', { cls: 'mono nowrap', text: e.actor }),
      el('td', { cls: 'mono nowrap', text: e.action }),
      el('td', { cls: 'mono nowrap', text: [e.nationalId, e.accountId != null && `#${e.accountId}`].filter(Boolean).join(' ') }),
      el('td', { cls: 'mono', text: changes(e.before, e.after).join('; ') }),
    ]));
  }
  if (!audit.entries.length) body.append(el('tr', {}, [el('td', { text: t('none'), attrs: { colspan: 5 } })]));
  $('audit-info').textContent = t('auditPage', { from: audit.entries.length ? audit.offset + 1 : 0, to: audit.offset + audit.entries.length });
  $('audit-prev').disabled = audit.offset === 0;
  $('audit-next').disabled = audit.entries.length < PAGE;
}

async function main() {
  me = await initPage({ requireSession: true });
  if (!me.capabilities?.admin || me.session?.activationOnly) {
    showMessage($('admin-error'), t('errNotAdmin'));
    for (const section of document.querySelectorAll('main > section')) section.hidden = true;
    document.body.dataset.loaded = 'true';
    return;
  }
  try {
    catalogue = (await api('/api/v1/portal/catalogue')).systems || [];
  } catch (err) {
    showError($('admin-error'), err);
  }
  identityTypeBoxes($('c-identity-types'), 'c');
  $('c-roles').hidden = !me.capabilities?.superAdmin;
  if (me.capabilities?.superAdmin) roleBoxes($('c-roles'), 'c', ['user']);
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    list.offset = 0;
    busy($('search-submit'), loadAccounts);
  });
  $('page-prev').addEventListener('click', () => { list.offset = Math.max(0, list.offset - PAGE); loadAccounts(); });
  $('page-next').addEventListener('click', () => { list.offset += PAGE; loadAccounts(); });
  $('show-create').addEventListener('click', () => { $('create').hidden = false; $('c-nationalId').focus(); });
  $('create-cancel').addEventListener('click', () => { $('create').hidden = true; $('show-create').focus(); });
  $('create-form').addEventListener('submit', createAccount);
  $('audit-form').addEventListener('submit', (e) => { e.preventDefault(); audit.offset = 0; loadAudit(); });
  $('audit-prev').addEventListener('click', () => { audit.offset = Math.max(0, audit.offset - PAGE); loadAudit(); });
  $('audit-next').addEventListener('click', () => { audit.offset += PAGE; loadAudit(); });
  wireDetail();
  onLangChange(() => { renderAccounts(); renderAudit(); renderDetail(); });
  await Promise.all([loadAccounts(), loadAudit()]);
  document.body.dataset.loaded = 'true';
}

main();
