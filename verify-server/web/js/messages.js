// Errors as people read them: what happened and what to do next, in the page's language.
// The code stays visible (for the help desk); the text comes from strings.js when we know
// the code, else from the server's own message.
import { formatTime } from './format.js';
import { has, lang, t } from './i18n.js';

export const MOICA_UNBLOCK_URL = 'https://moica.nat.gov.tw/unblockcard.html';

/** {text, link?: {href, label}} for an ApiError, a PKIBridge.Error or any Error. */
export function describeError(err) {
  const code = err?.code || 'unknown';
  const d = { ...(err?.details || {}) };
  const key = `err_${code}`;
  const vars = {
    triesLeft: d.triesLeft ?? d.attemptsLeft ?? '?',
    attemptsLeft: d.attemptsLeft ?? '?',
    lockedUntil: d.lockedUntil ? formatTime(d.lockedUntil) : '?',
    retryAfter: d.retryAfterSeconds ?? '?',
    field: d.field ? t(`field_${d.field}`) : '',
  };
  let text;
  if (has(key)) text = t(key, vars);
  else if (lang() === 'zh' && err?.messageZh) text = err.messageZh;
  else text = err?.message || t('err_unknown');
  const result = { text: `${text} (${code})` };
  if (code === 'ERR_PIN_BLOCKED' || code === 'pin-blocked') {
    result.link = { href: MOICA_UNBLOCK_URL, label: t('linkUnblock') };
  }
  return result;
}

/** Shows a message in a live region (role=alert/status in the HTML); empty text hides it. */
export function showMessage(region, text, link) {
  region.replaceChildren();
  if (!text) return;
  region.append(document.createTextNode(text));
  if (link) {
    const a = document.createElement('a');
    a.href = link.href;
    a.rel = 'noopener noreferrer';
    a.textContent = link.label;
    region.append(' ', a);
  }
}

export function showError(region, err) {
  const { text, link } = describeError(err);
  showMessage(region, text, link);
}
