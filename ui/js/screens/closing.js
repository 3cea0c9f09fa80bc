// Officials: making the station's closing key (admins, before the polls
// open). Name the poll workers and K; each worker in turn types a PIN
// twice; the core makes the key and prints one slip per worker; the last
// step says who holds which share. The PINs stay in this screen's memory
// only until the shell has them. Strings: the tables in strings/ (en, es).
import { el, show, alertBox, messageOf } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { go } from '../nav.js';
import { sessionEnded } from '../session.js';
import { state } from '../state.js';

// The core's MIN_PIN_DIGITS (it refuses shorter PINs too): checked here
// only so that a worker hears of a short PIN before the others type theirs.
const MIN_PIN = 8;

export function closing(message) {
  if (!state.official.token) return go('voter');
  const error = alertBox('ck-error');
  error.textContent = message || '';
  const workers = el('input#ck-workers', { type: 'text', autocomplete: 'off', autofocus: true });
  const threshold = el('input#ck-threshold', { type: 'number', min: '2', max: '9', value: '2' });
  show('closing',
    el('h1', { text: t('ck_title') }),
    el('p', { text: t('ck_help', { min: MIN_PIN }) }),
    el('form.stack', {
      onsubmit: (e) => {
        e.preventDefault();
        const names = workers.value.split(',').map((s) => s.trim()).filter(Boolean);
        askPin(names, parseInt(threshold.value, 10) || 0, []);
      },
    },
    el('label', { for: 'ck-workers', text: t('ck_workers') }), workers,
    el('label', { for: 'ck-threshold', text: t('ck_threshold') }), threshold,
    error,
    el('div.actions',
      el('button.secondary#ck-cancel', { type: 'button', onclick: () => go('dashboard') }, t('ck_back')),
      el('button.primary#ck-next', { type: 'submit' }, t('ck_next')))));
}

// Worker number pins.length types their PIN twice; then the next, then the key.
function askPin(names, threshold, pins) {
  if (pins.length === names.length) return make(names, threshold, pins);
  const name = names[pins.length];
  const error = alertBox('ck-error');
  const pin = el('input#ck-pin', { type: 'password', inputmode: 'numeric', autocomplete: 'off', autofocus: true });
  const again = el('input#ck-pin2', { type: 'password', inputmode: 'numeric', autocomplete: 'off' });
  show('closing-pin',
    el('h1', { text: t('ck_pin_title', { name }) }),
    el('p', { text: t('ck_pin_help', { min: MIN_PIN }) }),
    el('form.stack', {
      onsubmit: (e) => {
        e.preventDefault();
        if (!new RegExp('^[0-9]{' + MIN_PIN + ',}$').test(pin.value)) { error.textContent = t('ck_pin_short', { min: MIN_PIN }); return; }
        if (pin.value !== again.value) { error.textContent = t('ck_pin_differ'); pin.value = again.value = ''; pin.focus(); return; }
        const typed = pin.value;
        pin.value = again.value = '';
        askPin(names, threshold, pins.concat([typed]));
      },
    },
    el('label', { for: 'ck-pin', text: t('ck_pin') }), pin,
    el('label', { for: 'ck-pin2', text: t('ck_pin_again') }), again,
    error,
    el('div.actions',
      el('button.secondary#ck-cancel', { type: 'button', onclick: () => { pins.fill(''); go('dashboard'); } }, t('ck_back')),
      el('button.primary#ck-pin-next', { type: 'submit' }, t('ck_next')))));
}

async function make(names, threshold, pins) {
  show('closing-making', el('h1', { text: t('ck_title') }), el('p.progress', { text: t('ck_making') }));
  const workers = names.map((name, i) => ({ name, pin: pins[i] }));
  let info;
  try {
    info = await api.makeClosingKey(state.official.token, workers, threshold);
  } catch (err) {
    if (sessionEnded(err)) return;
    return closing(messageOf(err));
  } finally {
    pins.fill('');
    workers.forEach((w) => { w.pin = ''; });
  }
  holders(info);
}

// Who holds which share.
function holders(info) {
  show('closing-done',
    el('h1', { text: t('ck_title') }),
    el('p', { text: t('ck_made', { k: info.threshold, n: info.slips }) }),
    el('ul#ck-holders', info.workers.map((w) => el('li', t('ck_holder', { i: w.index, n: info.slips, name: w.worker })))),
    el('p#ck-fingerprint', { text: t('ck_fingerprint', { f: info.fingerprint }) }),
    el('p', { text: t('ck_keep') }),
    el('div.actions', el('button.primary#ck-done', { type: 'button', onclick: () => go('dashboard') }, t('ck_back'))));
}
