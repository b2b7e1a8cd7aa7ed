// Fills [data-i18n] elements (text) and [data-i18n-attr="attr:key,…"] attributes from
// _locales (Traditional Chinese first, English for other browser languages).
const api = globalThis.browser ?? globalThis.chrome;

export function t(key, substitutions) {
  return api.i18n.getMessage(key, substitutions) || key;
}

export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  document.documentElement.lang = t('langTag');
}

/** A host/extension error code as a sentence for people (falls back to the code). */
export function errorText(code) {
  const key = `error_${String(code).replace(/^ERR_/, '')}`;
  const text = api.i18n.getMessage(key);
  return text || String(code);
}
