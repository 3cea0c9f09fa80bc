// Officials: the count after close. K poll workers in turn scan their
// slip (a QR scanner types the `VKS2:…` text and Enter into the field) or
// type it, then type their PIN; the station rebuilds its closing key,
// unseals and counts. In test mode no slip is needed. Then the results
// report prints and the dashboard exports as before. Strings: the tables
// in strings/ (en, es), with the language buttons of the ballot's languages.
import { el, show, alertBox, messageOf } from '../dom.js';
import { t, errorText, setLanguage } from '../i18n.js';
import { api } from '../api.js';
import { go } from '../nav.js';
import { handCountPanel } from '../handcount.js';
import { sessionEnded } from '../session.js';
import { state } from '../state.js';

// The message for a refused count, in the screen's language.
function refusal(err) {
  if (err && err.code === 'wrong_pin') {
    const m = /slip (\d+)/.exec(err.message || '');
    return t('count_wrong_pin', { i: m ? m[1] : '?' });
  }
  return errorText(err);
}

export async function count() {
  const token = state.official.token;
  if (!token) return go('voter');
  let s, info;
  try {
    s = await api.stationStatus();
    info = s.mode === 'test' ? null : await api.closingKeyInfo(token);
  } catch (err) {
    if (!sessionEnded(err)) go('dashboard');
    return;
  }
  const test = s.mode === 'test';
  const k = info ? info.threshold : 0;
  const entries = [];
  for (let i = 1; i <= k; i += 1) entries.push({ i });
  render();

  function render() {
    const error = alertBox('count-error');
    const out = el('div#count-done', { 'aria-live': 'polite' });
    const langs = el('div.inline', { role: 'group', 'aria-label': 'Language / Idioma' },
      state.voter.context.languages.map((l) => el('button.secondary', {
        type: 'button', id: 'count-lang-' + l.code, lang: l.code,
        onclick: () => { keep(); setLanguage(l.code, l.rtl); render(); },
      }, l.name)));
    const blocks = entries.map((e) => {
      const slip = el('input#slip-' + e.i, {
        type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-label': t('count_slip_label'),
        placeholder: 'VKS2:…', value: e.payload || '',
        // A scanner ends with Enter: move on to the PIN, do not submit.
        onkeydown: (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); document.getElementById('pin-' + e.i).focus(); } },
      });
      const pin = el('input#pin-' + e.i, { type: 'password', inputmode: 'numeric', autocomplete: 'off', 'aria-label': t('count_pin') });
      return el('fieldset.panel',
        el('legend', { text: t('count_slip', { i: e.i }) }),
        el('label', { for: 'slip-' + e.i, text: t('count_slip_label') }), slip,
        el('label', { for: 'pin-' + e.i, text: t('count_pin') }), pin);
    });
    const submit = el('button.primary#count-submit', { type: 'submit' }, test ? t('count_test_submit') : t('count_submit'));
    show('count',
      el('h1', { text: t('count_title') }),
      langs,
      el('p', { text: test ? t('count_test_help') : t('count_help', { k }) }),
      info ? el('div', el('p', { text: t('count_holders') }),
        el('ul#count-holders', info.workers.map((w) => el('li', t('ck_holder', { i: w.index, n: info.slips, name: w.worker }))))) : null,
      el('form.stack', {
        onsubmit: async (ev) => {
          ev.preventDefault();
          error.textContent = '';
          keep();
          const slips = entries.map((e) => ({ payload: e.payload, pin: e.pin }));
          entries.forEach((e) => { e.pin = ''; });
          submit.disabled = true;
          submit.textContent = t('count_working');
          try {
            const r = await api.countBallots(token, slips);
            done(r);
          } catch (err) {
            if (sessionEnded(err)) return;
            submit.disabled = false;
            submit.textContent = test ? t('count_test_submit') : t('count_submit');
            error.textContent = refusal(err);
            entries.forEach((e) => { const p = document.getElementById('pin-' + e.i); if (p) p.value = ''; });
          } finally {
            slips.forEach((x) => { x.pin = ''; });
          }
        },
      }, blocks, error, el('div.actions',
        el('button.secondary#count-back', { type: 'button', onclick: () => go('dashboard') }, t('ck_back')),
        submit)),
      out);
  }

  // Reads the fields into the entries (kept across a language switch).
  function keep() {
    for (const e of entries) {
      const slip = document.getElementById('slip-' + e.i);
      const pin = document.getElementById('pin-' + e.i);
      if (slip) e.payload = slip.value.trim();
      if (pin) { e.pin = pin.value; pin.value = ''; }
    }
  }

  function done(r) {
    entries.length = 0;
    const printed = el('p#count-printed');
    // The poll workers enter the hand count of the cards in each box.
    const handCount = s.cards_enabled ? handCountPanel(token, s.hand_count) : null;
    show('count-done',
      el('h1', { text: t('count_title') }),
      el('p.result.good#count-result', { text: t('count_done', { n: r.ballots }) }),
      printed,
      handCount,
      el('div.actions',
        el('button.secondary#count-dashboard', { type: 'button', onclick: () => go('dashboard') }, t('ck_back')),
        el('button.primary#count-print', {
          type: 'button',
          onclick: async () => {
            try {
              const p = await api.printResultsReport(token);
              printed.textContent = t('count_printed', { outcome: p.outcome });
            } catch (err) { if (!sessionEnded(err)) printed.textContent = messageOf(err); }
          },
        }, t('count_print'))));
  }
}
