// Options / diagnostics: is the native host there, which readers, cards and certificates it
// sees, which origins are allowed, a signature self-test, and a report to copy for support
// (without PINs, names, ID numbers or certificate serials).
import { applyI18n, t, errorText } from './i18n.js';
import { commonName } from '../background/certificates.js';
import { verifyRawSignature } from '../lib/verify.js';

const api = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);
const report = { generated: null, extension: null, host: null, readers: [], certificates: null, allowedOrigins: null, hipkiPatterns: [], selfTest: null };

applyI18n(document);

async function ask(action) {
  const answer = await api.runtime.sendMessage({ type: 'options', action });
  if (answer?.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
  return answer.result;
}

function setState(el, text, ok) {
  el.textContent = text;
  el.classList.toggle('ok', ok === true);
  el.classList.toggle('bad', ok === false);
}

function list(values) {
  if (values === null || values === undefined) return t('notSet');
  return values.length ? values.join('\n') : t('none');
}

function installCommands() {
  const p = (navigator.userAgentData?.platform ?? navigator.platform ?? '').toLowerCase();
  if (p.includes('win')) return t('installWindows');
  if (p.includes('mac')) return 'sudo manifests/install.sh --system';
  return 'sudo apt install ./pkibridge_*.deb\n# or, for this user only: /usr/share/pkibridge/manifests/install.sh --user';
}

function readerRows(status) {
  const readers = Array.isArray(status?.readers) ? status.readers : [];
  return readers.map((r) => (typeof r === 'string' ? { name: r } : r));
}

async function loadOverview() {
  const o = await ask('overview');
  report.extension = { version: o.extension.version, id: o.extension.id, userAgent: o.extension.userAgent };
  $('ext-version').textContent = o.extension.version;
  $('ext-id').textContent = o.extension.id;
  if (o.status) {
    setState($('host-state'), t('hostFound'), true);
    $('host-version').textContent = o.status.hostVersion ?? o.status.version ?? '';
    $('install-hint').hidden = true;
  } else {
    const code = o.hostError?.code;
    setState($('host-state'), `${t('hostMissing')} (${errorText(code)})`, false);
    $('host-version').textContent = '';
    $('install-hint').hidden = false;
    $('install-commands').textContent = installCommands();
  }
  report.host = o.status ? scrub(o.status) : { error: o.hostError?.code ?? 'unknown' };

  const rows = readerRows(o.status);
  report.readers = rows.map((r) => ({ name: r.name, cardPresent: r.cardPresent ?? r.card != null, pinPad: r.pinPad ?? false }));
  const tbody = $('readers');
  tbody.replaceChildren(
    ...rows.map((r) => row([r.name, cardText(r), r.pinPad ? t('yes') : t('no')])),
  );
  if (rows.length === 0) tbody.replaceChildren(row([o.status ? t('noReaders') : '—', '', '']));

  report.allowedOrigins = o.allowedOrigins;
  $('origins-host').textContent = list(o.allowedOrigins.host);
  $('origins-managed').textContent = list(o.allowedOrigins.managed);
  $('origins-effective').textContent = list(o.allowedOrigins.effective);
  report.hipkiPatterns = o.hipkiPatterns;
  $('origins-hipki').textContent = list(o.hipkiPatterns);
  return Boolean(o.status);
}

function cardText(r) {
  const present = r.cardPresent ?? r.card != null;
  if (!present) return t('noCard');
  const kind = r.card?.type ?? r.card?.kind ?? r.cardType ?? '';
  return kind ? `${t('cardPresent')} (${kind})` : t('cardPresent');
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c ?? '';
    tr.append(td);
  }
  return tr;
}

async function loadCertificates() {
  const tbody = $('certificates');
  try {
    const { certificates } = await ask('certificates');
    tbody.replaceChildren(
      ...certificates.map((c) =>
        row([c.subjectCommonName || commonName(c.subject), commonName(c.issuer), c.caKind, new Date(c.notAfter).toLocaleDateString(), (c.keyUsage ?? []).join(', '), c.reader]),
      ),
    );
    $('certificates-state').textContent = certificates.length ? '' : t('noCertificates');
    // For support: what kind of certificates, never whose.
    report.certificates = certificates.map((c) => ({
      issuer: commonName(c.issuer),
      caKind: c.caKind,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      keyUsage: c.keyUsage,
      reader: c.reader,
    }));
  } catch (err) {
    tbody.replaceChildren();
    $('certificates-state').textContent = errorText(err.code);
    report.certificates = { error: err.code };
  }
}

/** Drops anything that could be personal or secret from the host status before reporting. */
function scrub(value) {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/pin|secret|password|token|subject|serial|idLast4|certificate$/i.test(k))
        .map(([k, v]) => [k, scrub(v)]),
    );
  }
  return value;
}

function renderReport() {
  report.generated = new Date().toISOString();
  $('report').value = JSON.stringify(report, null, 2);
}

async function refresh() {
  $('refresh').disabled = true;
  try {
    const hostUp = await loadOverview();
    if (hostUp) await loadCertificates();
    else {
      $('certificates').replaceChildren();
      $('certificates-state').textContent = '';
      report.certificates = null;
    }
  } catch (err) {
    setState($('host-state'), String(err?.message ?? err), false);
  } finally {
    $('refresh').disabled = false;
    renderReport();
  }
}

$('refresh').addEventListener('click', refresh);

$('self-test').addEventListener('click', async () => {
  const out = $('self-test-result');
  $('self-test').disabled = true;
  setState(out, t('working'), undefined);
  try {
    const r = await ask('self-test');
    const check = await verifyRawSignature(r);
    report.selfTest = { valid: check.valid, keyType: check.keyType, elapsedMs: r.elapsedMs };
    setState(out, check.valid ? t('selfTestPassed', [check.keyType, String(r.elapsedMs)]) : t('selfTestBadSignature'), check.valid);
  } catch (err) {
    report.selfTest = { error: err.code ?? String(err.message) };
    setState(out, `${t('selfTestFailed')}: ${errorText(err.code ?? err.message)}`, false);
  } finally {
    $('self-test').disabled = false;
    renderReport();
  }
});

$('copy-report').addEventListener('click', async () => {
  renderReport();
  try {
    await navigator.clipboard.writeText($('report').value);
    $('copy-report').textContent = t('copied');
  } catch {
    $('report').select();
  }
});

// Card inserted / removed while the page is open: refresh.
const events = api.runtime.connect({ name: 'options-events' });
events.onMessage.addListener((msg) => {
  if (msg?.type === 'host-event' && /^card-/.test(msg.event)) refresh();
});

refresh();
