// Officials: unlock the station file with the election passphrase.
import { el, show, alertBox, field, messageOf } from '../dom.js';
import { api } from '../api.js';
import { go } from '../nav.js';

export function unlock(info) {
  const error = alertBox('unlock-error');
  const button = el('button.primary#unlock-submit', { type: 'submit' }, 'Unlock');
  show('unlock',
    el('h1', { text: 'Unlock the election file' }),
    el('p', { text: info.station_path }),
    info.demo ? el('p.note', { text: 'Demo election. Its published passphrase is: ' + info.demo_passphrase }) : null,
    el('form.stack', {
      onsubmit: async (e) => {
        e.preventDefault();
        error.textContent = '';
        button.disabled = true;
        button.textContent = 'Unlocking…';
        try {
          await api.unlockStation(document.getElementById('passphrase').value);
          go('boot');
        } catch (err) {
          error.textContent = messageOf(err);
          button.disabled = false;
          button.textContent = 'Unlock';
          document.getElementById('passphrase').select();
        }
      },
    },
    ...field('passphrase', 'Election passphrase', { type: 'password', autofocus: true }),
    error,
    el('div.actions', el('button.secondary#about-open', { type: 'button', onclick: () => go('about', 'boot') }, 'About this kiosk'), button)));
}
