// The receipt after a cast: its id and QR code, and whether the slip printed.
import { el, show } from '../dom.js';
import { t } from '../i18n.js';
import { idleStart } from '../idle.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function receipt(r) {
  const ctx = state.voter.context;
  state.voter.ballot = null;
  const qr = new DOMParser().parseFromString(r.qr_svg, 'image/svg+xml').documentElement;
  idleStart(() => go('welcome', { newVoter: true }));
  show('receipt',
    el('h1', { text: t('receipt_title') }),
    r.test ? el('p.test-note', { text: t('test_ballot') }) : null,
    el('div.receipt-box',
      el('div.qr', { role: 'img', 'aria-label': t('receipt_id') + ' QR' }, qr),
      el('div',
        el('p.label', { text: t('receipt_id') }),
        el('p.receipt-id#receipt-id', { text: r.receipt }),
        el('p.small', { text: ctx.station_id + ' · ' + ctx.definition_short }))),
    el('p', { text: t('receipt_help') }),
    ctx.cards && ctx.cards.enabled ? el('p.result#receipt-card', { text: t('receipt_card') }) : null,
    r.print_error ? el('p.alert#print-status', { role: 'alert', text: t('print_failed') }) : el('p.small#print-status', { text: t('print_ok') }),
    el('div.actions.action-bar', el('button.primary.big#receipt-done', { type: 'button', onclick: () => go('welcome', { newVoter: true }) }, t('done'))));
}
