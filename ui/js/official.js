// Officials' screens: create the election, unlock the file, log in, and the
// poll-worker dashboard (polls, codes, unlock, turnout, audit) with the
// admin panel. Officials' screens are in English.
'use strict';
(function () {
  const { el } = window.ui;
  const official = {};
  let me = null;
  let unlisten = null;

  function field(id, label, attrs) {
    return [el('label', { for: id, text: label }), el('input#' + id, Object.assign({ type: 'text', autocomplete: 'off' }, attrs || {}))];
  }
  function errorOf(err) { return (err && err.message) || 'Something went wrong.'; }

  official.setup = function (info) {
    window.ui.voterMode = false;
    const error = window.ui.alert('setup-error');
    window.ui.show('setup',
      el('h1', { text: 'Create the election' }),
      el('p', { text: 'No election file exists at ' + info.station_path + '. Create it from an election definition (votekiosk/1 JSON).' }),
      el('form.stack', {
        onsubmit: async (e) => {
          e.preventDefault();
          error.textContent = '';
          const v = (id) => document.getElementById(id).value;
          if (v('setup-pass') !== v('setup-pass2')) { error.textContent = 'The two passphrases differ.'; return; }
          try {
            await window.api.createElection(v('setup-def'), v('setup-pass'), v('setup-admin'), v('setup-admin-pw'));
            window.app.boot();
          } catch (err) { error.textContent = errorOf(err); }
        },
      },
      ...field('setup-def', 'Definition file (full path)', { autofocus: true }),
      ...field('setup-pass', 'New election passphrase (at least 12 characters)', { type: 'password' }),
      ...field('setup-pass2', 'Passphrase again', { type: 'password' }),
      ...field('setup-admin', 'First admin name', { value: 'admin' }),
      ...field('setup-admin-pw', 'Admin password (at least 10 characters)', { type: 'password' }),
      error,
      el('div.actions', el('button.primary#setup-create', { type: 'submit' }, 'Create election'))));
  };

  official.unlock = function (info) {
    window.ui.voterMode = false;
    const error = window.ui.alert('unlock-error');
    const button = el('button.primary#unlock-submit', { type: 'submit' }, 'Unlock');
    window.ui.show('unlock',
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
            await window.api.unlockStation(document.getElementById('passphrase').value);
            window.app.boot();
          } catch (err) {
            error.textContent = errorOf(err);
            button.disabled = false;
            button.textContent = 'Unlock';
            document.getElementById('passphrase').select();
          }
        },
      },
      ...field('passphrase', 'Election passphrase', { type: 'password', autofocus: true }),
      error,
      el('div.actions', button)));
  };

  official.login = function () {
    window.ui.idleStop();
    window.ui.voterMode = false;
    window.ui.setLanguage('en', false);
    const error = window.ui.alert('login-error');
    window.ui.show('login',
      el('h1', { text: 'Official login' }),
      el('form.stack', {
        onsubmit: async (e) => {
          e.preventDefault();
          error.textContent = '';
          try {
            me = await window.api.login(document.getElementById('username').value, document.getElementById('password').value);
            official.dashboard();
          } catch (err) { error.textContent = errorOf(err); }
        },
      },
      ...field('username', 'Name', { autofocus: true }),
      ...field('password', 'Password', { type: 'password' }),
      error,
      el('div.actions',
        el('button.secondary#login-cancel', { type: 'button', onclick: () => window.app.toVoter() }, 'Back to voting'),
        el('button.primary#login-submit', { type: 'submit' }, 'Log in'))));
  };

  function statusTable(s) {
    const row = (k, v, id) => el('div.stat', el('span.k', k), el('span.v' + (id ? '#' + id : ''), String(v)));
    return el('div.stats#status',
      row('Mode', s.mode.toUpperCase(), 'stat-mode'),
      row('Ballots cast', s.mode === 'test' ? s.test_ballots + ' (test)' : s.ballots, 'stat-ballots'),
      row('Codes issued', s.mode === 'test' ? s.test_codes.issued : s.codes.issued, 'stat-issued'),
      row('Codes used', s.mode === 'test' ? s.test_codes.used : s.codes.used, 'stat-used'),
      row('Voting', s.voting_locked ? 'LOCKED (invalid codes)' : 'not locked', 'stat-locked'),
      row('Station', s.station_id),
      row('Definition', s.definition_hash.slice(0, 16) + '…'));
  }

  official.dashboard = async function () {
    const out = el('div.output#dash-output', { 'aria-live': 'polite' });
    const error = window.ui.alert('dash-error');
    let s;
    try { s = await window.api.stationStatus(); } catch (err) { error.textContent = errorOf(err); return; }
    const act = (label, id, fn, cls) => el('button' + (cls || '.secondary') + '#' + id, {
      type: 'button',
      onclick: async () => {
        error.textContent = '';
        try { await fn(); } catch (err) { error.textContent = errorOf(err); }
      },
    }, label);
    const polls = (action) => async () => { await window.api.changePolls(action); official.dashboard(); };
    const buttons = [];
    if (me.role === 'admin' && s.mode === 'setup') buttons.push(act('Enter test mode', 'polls-test', polls('test')));
    if (s.mode === 'setup' || s.mode === 'test') buttons.push(act('Open the polls', 'polls-open', polls('open'), '.primary'));
    if (s.mode === 'open') buttons.push(act('Pause the polls', 'polls-pause', polls('pause')));
    if (s.mode === 'paused') buttons.push(act('Resume the polls', 'polls-resume', polls('resume'), '.primary'));
    if (s.mode === 'open' || s.mode === 'paused') {
      buttons.push(act('Close the polls', 'polls-close', async () => {
        const c = document.getElementById('confirm-close');
        if (!c.checked) throw { message: 'Tick "I confirm" first: closing the polls is final.' };
        await polls('close')();
      }, '.danger'));
    }
    if (s.voting_locked) buttons.push(act('Unlock voting', 'unlock-voting', async () => { await window.api.unlockVoting(); official.dashboard(); }, '.primary'));

    const count = el('input#code-count', { type: 'number', min: '1', max: '1000', value: '10', 'aria-label': 'How many codes' });
    const printSlips = el('input#print-slips', { type: 'checkbox' });
    const codes = el('section.panel',
      el('h2', { text: 'Voter codes' }),
      el('div.inline', count, act('Issue codes', 'issue-codes', async () => {
        const r = await window.api.issueCodes(parseInt(count.value, 10) || 0, printSlips.checked);
        out.replaceChildren(el('h3', { text: 'Batch ' + r.batch + (r.test ? ' (TEST codes)' : '') + ': hand one code to each voter' }),
          r.printed ? el('p#codes-printed', { text: 'Slips ' + r.printed + '.' }) : null,
          el('ol.codes#issued-codes', r.codes.map((c) => el('li', el('code', c)))));
      }), el('label', printSlips, ' Print the slips')),
      el('div.inline', el('input#revoke-input', { type: 'text', 'aria-label': 'Code to revoke', placeholder: 'Code to revoke' }),
        act('Revoke', 'revoke-code', async () => {
          await window.api.revokeCode(document.getElementById('revoke-input').value);
          out.replaceChildren(el('p', { text: 'Code revoked.' }));
        })));

    const audit = el('section.panel',
      el('h2', { text: 'Audit log' }),
      el('div.inline',
        act('Verify the audit chain', 'verify-audit', async () => {
          const r = await window.api.verifyAudit();
          out.replaceChildren(el('p#audit-result', { text: r.ok ? 'Audit chain OK: ' + r.length + ' entries, head ' + r.head.slice(0, 16) + '…' : 'AUDIT CHAIN BROKEN at ' + r.first_broken }));
        }),
        act('Show recent entries', 'show-audit', async () => {
          const entries = await window.api.auditLog(50);
          out.replaceChildren(el('table.audit',
            el('thead', el('tr', ['#', 'Time', 'Who', 'Event', 'Detail'].map((h) => el('th', h)))),
            el('tbody', entries.map((e) => el('tr', [e.seq, e.at, e.actor, e.kind, e.detail].map((v) => el('td', String(v))))))));
        })));

    const printed = (what) => (r) => out.replaceChildren(el('p#print-result', { text: what + ' ' + r.outcome + '.' }));
    const printing = el('section.panel',
      el('h2', { text: 'Printing' }),
      el('div.inline',
        s.mode !== 'closed' ? act('Print the zero report', 'print-zero', async () => printed('Zero report')(await window.api.printZeroReport())) : null,
        (s.mode === 'closed' || s.mode === 'test') ? act('Print the results report', 'print-results', async () => printed('Results report')(await window.api.printResultsReport())) : null,
        (s.mode === 'open' || s.mode === 'test') ? act('Reprint the last receipt', 'reprint', async () => printed('Receipt reprint')(await window.api.reprintReceipt())) : null));
    const exportPanel = s.mode === 'closed' ? el('section.panel',
      el('h2', { text: 'Signed result' }),
      el('p', { text: 'Write the signed result file and its verify.html to a folder, e.g. a USB stick.' }),
      el('div.inline',
        el('input#export-folder', { type: 'text', 'aria-label': 'Folder', placeholder: '/media/usb' }),
        act('Export the signed result', 'export-result', async () => {
          const r = await window.api.exportResult(document.getElementById('export-folder').value);
          out.replaceChildren(el('div#export-done',
            el('p', { text: 'Exported ' + r.result + ' and ' + r.verify_html + '.' }),
            el('p', { text: 'Station key fingerprint: ' + r.fingerprint }),
            el('p.small', { text: 'Public key: ' + r.public_key })));
        }, '.primary'))) : null;
    const admin = me.role === 'admin' ? adminPanel(out, act) : null;

    window.ui.show('dashboard',
      el('h1', { text: 'Officials: ' + me.username + (me.role === 'admin' ? ' (admin)' : ' (poll worker)') }),
      statusTable(s),
      (s.mode === 'open' || s.mode === 'paused')
        ? el('label.confirm', el('input#confirm-close', { type: 'checkbox' }), ' I confirm: closing the polls is final')
        : null,
      el('div.actions.left', buttons),
      error,
      out,
      s.mode !== 'closed' ? codes : null,
      printing,
      exportPanel,
      audit,
      admin,
      el('div.actions', el('button.primary#to-voter', { type: 'button', onclick: () => window.app.toVoter() }, 'Log out and return to voting')));

    if (unlisten) { unlisten(); unlisten = null; }
    window.api.onStatus((st) => {
      const old = document.getElementById('status');
      if (old) old.replaceWith(statusTable(st));
    }).then((u) => { unlisten = u; });
  };

  function adminPanel(out, act) {
    return el('section.panel',
      el('h2', { text: 'Admin' }),
      el('h3', { text: 'Add an official' }),
      el('div.inline',
        el('input#new-name', { type: 'text', 'aria-label': 'Name', placeholder: 'Name' }),
        el('select#new-role', { 'aria-label': 'Role' }, el('option', { value: 'poll_worker' }, 'Poll worker'), el('option', { value: 'admin' }, 'Admin')),
        el('input#new-password', { type: 'password', 'aria-label': 'Password', placeholder: 'Password' }),
        act('Add', 'add-official', async () => {
          const v = (id) => document.getElementById(id).value;
          await window.api.addOfficial(v('new-name'), v('new-role'), v('new-password'));
          const list = await window.api.listOfficials();
          out.replaceChildren(el('ul#officials', list.map((o) => el('li', o.username + ' (' + o.role + ')'))));
        })),
      el('h3', { text: 'Printer' }),
      el('div.inline',
        el('input#printer-queue', { type: 'text', 'aria-label': 'CUPS printer queue', placeholder: 'CUPS queue (empty: save PDFs to a folder)' }),
        act('Save printer', 'save-printer', async () => {
          await window.api.setPrinter(document.getElementById('printer-queue').value);
          out.replaceChildren(el('p', { text: 'Printer saved.' }));
        })),
      el('h3', { text: 'Kiosk settings' }),
      el('div.inline',
        el('label', { for: 'idle-secs', text: 'Idle timeout (seconds)' }),
        el('input#idle-secs', { type: 'number', min: '30', max: '900', value: String(window.ui.idle.seconds) }),
        el('label', { for: 'default-lang', text: 'Default language' }),
        el('input#default-lang', { type: 'text', value: window.app.context ? window.app.context.default_language : 'en' }),
        act('Save settings', 'save-settings', async () => {
          await window.api.setKioskSettings(parseInt(document.getElementById('idle-secs').value, 10) || 0, document.getElementById('default-lang').value.trim());
          out.replaceChildren(el('p', { text: 'Settings saved.' }));
        })));
  }

  official.leave = async function () {
    if (unlisten) { unlisten(); unlisten = null; }
    me = null;
    try { await window.api.logout(); } catch (_) { /* already logged out */ }
  };

  window.official = official;
})();
