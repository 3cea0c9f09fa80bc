// A question in a modal dialog (leaving a ballot, opening or closing the
// polls): the focus moves into it and stays there (js/input.js keeps Tab,
// the arrows and the switches inside any open .overlay) until it is
// answered; then it goes back where it was.
import { el } from './dom.js';

// Resolves true (ok) or false (cancel, or the Back key).
export function confirmDialog({ title, body, ok, cancel, danger }) {
  const before = document.activeElement;
  return new Promise((resolve) => {
    let box = null;
    const done = (answer) => {
      box.remove();
      if (before && before.isConnected) before.focus();
      resolve(answer);
    };
    const okButton = el('button#confirm-ok' + (danger ? '.danger' : '.primary'), { type: 'button', onclick: () => done(true) }, ok);
    const cancelButton = el('button.secondary#confirm-cancel', { type: 'button', 'data-back': true, onclick: () => done(false) }, cancel);
    box = el('div.overlay#confirm', { role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-body' },
      el('div.dialog',
        el('h2#confirm-title', { text: title }),
        el('div#confirm-body', (Array.isArray(body) ? body : [body]).map((line) => el('p', { text: line }))),
        el('div.actions', cancelButton, okButton)));
    document.body.append(box);
    // The safe answer has the focus first.
    cancelButton.focus();
  });
}
