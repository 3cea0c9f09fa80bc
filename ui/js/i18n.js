// Voter-facing strings in the current language, and ballot texts in the
// voter's language. The tables are in strings/<lang>.js.
import en from './strings/en.js';
import es from './strings/es.js';
import { state } from './state.js';

const TABLES = { en, es };

// A voter-facing string in the current language, with {name} filled in.
export function t(key, vars) {
  const table = TABLES[state.voter.language] || en;
  let s = table[key] !== undefined ? table[key] : en[key];
  if (s === undefined) s = key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
  return s;
}

// A definition text object {lang: text} in the ballot's language.
export function tr(textObj) {
  if (!textObj) return '';
  return textObj[state.voter.ballotLanguage] || textObj[state.voter.language] || textObj[Object.keys(textObj)[0]] || '';
}

// The plain-words message for an error from the shell.
export function errorText(err) {
  const key = 'err_' + (err && err.code);
  const table = TABLES[state.voter.language] || en;
  return table[key] || en[key] || (err && err.message) || t('err_generic');
}

// Switches the screens to `code` (English strings when it has no table)
// and the page direction to right-to-left or back.
export function setLanguage(code, rtl) {
  state.voter.language = TABLES[code] ? code : 'en';
  state.voter.ballotLanguage = code;
  document.documentElement.lang = code;
  document.documentElement.dir = rtl ? 'rtl' : 'ltr';
  document.getElementById('text-size').setAttribute('aria-label', t('text_size'));
  document.getElementById('contrast').setAttribute('aria-label', t('contrast'));
}

// Every string of the current language's table (the audio ballot warms
// its speech cache with them).
export function allStrings() {
  return Object.values(TABLES[state.voter.language] || en);
}
