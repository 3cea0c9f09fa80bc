// Officials: the hand count of the ballot cards in each box after close
// (test cards in test mode), one row per box (default one box "1"), and
// the station's reconciliation with the ballots cast: a difference is
// shown as a mismatch, reported and never adjusted. Used by the dashboard
// and the count screen.
import { el, alertBox } from './dom.js';
import { t, errorText } from './i18n.js';
import { api } from './api.js';
import { sessionEnded } from './session.js';

// The reconciliation in words.
function reconciled(r) {
  const d = r.difference > 0 ? '+' + r.difference : String(r.difference);
  return el('div#hc-result',
    el('p', { text: t('hc_result', { h: r.hand_count, c: r.cast, d }) }),
    r.difference === 0
      ? el('p.result.good#hc-match', { text: t('hc_match') })
      : el('p.result.bad#hc-mismatch', { role: 'alert', text: t('hc_mismatch') }));
}

export function handCountPanel(token, existing) {
  const rows = el('div.stack#hc-boxes');
  const error = alertBox('hc-error');
  const result = el('div', { 'aria-live': 'polite' }, existing ? reconciled(existing) : null);
  const addRow = (boxId, cards) => {
    const n = rows.children.length + 1;
    rows.append(el('div.inline.hc-row',
      el('label', { for: 'hc-box-' + n, text: t('hc_box') }),
      el('input.hc-box#hc-box-' + n, { type: 'text', maxlength: '16', value: boxId, autocomplete: 'off' }),
      el('label', { for: 'hc-cards-' + n, text: t('hc_cards') }),
      el('input.hc-cards#hc-cards-' + n, { type: 'number', min: '0', value: cards === undefined ? '' : String(cards) })));
  };
  const boxes = existing && existing.boxes.length ? existing.boxes : [{ box_id: '1' }];
  boxes.forEach((b) => addRow(b.box_id, b.cards));
  const save = el('button.primary#hc-save', {
    type: 'button',
    onclick: async () => {
      error.textContent = '';
      const entries = Array.from(rows.querySelectorAll('.hc-row')).map((row) => ({
        box_id: row.querySelector('.hc-box').value.trim(),
        cards: row.querySelector('.hc-cards').value.trim() === '' ? NaN : Number(row.querySelector('.hc-cards').value),
      }));
      if (entries.some((e) => !Number.isInteger(e.cards) || e.cards < 0 || e.box_id === '')) {
        error.textContent = t('hc_help');
        return;
      }
      try {
        result.replaceChildren(reconciled(await api.recordHandCount(token, entries)));
      } catch (err) {
        // The core names the box or number it refused (officials read it).
        if (!sessionEnded(err)) error.textContent = (err && err.message) || errorText(err);
      }
    },
  }, t('hc_save'));
  return el('section.panel#hand-count',
    el('h2', { text: t('hc_title') }),
    el('p', { text: t('hc_help') }),
    rows,
    el('div.inline',
      el('button.secondary#hc-add', { type: 'button', onclick: () => addRow('', undefined) }, t('hc_add')),
      save),
    error,
    result);
}

