// Language of the portal pages: Traditional Chinese first, English on request. The choice is
// remembered in localStorage; elements name their text with data-i18n (textContent),
// data-i18n-alt, data-i18n-placeholder, data-i18n-aria-label, data-i18n-title.
import { STRINGS } from './strings.js';

const STORAGE_KEY = 'pkibridge.portal.lang';
const listeners = [];
let chosen = null; // this page's choice, also when storage is unavailable

export function lang() {
  if (chosen) return chosen;
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage disabled: the default language
  }
  return stored === 'en' ? 'en' : 'zh';
}

/** The text for `key` in the current language; {name} placeholders from `vars`. */
export function t(key, vars = {}) {
  const table = STRINGS[lang()];
  let text = table[key] ?? STRINGS.zh[key] ?? key;
  for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

export function has(key) {
  return key in STRINGS.zh;
}

const ATTRS = [
  ['i18nAlt', 'alt'],
  ['i18nPlaceholder', 'placeholder'],
  ['i18nAriaLabel', 'aria-label'],
  ['i18nTitle', 'title'],
];

/** Puts the current language's text into every element under `root` that names a key. */
export function applyI18n(root = document) {
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-Hant-TW';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const [data, attr] of ATTRS) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}]`;
    for (const el of root.querySelectorAll(selector)) el.setAttribute(attr, t(el.dataset[data]));
  }
}

export function setLang(value) {
  chosen = value === 'en' ? 'en' : 'zh';
  try {
    localStorage.setItem(STORAGE_KEY, value === 'en' ? 'en' : 'zh');
  } catch {
    // not remembered, but switched for this page
  }
  applyI18n();
  for (const fn of listeners) fn();
}

/** fn() runs after every language switch (for text the page renders itself). */
export function onLangChange(fn) {
  listeners.push(fn);
}
