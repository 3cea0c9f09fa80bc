// Writing in a name with the on-screen keyboard (or a real one). Each key
// keeps the focus (a switch or keypad voter goes on from the key they
// pressed) and the name so far is announced.
import { el, show } from '../dom.js';
import { announce } from '../events.js';
import { t, tr } from '../i18n.js';
import { choices, setChoices } from '../ballot.js';
import { go } from '../nav.js';
import { state } from '../state.js';

const LETTERS = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM', 'ÁÉÍÓÚÑÜ'];
// The letters of a language in another script, in its common keyboard
// layout, shown before the Latin rows when the voter reads that language
// (a name may be written in either script). Arabic: the rows of the usual
// Arabic keyboard, and the hamza and alif forms.
const SCRIPT_LETTERS = {
  ar: ['ضصثقفغعهخحجد', 'شسيبلاتنمكط', 'ئءؤرىةوزظذ', 'أإآ'],
};
const DIGITS = '1234567890';
const MAX = 60;

export function writeIn(i) {
  if (!state.voter.ballot) return go('welcome', { newVoter: true });
  const c = state.voter.context.contests[i];
  const input = el('input#write-in-name', { type: 'text', maxlength: String(MAX), autocomplete: 'off', autofocus: true });
  const done = () => {
    const name = input.value.trim().replace(/\s+/g, ' ');
    if (name) {
      let list = choices(c).filter((x) => x && x !== 'write-in:' + name);
      // Vote for 1: the written name replaces the choice, as the contest says.
      if (c.max_choices === 1) list = [];
      if (list.length < c.max_choices) list.push('write-in:' + name);
      setChoices(c, list);
    }
    go('contest', i);
  };
  // Shift: the next letter in the other case (a letter is a capital at the
  // start of a word, small after).
  let shift = false;
  const shiftKey = el('button.key.wide#key-shift', { type: 'button', 'aria-pressed': 'false', onclick: () => setShift(!shift) }, '⇧ ' + t('keyboard_shift'));
  function setShift(on) {
    shift = on;
    shiftKey.setAttribute('aria-pressed', String(on));
  }
  function typed(text) {
    if (input.value.length + text.length > MAX) return;
    input.value += text;
    announce(input.value || t('keyboard_empty'));
  }
  function letter(ch) {
    const start = !input.value || /[\s-]$/.test(input.value);
    const upper = start !== shift;
    setShift(false);
    typed(upper ? ch.toUpperCase() : ch.toLowerCase());
  }
  const key = (label, onclick, attrs) => el('button.key' + ((attrs && attrs.cls) || ''), Object.assign({ type: 'button', onclick }, (attrs && attrs.a) || {}), label);
  const rows = [el('div.key-row', Array.from(DIGITS, (d) => key(d, () => typed(d))))];
  const script = SCRIPT_LETTERS[state.voter.ballotLanguage] || [];
  for (const r of script.concat(LETTERS)) rows.push(el('div.key-row', Array.from(r, (ch) => key(ch, () => letter(ch), { a: { 'data-key': ch } }))));
  rows.push(el('div.key-row',
    shiftKey,
    key('.', () => typed('.'), { a: { 'aria-label': t('keyboard_period') } }),
    key('\'', () => typed('\''), { a: { 'aria-label': t('keyboard_apostrophe') } }),
    key('-', () => typed('-'), { a: { 'aria-label': t('keyboard_hyphen') } }),
    key(t('keyboard_space'), () => typed(' '), { cls: '.wide', a: { id: 'key-space' } }),
    key(t('keyboard_delete'), () => { input.value = input.value.slice(0, -1); announce(input.value || t('keyboard_empty')); }, { cls: '.wide', a: { id: 'key-delete' } })));
  show('write-in',
    el('h1', { text: t('write_in_title') }),
    el('p.lead', { text: tr(c.title) }),
    el('form.stack', { onsubmit: (e) => { e.preventDefault(); done(); } },
      el('label', { for: 'write-in-name', text: t('write_in_label') }),
      input,
      el('div.keyboard', { role: 'group', 'aria-label': t('write_in_title') }, rows),
      el('div.actions.action-bar',
        el('button.secondary#write-in-cancel', { type: 'button', 'data-back': true, onclick: () => go('contest', i) }, t('cancel')),
        el('button.primary#write-in-done', { type: 'submit' }, t('keyboard_done')))));
}
