// Officials: the dashboard (polls, codes, unlock, turnout, printing, the
// signed result, the audit log) and, for admins, the admin panel. What it
// offers comes from the status: the actions the core allows in this mode
// and the bounds of each input. Every command carries the session token;
// issuing codes and closing the polls ask for the password again.
import { el, show, alertBox, messageOf } from '../dom.js';
import { api } from '../api.js';
import { go } from '../nav.js';
import { askPassword, sessionEnded } from '../session.js';
import { t } from '../i18n.js';
import { handCountPanel } from '../handcount.js';
import { confirmDialog } from '../dialog.js';
import { setMode } from '../status.js';
import { state } from '../state.js';
import { setDisplay } from '../kiosk.js';

// The lifecycle buttons, in order: [action, label, id, class].
const LIFECYCLE = [
  ['enter_test_mode', 'Enter test mode', 'polls-test', '.secondary'],
  ['open_polls', 'Open the polls', 'polls-open', '.primary'],
  ['pause_polls', 'Pause the polls', 'polls-pause', '.secondary'],
  ['resume_polls', 'Resume the polls', 'polls-resume', '.primary'],
  ['close_polls', 'Close the polls', 'polls-close', '.danger'],
];

function statusTable(s) {
  const row = (k, v, id) => el('div.stat', el('span.k', k), el('span.v' + (id ? '#' + id : ''), String(v)));
  return el('div.stats#status',
    row('Mode', s.mode.toUpperCase(), 'stat-mode'),
    row('Ballots cast', s.mode === 'test' ? s.test_ballots + ' (test)' : s.ballots, 'stat-ballots'),
    row('Codes issued', s.mode === 'test' ? s.test_codes.issued : s.codes.issued, 'stat-issued'),
    row('Codes used', s.mode === 'test' ? s.test_codes.used : s.codes.used, 'stat-used'),
    row('Voting', s.voting_locked ? 'LOCKED (invalid codes)' : 'not locked', 'stat-locked'),
    ...(s.cards_enabled ? cardRows(s, row) : []),
    row('Station', s.station_id),
    row('Definition', s.definition_hash.slice(0, 16) + '…'),
    ...(s.storage_alert ? [row('Storage', 'ALERT: ' + s.storage_alert, 'stat-storage')] : []));
}

// Ballot cards: printed, cast, spoiled (abandoned among them), and the
// hand count against the ballots cast once entered.
function cardRows(s, row) {
  const c = s.mode === 'test' ? s.test_cards : s.cards;
  const test = s.mode === 'test' ? ' (test)' : '';
  const rows = [
    row('Cards printed', c.printed + test, 'stat-cards-printed'),
    row('Cards cast', c.cast + test, 'stat-cards-cast'),
    row('Cards spoiled', c.spoiled + (c.abandoned ? ' (' + c.abandoned + ' abandoned)' : '') + test, 'stat-cards-spoiled'),
  ];
  if (s.hand_count) {
    const h = s.hand_count;
    rows.push(row('Hand count', h.hand_count + ' cards, difference ' + (h.difference > 0 ? '+' : '') + h.difference
      + (h.difference === 0 ? '' : ' (MISMATCH: reported, not adjusted)'), 'stat-hand-count'));
  }
  return rows;
}

export async function dashboard() {
  const me = state.official.me;
  const token = state.official.token;
  if (!me || !token) return go('voter');
  const out = el('div.output#dash-output', { 'aria-live': 'polite' });
  const error = alertBox('dash-error');
  let s;
  try { s = await api.stationStatus(); } catch (err) { error.textContent = messageOf(err); return; }
  setMode(s.mode);
  const allowed = new Map(s.actions.map((a) => [a.name, a]));
  const can = (name) => allowed.has(name) && (!allowed.get(name).admin_only || me.role === 'admin');
  const act = (label, id, fn, cls) => el('button' + (cls || '.secondary') + '#' + id, {
    type: 'button',
    onclick: async () => {
      error.textContent = '';
      try { await fn(); } catch (err) { if (!sessionEnded(err)) error.textContent = messageOf(err); }
    },
  }, label);

  const buttons = LIFECYCLE.filter(([action]) => can(action)).map(([action, label, id, cls]) =>
    act(label, id, async () => {
      let password = null;
      // Opening for real deletes the test ballots; closing is final: both
      // ask first, with the counts they concern.
      // (The counts as they are now, not as when the dashboard was drawn.)
      if (action === 'open_polls' && !(await confirmOpen(await api.stationStatus()))) return;
      if (action === 'close_polls') {
        if (!(await confirmClose(await api.stationStatus()))) return;
        password = await askPassword('Close the polls: type your password');
        if (password === null) return;
      }
      await api.changePolls(token, action, password);
      // After close, the poll workers count with their slips.
      if (action === 'close_polls') go('count'); else dashboard();
    }, cls));
  if (can('count_ballots')) buttons.push(act(s.mode === 'test' ? 'Count the test ballots' : 'Count the ballots', 'count-ballots', async () => go('count'), '.primary'));
  if (s.voting_locked) buttons.push(act('Unlock voting', 'unlock-voting', async () => { await api.unlockVoting(token); dashboard(); }, '.primary'));

  const count = el('input#code-count', { type: 'number', min: '1', max: String(s.limits.max_codes_per_batch), value: '10', 'aria-label': 'How many codes' });
  const printSlips = el('input#print-slips', { type: 'checkbox' });
  // The language a slip is printed in: one of the election's, the first by
  // default (the official hands a slip to a voter who reads it).
  const languagePicker = (id, label) => {
    const langs = (state.voter.context && state.voter.context.languages) || [];
    return el('label', label + ' ', el('select#' + id, langs.map((l) => el('option', { value: l.code, lang: l.code }, l.name))));
  };
  const slipLanguage = languagePicker('slip-language', 'Slip language');
  const pickedLanguage = (id) => { const p = document.getElementById(id); return p ? p.value : null; };
  const codes = can('issue_codes') ? el('section.panel',
    el('h2', { text: 'Voter codes' }),
    el('div.inline', count, act('Issue codes', 'issue-codes', async () => {
      const password = await askPassword('Issue codes: type your password');
      if (password === null) return;
      const r = await api.issueCodes(token, password, parseInt(count.value, 10) || 0, printSlips.checked, pickedLanguage('slip-language'));
      out.replaceChildren(el('h3', { text: 'Batch ' + r.batch + (r.test ? ' (TEST codes)' : '') + ': hand one code to each voter' }),
        r.printed ? el('p#codes-printed', { text: 'Slips ' + r.printed + '.' }) : null,
        el('ol.codes#issued-codes', r.codes.map((c) => el('li', el('code', c)))));
    }), el('label', printSlips, ' Print the slips'), slipLanguage),
    can('revoke_code') ? el('div.inline', el('input#revoke-input', { type: 'text', 'aria-label': 'Code to revoke', placeholder: 'Code to revoke' }),
      act('Revoke', 'revoke-code', async () => {
        await api.revokeCode(token, document.getElementById('revoke-input').value);
        out.replaceChildren(el('p', { text: 'Code revoked.' }));
      })) : null) : null;

  const audit = el('section.panel',
    el('h2', { text: 'Audit log' }),
    el('div.inline',
      act('Verify the audit chain', 'verify-audit', async () => {
        const r = await api.verifyAudit(token);
        out.replaceChildren(el('p#audit-result', { text: r.ok ? 'Audit chain OK: ' + r.length + ' entries, head ' + r.head.slice(0, 16) + '…' : 'AUDIT CHAIN BROKEN at ' + r.first_broken }));
      }),
      act('Show recent entries', 'show-audit', async () => {
        const entries = await api.auditLog(token, 50);
        out.replaceChildren(el('table.audit',
          el('thead', el('tr', ['#', 'Time', 'Who', 'Event', 'Detail'].map((h) => el('th', h)))),
          el('tbody', entries.map((e) => el('tr', [e.seq, e.at, e.actor, e.kind, e.detail].map((v) => el('td', String(v))))))));
      })));

  const printed = (what) => (r) => out.replaceChildren(el('p#print-result', { text: what + ' ' + r.outcome + '.' }));
  // The printer's problems, when it must print and cannot (as at boot).
  const printerState = el('div#printer-state');
  api.printerStatus().then((n) => {
    if (n) printerState.replaceChildren(el('p.alert', { text: 'The printer is not ready (' + n.printer + '):' }), el('ul', n.problems.map((text) => el('li', { text }))));
  }, () => {});
  const printing = el('section.panel',
    el('h2', { text: 'Printing' }),
    printerState,
    el('div.inline',
      can('print_zero_report') ? act('Print the zero report', 'print-zero', async () => printed('Zero report')(await api.printZeroReport(token))) : null,
      can('print_results_report') ? act('Print the results report', 'print-results', async () => printed('Results report')(await api.printResultsReport(token))) : null,
      // The core does not keep the voter's language with the ballot: the
      // official asks the voter and picks it.
      can('reprint_receipt') ? languagePicker('reprint-language', 'Receipt language') : null,
      can('reprint_receipt') ? act('Reprint the last receipt', 'reprint', async () => printed('Receipt reprint')(await api.reprintReceipt(token, pickedLanguage('reprint-language')))) : null));
  const exportPanel = can('export_result') ? el('section.panel',
    el('h2', { text: 'Signed result' }),
    el('p', { text: 'Write the signed result file and its verify.html to a folder, e.g. a USB stick.' }),
    el('div.inline',
      el('input#export-folder', { type: 'text', 'aria-label': 'Folder', placeholder: '/media/usb' }),
      act('Export the signed result', 'export-result', async () => {
        const r = await api.exportResult(token, document.getElementById('export-folder').value);
        out.replaceChildren(el('div#export-done',
          el('p', { text: 'Exported ' + r.result + ' and ' + r.verify_html + '.' }),
          el('p', { text: 'Station key fingerprint: ' + r.fingerprint }),
          el('p.small', { text: 'Public key: ' + r.public_key })));
      }, '.primary'))) : null;
  const admin = me.role === 'admin' ? adminPanel(token, out, act, s.limits) : null;
  const handCount = s.cards_enabled && (s.mode === 'closed' || s.mode === 'test') ? handCountPanel(token, s.hand_count) : null;
  const closingKey = can('make_closing_key') ? closingPanel(token, error) : null;

  show('dashboard',
    el('h1', { text: 'Officials: ' + me.username + (me.role === 'admin' ? ' (admin)' : ' (poll worker)') }),
    statusTable(s),
    el('div.actions.left', buttons),
    error,
    out,
    handCount,
    closingKey,
    codes,
    printing,
    exportPanel,
    audit,
    admin,
    el('div.actions',
      el('button.secondary#about-open', { type: 'button', onclick: () => go('about', 'dashboard') }, 'About this kiosk'),
      el('button.primary#to-voter', { type: 'button', onclick: () => go('voter') }, 'Log out and return to voting')));

  if (state.official.unlisten) { state.official.unlisten(); state.official.unlisten = null; }
  api.onStatus((st) => {
    const old = document.getElementById('status');
    if (old) old.replaceWith(statusTable(st));
    setMode(st.mode);
  }).then((u) => { state.official.unlisten = u; });
}

// "Open the polls": for real from here on; in test mode the test ballots
// and codes are deleted.
function confirmOpen(s) {
  const body = s.mode === 'test'
    ? ['The polls open for real. The ' + s.test_ballots + ' test ballots and ' + s.test_codes.issued
      + ' test codes will be deleted, and every code issued from now on counts.',
    'Ballots cast so far: ' + s.ballots + '. Codes issued: ' + s.codes.issued + '.']
    : ['The polls open for real: every ballot cast from now on counts.',
      'Test ballots to delete: ' + s.test_ballots + '. Ballots cast so far: ' + s.ballots + '. Codes issued: ' + s.codes.issued + '.'];
  return confirmDialog({ title: 'Open the polls?', body, ok: 'Open the polls', cancel: 'Cancel' });
}

// "Close the polls": final; the counts are read aloud to the worker.
function confirmClose(s) {
  const c = s.codes;
  return confirmDialog({
    title: 'Close the polls?',
    body: [
      'Closing is final: no ballot can be cast at this station afterwards.',
      'Ballots cast: ' + s.ballots + '. Codes issued: ' + c.issued + ', used: ' + c.used + ', unused: ' + c.unused + ', revoked: ' + c.revoked + '.',
    ],
    ok: 'Close the polls',
    cancel: 'Cancel',
    danger: true,
  });
}

function adminPanel(token, out, act, limits) {
  const ctx = state.voter.context;
  return el('section.panel',
    el('h2', { text: 'Admin' }),
    el('h3', { text: 'Add an official' }),
    el('div.inline',
      el('input#new-name', { type: 'text', 'aria-label': 'Name', placeholder: 'Name' }),
      el('select#new-role', { 'aria-label': 'Role' }, el('option', { value: 'poll_worker' }, 'Poll worker'), el('option', { value: 'admin' }, 'Admin')),
      el('input#new-password', { type: 'password', 'aria-label': 'Password', placeholder: 'Password' }),
      act('Add', 'add-official', async () => {
        const v = (id) => document.getElementById(id).value;
        await api.addOfficial(token, v('new-name'), v('new-role'), v('new-password'));
        const list = await api.listOfficials(token);
        out.replaceChildren(el('ul#officials', list.map((o) => el('li', o.username + ' (' + o.role + ')'))));
      })),
    el('h3', { text: 'Printer' }),
    el('div.inline',
      el('input#printer-queue', { type: 'text', 'aria-label': 'CUPS printer queue', placeholder: 'CUPS queue (empty: save PDFs to a folder)' }),
      act('Save printer', 'save-printer', async () => {
        await api.setPrinter(token, document.getElementById('printer-queue').value);
        out.replaceChildren(el('p', { text: 'Printer saved.' }));
      })),
    el('h3', { text: 'Kiosk settings' }),
    el('div.inline',
      el('label', { for: 'idle-secs', text: 'Idle timeout (seconds)' }),
      el('input#idle-secs', {
        type: 'number', min: String(limits.idle_timeout_min_secs), max: String(limits.idle_timeout_max_secs),
        value: String(ctx.idle_timeout_secs),
      }),
      el('label', { for: 'default-lang', text: 'Default language' }),
      el('input#default-lang', { type: 'text', value: ctx.default_language }),
      el('label', { for: 'official-idle-secs', text: 'Officials\' idle logout (seconds)' }),
      el('input#official-idle-secs', {
        type: 'number', min: String(limits.official_idle_min_secs), max: String(limits.official_idle_max_secs),
        value: String(ctx.official_idle_logout_secs),
      }),
      // The panel's pixel pitch: the voter's text sizes are physical
      // millimetres (VVSG 7.1-G), computed from it.
      el('label', { for: 'pixel-pitch', text: 'Display: millimetres per pixel' }),
      el('input#pixel-pitch', {
        type: 'number', step: '0.001', 'aria-describedby': 'pixel-pitch-help',
        min: (limits.pixel_pitch_min_um / 1000).toFixed(3), max: (limits.pixel_pitch_max_um / 1000).toFixed(3),
        value: (ctx.status.display.pixel_pitch_um / 1000).toFixed(3),
      }),
      el('p.help#pixel-pitch-help', { text: 'The panel\'s width in millimetres divided by its width in pixels (e.g. 344 mm / 1920 = 0.179).' }),
      act('Save settings', 'save-settings', async () => {
        const n = (id) => parseInt(document.getElementById(id).value, 10) || 0;
        const pitchUm = Math.round((parseFloat(document.getElementById('pixel-pitch').value) || 0) * 1000);
        await api.setKioskSettings(token, n('idle-secs'), document.getElementById('default-lang').value.trim(), n('official-idle-secs'), pitchUm);
        const now = await api.stationStatus();
        ctx.status.display = now.display;
        setDisplay(now.display);
        // The session's timer follows the new idle logout from now on.
        state.official.idleLogoutSecs = ctx.official_idle_logout_secs = n('official-idle-secs');
        out.replaceChildren(el('p', { text: 'Settings saved.' }));
      })));
}

// The dashboard's panel: the key's facts, or that there is none, and the button.
function closingPanel(token, out) {
  const facts = el('div#ck-facts');
  const make = el('button.secondary#closing-setup', { type: 'button', onclick: () => go('closing') }, t('ck_make'));
  api.closingKeyInfo(token).then((info) => {
    facts.replaceChildren(info
      ? el('ul', info.workers.map((w) => el('li', t('ck_holder', { i: w.index, n: info.slips, name: w.worker }))),
          el('li', t('ck_fingerprint', { f: info.fingerprint })))
      : el('p#ck-none', { text: t('ck_none') }));
    make.textContent = info ? t('ck_remake') : t('ck_make');
  }, (err) => { if (!sessionEnded(err)) out.textContent = messageOf(err); });
  return el('section.panel', el('h2', { text: t('ck_title') }), facts, el('div.inline', make));
}
