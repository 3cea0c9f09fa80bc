// About this kiosk (VVSG 2.0 software identification): the program's
// version, the source commit it was built from and the SHA-256 of the
// executable that is running, as the core computes it
// (`votekiosk::export::software`): the same values the zero and results
// reports print and the signed result records. Reached by officials from
// the dashboard, and before anyone logs in from the unlock and start-up
// problem screens, so an observer can compare the hash with the published
// one (docs/deployment.md) before the polls open. Not on the voter's
// screens: each control there is one more stop for switch scanning and
// screen readers, and nothing here serves a voter.
import { el, show, alertBox, messageOf } from '../dom.js';
import { api } from '../api.js';
import { go } from '../nav.js';

export async function about(back) {
  const error = alertBox('about-error');
  const row = (k, id, v) => el('div.stat', el('span.k', k), el('code.v#' + id, { text: v }));
  const facts = el('div.stats#about-facts', row('Program', 'about-name', '…'));
  show('about',
    el('h1', { text: 'About this kiosk' }),
    facts,
    el('p.note', { text: 'Compare the SHA-256 with the hash the election office published for this release and with the one on the zero report: the same value means the same program.' }),
    error,
    el('div.actions', el('button.primary#about-back', { type: 'button', onclick: () => go(back || 'boot') }, 'Back')));
  try {
    const s = await api.softwareInfo();
    facts.replaceChildren(
      row('Program', 'about-name', s.name),
      row('Version', 'about-version', s.version),
      row('Source commit', 'about-commit', s.commit),
      row('SHA-256 of the running program', 'about-sha256', s.binary_sha256),
      row('Built for', 'about-target', s.target));
  } catch (err) { error.textContent = messageOf(err); }
}
