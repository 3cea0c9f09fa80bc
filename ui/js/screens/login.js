// Officials: log in (reached from voter mode with Ctrl+Alt+P).
import { el, show, alertBox, field, messageOf } from '../dom.js';
import { setLanguage } from '../i18n.js';
import { idleStop } from '../idle.js';
import { api } from '../api.js';
import { go } from '../nav.js';
import { endSession, startSession } from '../session.js';

export function login() {
  idleStop();
  // A new login ends whatever session the kiosk had.
  endSession();
  api.logout().catch(() => {});
  setLanguage('en', false);
  const error = alertBox('login-error');
  show('login',
    el('h1', { text: 'Official login' }),
    el('form.stack', {
      onsubmit: async (e) => {
        e.preventDefault();
        error.textContent = '';
        try {
          startSession(await api.login(document.getElementById('username').value, document.getElementById('password').value));
          go('dashboard');
        } catch (err) { error.textContent = messageOf(err); }
      },
    },
    ...field('username', 'Name', { autofocus: true }),
    ...field('password', 'Password', { type: 'password' }),
    error,
    el('div.actions',
      el('button.secondary#login-cancel', { type: 'button', onclick: () => go('voter') }, 'Back to voting'),
      el('button.primary#login-submit', { type: 'submit' }, 'Log in'))));
}
