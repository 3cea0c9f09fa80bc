// Writing in a name with the on-screen keyboard (or a real one).
import { el, show } from '../dom.js';
import { t, tr } from '../i18n.js';
import { choices, setChoices } from '../ballot.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function writeIn(i) {
  const c = state.voter.context.contests[i];
  const input = el('input#write-in-name', { type: 'text', maxlength: '60', autocomplete: 'off', autofocus: true });
  const done = () => {
    const name = input.value.trim().replace(/\s+/g, ' ');
    if (name) {
      const list = choices(c).filter((x) => x !== 'write-in:' + name);
      list.push('write-in:' + name);
      setChoices(c, list);
    }
    go('contest', i);
  };
  const key = (label, onclick, cls) => el('button.key' + (cls || ''), { type: 'button', onclick }, label);
  const rows = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM', 'ÁÉÍÓÚÑÜ'].map((r) => el('div.key-row',
    Array.from(r, (ch) => key(ch, () => { input.value += input.value && !/\s$/.test(input.value) ? ch.toLowerCase() : ch; input.focus(); }))));
  rows.push(el('div.key-row',
    key('-', () => { input.value += '-'; input.focus(); }),
    key('\'', () => { input.value += '\''; input.focus(); }),
    key(t('keyboard_space'), () => { input.value += ' '; input.focus(); }, '.wide'),
    key(t('keyboard_delete'), () => { input.value = input.value.slice(0, -1); input.focus(); }, '.wide')));
  show('write-in',
    el('h1', { text: t('write_in_title') }),
    el('p.lead', { text: tr(c.title) }),
    el('form.stack', { onsubmit: (e) => { e.preventDefault(); done(); } },
      el('label', { for: 'write-in-name', text: t('write_in_label') }),
      input,
      el('div.keyboard', { 'aria-label': t('write_in_title') }, rows),
      el('div.actions',
        el('button.secondary', { type: 'button', onclick: () => go('contest', i) }, t('cancel')),
        el('button.primary#write-in-done', { type: 'submit' }, t('keyboard_done')))));
}
