// Strings of a page in the user's language (`static/i18n/<page>.<lang>.json`), else the
// browser's (en or fr).
//
//   await loadStrings('agent', user.language);
//   t('incoming.title', { number: '+33...' });   // "{number}" placeholders
//   translatePage();                              // fills [data-i18n] elements

export const LANGUAGES = ['en', 'fr'];
let strings = {};
let fallback = {};
let language = 'en';

function pick(preferred) {
  for (const candidate of [preferred, navigator.language]) {
    const short = (candidate || '').slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(short)) return short;
  }
  return 'en';
}

async function fetchStrings(page, lang) {
  const response = await fetch(`/static/i18n/${page}.${lang}.json`);
  return response.ok ? response.json() : {};
}

/** Loads the common strings and the page's, in the chosen language (English fills gaps). */
export async function loadStrings(page, preferred) {
  language = pick(preferred);
  document.documentElement.lang = language;
  const [common, own, commonEn, ownEn] = await Promise.all([
    fetchStrings('common', language),
    fetchStrings(page, language),
    language === 'en' ? {} : fetchStrings('common', 'en'),
    language === 'en' ? {} : fetchStrings(page, 'en'),
  ]);
  strings = { ...common, ...own };
  fallback = { ...commonEn, ...ownEn };
  return language;
}

export function currentLanguage() {
  return language;
}

/** The string for `key` with `{name}` replaced by `vars.name`; the key itself when unknown. */
export function t(key, vars = {}) {
  const text = strings[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * Fills `[data-i18n]` elements' text, and `[data-i18n-label]`/`[data-i18n-placeholder]`/
 * `[data-i18n-title]` attributes, under `root`.
 */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.dataset.i18nTitle));
}

/** A date/time in the page's language. */
export function formatTime(ms, options = { hour: '2-digit', minute: '2-digit' }) {
  return new Intl.DateTimeFormat(language, options).format(new Date(ms));
}

/** `m:ss` (or `h:mm:ss`) of a duration in milliseconds. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
