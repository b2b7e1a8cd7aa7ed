// Dates and small text helpers for the pages. Times are shown in the portal's time zone.
import { lang, t } from './i18n.js';

const ZONE = 'Asia/Taipei';

/** "2025/01/31 20:05:00" (Asia/Taipei) for an RFC 3339 string; a dash when absent. */
export function formatTime(value) {
  if (!value) return t('never');
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'zh-TW', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(d);
}

export function statusLabel(status) {
  return status ? t(`status_${status}`) : '';
}

/** An element with text (never HTML). */
export function el(tag, { text, cls, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c) node.append(c);
  return node;
}

/** Disables a button while `work` runs (no double submits), then restores it. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A catalogue entry's names in the page's language (the catalogue has both). */
export function systemNames(s) {
  const en = lang() === 'en';
  return {
    subsystem: (en && s.subsystemNameEn) || s.subsystemName || '',
    category: (en && s.categoryEn) || s.category || '',
  };
}
