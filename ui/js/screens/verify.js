// Anyone checks a receipt: recorded here, a test receipt, or not found;
// after an export, also whether it is in the signed result. The receipt
// is typed, scanned, or tapped on the keypad of the code alphabet.
import { el, show } from '../dom.js';
import { t, errorText } from '../i18n.js';
import { idleStart } from '../idle.js';
import { codeKeypad } from '../input.js';
import { api } from '../api.js';
import { go } from '../nav.js';

export function verify() {
  idleStart(() => go('welcome', { newVoter: true }));
  const input = el('input#receipt-input', { type: 'text', autocomplete: 'off', spellcheck: 'false', autofocus: true, 'aria-describedby': 'verify-help' });
  const result = el('p.result#verify-result', { role: 'status', 'aria-live': 'polite' });
  show('verify',
    el('h1', { text: t('verify_title') }),
    el('form.stack', {
      onsubmit: async (e) => {
        e.preventDefault();
        result.className = 'result';
        try {
          const r = await api.checkReceipt(input.value);
          result.textContent = r.recorded ? (r.test ? t('verify_test') : t('verify_recorded')) : t('verify_not_found');
          if (r.in_signed_result === true) result.textContent += ' ' + t('verify_in_result');
          if (r.in_signed_result === false) result.textContent += ' ' + t('verify_not_in_result');
          result.classList.add(r.recorded ? 'good' : 'bad');
        } catch (err) {
          result.textContent = errorText(err);
          result.classList.add('bad');
        }
        input.select();
      },
    },
    el('label', { for: 'receipt-input', text: t('verify_label') }),
    input,
    el('p.help#verify-help', { text: t('verify_help') }),
    result,
    codeKeypad(input, t('receipt_keypad')),
    el('div.actions.action-bar',
      el('button.secondary#verify-back', { type: 'button', 'data-back': true, onclick: () => go('welcome') }, t('back')),
      el('button.primary#verify-submit', { type: 'submit' }, t('verify_check')))));
}
