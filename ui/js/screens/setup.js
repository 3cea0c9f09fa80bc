// Officials: create the election when no station file exists yet.
// Officials' screens are in English.
import { el, show, alertBox, field, messageOf } from '../dom.js';
import { api } from '../api.js';
import { go } from '../nav.js';

export function setup(info) {
  const error = alertBox('setup-error');
  show('setup',
    el('h1', { text: 'Create the election' }),
    el('p', { text: 'No election file exists at ' + info.station_path + '. Create it from an election definition (votekiosk/2 JSON) and the station id of this kiosk.' }),
    el('form.stack', {
      onsubmit: async (e) => {
        e.preventDefault();
        error.textContent = '';
        const v = (id) => document.getElementById(id).value;
        if (v('setup-pass') !== v('setup-pass2')) { error.textContent = 'The two passphrases differ.'; return; }
        try {
          await api.createElection(v('setup-def'), v('setup-station'), v('setup-pass'), v('setup-admin'), v('setup-admin-pw'));
          go('boot');
        } catch (err) { error.textContent = messageOf(err); }
      },
    },
    ...field('setup-def', 'Definition file (full path)', { autofocus: true }),
    ...field('setup-station', 'Station id (letters, digits, . _ -; e.g. LAKEVIEW-2-K1)'),
    ...field('setup-pass', 'New election passphrase (at least 12 characters)', { type: 'password' }),
    ...field('setup-pass2', 'Passphrase again', { type: 'password' }),
    ...field('setup-admin', 'First admin name', { value: 'admin' }),
    ...field('setup-admin-pw', 'Admin password (at least 10 characters)', { type: 'password' }),
    error,
    el('div.actions', el('button.primary#setup-create', { type: 'submit' }, 'Create election'))));
}
