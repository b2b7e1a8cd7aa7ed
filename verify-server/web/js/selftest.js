// Signature self-test: the card signs a text (page API sign, attached CMS), the server
// verifies it (POST /api/v1/verify) and every check of its report is shown pass / fail with
// the reason. No session needed.
import { api } from './api.js';
import { busy, el, formatTime } from './format.js';
import { lang, onLangChange, t } from './i18n.js';
import { initPage } from './layout.js';
import { showError, showMessage } from './messages.js';
import { signText } from './card.js';

const $ = (id) => document.getElementById(id);

// Which verification reason codes (docs/verification.md) belong to which check.
const STAGES = [
  { id: 'signature', reasons: ['malformed', 'no-signer', 'signature-invalid', 'signer-mismatch', 'unsupported-algorithm', 'content-missing', 'certificate-mismatch'] },
  { id: 'content', reasons: ['content-mismatch'] },
  { id: 'path', reasons: ['untrusted', 'cert-signature-invalid', 'invalid-ca', 'invalid-certificate', 'name-constraints', 'path-too-long', 'policy-violation'] },
  { id: 'revocation', reasons: ['revoked', 'crl-missing', 'crl-stale', 'crl-invalid'] },
  { id: 'validity', reasons: ['expired', 'not-yet-valid'] },
  { id: 'keyUsage', reasons: ['bad-key-usage', 'bad-eku'] },
];

let last = null; // { text, report } for re-rendering after a language switch

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

function fromBase64Utf8(b64) {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

function revocationDetail(report) {
  const r = report.revocation || {};
  // path.revocation: {revokedAt, reason, serial, subject, crlIssuer} when a CRL lists it.
  const revoked = report.path?.revocation || null;
  const parts = [t('st_revocationStatus', { status: r.status || (revoked ? 'revoked' : '—') })];
  if (revoked) {
    parts.push(t('st_revokedAt', { at: formatTime(revoked.revokedAt), reason: revoked.reason || '—' }));
  }
  const crl = (r.crls || [])[0];
  if (crl) parts.push(t('st_crl', { issuer: crl.issuer || '', thisUpdate: formatTime(crl.thisUpdate), nextUpdate: formatTime(crl.nextUpdate) }));
  return parts.join(' · ');
}

/** The checks to show: [{id, pass: true|false|null, detail}]. */
function checksOf(text, report) {
  const reason = report.reason || (report.valid ? 'valid' : 'unknown');
  const failedStage = STAGES.find((s) => s.reasons.includes(reason))?.id;
  const signer = report.signer || {};
  const sa = report.signedAttributes || {};
  const checks = [];
  const add = (id, pass, detail) => checks.push({ id, pass, detail });

  add('structure', true, t('st_structure', { type: report.contentType || '—', signers: report.signerCount ?? '—', digest: report.digestAlgorithm || '—', alg: report.signatureAlgorithm || '—' }));
  const sigFailed = failedStage === 'signature';
  add('signature', !sigFailed, sigFailed ? report.message || reason : t('st_signatureOk'));
  // Nothing below was checked when the signature itself failed.
  const unchecked = sigFailed ? null : undefined;

  const embedded = report.content ? fromBase64Utf8(report.content) : null;
  const sameText = embedded !== null ? embedded === text : report.contentSize === utf8Length(text);
  add('content', unchecked ?? (failedStage !== 'content' && sameText),
    t('st_content', { size: report.contentSize ?? '—', expected: utf8Length(text) }));
  add('signedAttributes', unchecked ?? !!sa.present,
    sa.present ? t('st_signedAttributes', { time: formatTime(sa.signingTime), v2: sa.signingCertificateV2 ? '✓' : '✗' }) : t('st_noSignedAttributes'));
  const chain = (report.path?.chain || []).map((c) => c.subject || c.commonName || '').filter(Boolean);
  add('path', unchecked ?? failedStage !== 'path',
    failedStage === 'path' ? `${reason}: ${report.message || ''}` : t('st_path', { chain: chain.join(' → ') || '—' }));
  const revFailed = failedStage === 'revocation' || report.revocation?.status === 'revoked';
  add('revocation', unchecked ?? (!revFailed && report.revocation?.status !== 'unknown' ? true : revFailed ? false : null),
    (revFailed ? `${reason}: ${report.message || ''} · ` : '') + revocationDetail(report));
  const at = new Date(report.verifiedAt || Date.now());
  const inDates = (!signer.notBefore || new Date(signer.notBefore) <= at) && (!signer.notAfter || at <= new Date(signer.notAfter));
  add('validity', unchecked ?? (failedStage !== 'validity' && inDates),
    t('st_validity', { from: formatTime(signer.notBefore), to: formatTime(signer.notAfter) }));
  const usage = signer.keyUsage || [];
  const usable = usage.includes('digitalSignature') || usage.includes('nonRepudiation');
  add('keyUsage', unchecked ?? (failedStage !== 'keyUsage' && (usable || !usage.length)), usage.join(', ') || '—');
  return checks;
}

function render() {
  if (!last) return;
  const { text, report } = last;
  const overall = $('overall');
  overall.className = `message ${report.valid ? 'ok' : 'error'}`;
  overall.dataset.valid = String(!!report.valid);
  overall.textContent = report.valid
    ? t('st_overallValid')
    : t('st_overallInvalid', { reason: report.reason, message: (lang() === 'zh' && report.messageZh) || report.message || '' });
  const list = $('checks');
  list.replaceChildren();
  for (const c of checksOf(text, report)) {
    const state = c.pass === true ? 'pass' : c.pass === false ? 'fail' : 'skip';
    const mark = { pass: '✓', fail: '✗', skip: '–' }[state];
    list.append(el('li', { cls: state, attrs: { 'data-check': c.id, 'data-state': state } }, [
      el('span', { cls: 'check-mark', text: mark, attrs: { 'aria-hidden': 'true' } }),
      el('span', {}, [
        el('span', { cls: 'check-name', text: `${t(`check_${c.id}`)} — ${t(`state_${state}`)}` }),
        el('span', { cls: 'check-detail', text: c.detail || '' }),
      ]),
    ]));
  }
  const signer = report.signer || {};
  const facts = [
    ['certSubject', signer.subject], ['certIssuer', signer.issuer], ['certSerial', signer.serial],
    ['certNotAfter', formatTime(signer.notAfter)], ['certFingerprint', signer.sha256],
  ];
  $('signer').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', { cls: k === 'certFingerprint' ? 'mono' : '', text: v || '—' })]));
}

async function run(event) {
  event.preventDefault();
  const text = $('selftest-text').value;
  const status = $('selftest-status');
  const error = $('selftest-error');
  showMessage(error, '');
  if (!text.trim()) {
    showMessage(error, t('errFillIn', { field: t('selftestTextLabel') }));
    $('selftest-text').focus();
    return;
  }
  $('result').hidden = true;
  try {
    showMessage(status, t('st_signing'));
    const signed = await signText(text);
    showMessage(status, t('st_verifying'));
    const report = await api('/api/v1/verify', { body: { pkcs7: signed.pkcs7, includeContent: true } });
    last = { text, report };
    showMessage(status, '');
    render();
    $('result').hidden = false;
    $('result').focus();
    document.body.dataset.result = report.valid ? 'valid' : 'invalid';
  } catch (err) {
    showMessage(status, '');
    showError(error, err);
    document.body.dataset.result = 'error';
  }
}

async function main() {
  await initPage();
  $('selftest-text').value = t('st_defaultText');
  onLangChange(render);
  $('selftest-form').addEventListener('submit', (e) => busy($('selftest-run'), () => run(e)));
  document.body.dataset.loaded = 'true';
}

main();
