// Voter-facing strings in the current language, and ballot texts in the
// voter's language. The tables are in strings/<lang>.js; each has exactly
// the English keys (a contract test checks), so a language with a table
// never falls back to English key by key.
//
// A string that depends on a count is an object of CLDR plural forms
// ({ one: '…', other: '…' }; Arabic uses zero, one, two, few, many,
// other): t(key, { n }) and plural(key, n) pick the form with
// Intl.PluralRules for the current language.
import ar from './strings/ar.js';
import en from './strings/en.js';
import es from './strings/es.js';
import { emit, onVoterReset } from './events.js';
import { state } from './state.js';

const TABLES = { en, es, ar };

// Fired (on document) after the language changed; the display tools relabel.
export const LANGUAGE_EVENT = 'vk:language';

function lang() {
  return TABLES[state.voter.language] ? state.voter.language : 'en';
}

const rulesCache = new Map();
function pluralRules(code) {
  if (!rulesCache.has(code)) rulesCache.set(code, new Intl.PluralRules(code));
  return rulesCache.get(code);
}

// The form of `entry` (a string, or an object of plural forms) for `count`.
function form(entry, count, code) {
  if (entry === null || typeof entry !== 'object') return entry;
  const n = Number(count);
  const category = Number.isFinite(n) ? pluralRules(code).select(n) : 'other';
  return entry[category] !== undefined ? entry[category] : entry.other;
}

function fill(s, vars) {
  for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
  return s;
}

// A voter-facing string in the current language, with {name} filled in.
// A plural string takes its form from vars.n (or vars.count).
export function t(key, vars) {
  const code = lang();
  const table = TABLES[code];
  const entry = table[key] !== undefined ? table[key] : en[key];
  if (entry === undefined) return key;
  const count = vars && (vars.n !== undefined ? vars.n : vars.count);
  return fill(String(form(entry, count, code)), vars);
}

// The string `key` for a count of `n` (its plural form in the current
// language), with {n} and the other `vars` filled in.
export function plural(key, n, vars) {
  return t(key, Object.assign({}, vars || {}, { n, count: n }));
}

// A date ('2026-11-03', an ISO timestamp or a Date) in the voter's locale:
// the day alone for a calendar date, the day and time for a timestamp.
export function formatDate(value, options) {
  if (value === null || value === undefined || value === '') return '';
  const dayOnly = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = value instanceof Date ? value
    : dayOnly ? new Date(value + 'T12:00:00Z') : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const opts = Object.assign(
    dayOnly ? { dateStyle: 'long', timeZone: 'UTC' } : { dateStyle: 'long', timeStyle: 'short' },
    options || {});
  return new Intl.DateTimeFormat(lang(), opts).format(date);
}

// A definition text object {lang: text} in the ballot's language.
export function tr(textObj) {
  if (!textObj) return '';
  return textObj[state.voter.ballotLanguage] || textObj[state.voter.language] || textObj[Object.keys(textObj)[0]] || '';
}

// The plain-words message for an error from the shell.
export function errorText(err) {
  const key = 'err_' + (err && err.code);
  const table = TABLES[lang()];
  const entry = table[key] !== undefined ? table[key] : en[key];
  return (entry !== undefined ? String(form(entry, undefined, lang())) : '') || (err && err.message) || t('err_generic');
}

// Whether the screens' own strings exist in `code`.
export function hasTable(code) {
  return Object.prototype.hasOwnProperty.call(TABLES, code);
}

// Switches the screens to `code` (English strings when it has no table)
// and the page direction to right-to-left or back.
export function setLanguage(code, rtl) {
  state.voter.language = TABLES[code] ? code : 'en';
  state.voter.ballotLanguage = code;
  document.documentElement.lang = code;
  document.documentElement.dir = rtl ? 'rtl' : 'ltr';
  emit(LANGUAGE_EVENT, { code, rtl: !!rtl });
}

// The language the welcome screen starts in (the station's setting).
export function defaultLanguage() {
  const ctx = state.voter.context;
  if (!ctx || !ctx.languages || !ctx.languages.length) return null;
  return ctx.languages.find((l) => l.code === ctx.default_language) || ctx.languages[0];
}

// Every new voter starts in the station's default language.
onVoterReset(() => {
  const l = defaultLanguage();
  if (l) setLanguage(l.code, l.rtl);
});

// Every string of the current language's table (the audio ballot warms
// its speech cache with them).
export function allStrings() {
  return Object.values(TABLES[state.voter.language] || en);
}
