// The voter types or scans a code (or taps it on the keypad of the code
// alphabet); the shell checks it before the ballot.
import { el, show, alertBox } from '../dom.js';
import { t, errorText } from '../i18n.js';
import { idleStart } from '../idle.js';
import { codeKeypad } from '../input.js';
import { api } from '../api.js';
import { newBallot } from '../ballot.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function code() {
  idleStart(() => go('welcome', { newVoter: true }));
  const input = el('input#code', {
    type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
    'aria-describedby': 'code-help code-error', autofocus: true, inputmode: 'text',
  });
  const error = alertBox('code-error');
  const submit = async (e) => {
    e.preventDefault();
    error.textContent = '';
    const code = input.value.trim();
    if (!code) return;
    try {
      await api.checkCode(code);
      input.value = '';
      state.voter.ballot = newBallot(code);
      go('contest', 0);
    } catch (err) {
      error.textContent = errorText(err);
      input.select();
    }
  };
  show('code',
    el('h1', { text: t('code_title') }),
    el('form.stack', { onsubmit: submit },
      el('label', { for: 'code', text: t('code_label') }),
      input,
      el('p.help#code-help', { text: t('code_help') }),
      error,
      codeKeypad(input, t('code_keypad')),
      el('div.actions.action-bar',
        el('button.secondary#code-cancel', { type: 'button', 'data-back': true, onclick: () => go('welcome') }, t('cancel')),
        el('button.primary#code-submit', { type: 'submit' }, t('continue')))));
}
