// Start-up problems, for the poll worker who switched the kiosk on: a
// station file that is missing (kiosk mode) or cannot be read, and, right
// after the unlock, a printer that is not fit for the election's receipts
// and codes. Each says what is wrong and what to do, and offers to check
// again: the app never exits over them, so the kiosk session never loops.
// Officials' screens are in English.
import { el, show } from '../dom.js';
import { api } from '../api.js';
import { go } from '../nav.js';

export function bootProblem(info) {
  const p = info.problem;
  const title = p.code === 'station_missing' ? 'No election file' : 'The election file cannot be opened';
  show('boot-problem',
    el('h1', { text: title }),
    el('p.alert#boot-problem-message', { role: 'alert', text: p.message }),
    el('p', el('span', { text: 'Where the kiosk looks: ' }), el('code#boot-problem-path', { text: p.path })),
    el('h2', { text: 'What to do' }),
    el('p#boot-problem-todo', { text: p.what_to_do }),
    el('div.actions',
      el('button.secondary#about-open', { type: 'button', onclick: () => go('about', 'boot') }, 'About this kiosk'),
      el('button.primary#boot-retry', { type: 'button', onclick: () => go('boot') }, 'Check again')));
}

export function printerNotice(notice) {
  const again = el('button.secondary#printer-retry', {
    type: 'button',
    onclick: async () => {
      let fresh = null;
      try { fresh = await api.printerStatus(); } catch (_) { fresh = notice; }
      if (fresh) printerNotice(fresh); else go('voter');
    },
  }, 'Check again');
  show('printer-problem',
    el('h1', { text: 'The printer is not ready' }),
    el('p.alert', { role: 'alert', text: 'Voters get their receipt (and voter codes their slips) on paper from ' + notice.printer + ', which cannot take them now:' }),
    el('ul#printer-problems', notice.problems.map((text) => el('li', { text }))),
    el('h2', { text: 'What to do' }),
    el('p#printer-todo', { text: 'Check that the printer is switched on, has paper and is plugged in, then press Check again. If a problem names a command, an election official with the administrator password runs it (docs/printing.md). Until it is fixed, a ballot cast on this kiosk gets no receipt.' }),
    el('div.actions', again,
      el('button.primary#printer-continue', { type: 'button', onclick: () => go('voter') }, 'Continue without a ready printer')));
}
