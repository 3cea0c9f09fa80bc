// Voter mode: welcome → language → code → one contest per screen → review
// → cast → receipt → welcome. Also the receipt check (verify mode).
'use strict';
(function () {
  const { el, t, tr } = window.ui;
  const voter = {};
  let ctx = null;      // the election as the shell describes it
  let ballot = null;   // the ballot being filled in (forgotten on timeout)

  function randomKey() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  voter.setContext = function (c) { ctx = c; window.ui.idle.seconds = c.idle_timeout_secs; };

  function header() {
    document.getElementById('bar-title').textContent = tr(ctx.title);
    const banner = document.getElementById('test-banner');
    const test = ctx.status.mode === 'test';
    banner.hidden = !test;
    banner.textContent = test ? t('test_ballot') : '';
  }

  voter.welcome = function () {
    ballot = null;
    window.ui.idleStop();
    window.ui.voterMode = true;
    const lang = ctx.languages.find((l) => l.code === ctx.default_language) || ctx.languages[0];
    window.ui.setLanguage(lang.code, lang.rtl);
    render();
    function render() {
      header();
      const langs = el('div.choices.languages', { role: 'group', 'aria-label': 'Language / Idioma' },
        ctx.languages.map((l) => el('button.option.lang', {
          type: 'button', lang: l.code, 'aria-pressed': String(l.code === window.ui.ballotLang),
          'data-lang': l.code,
          onclick: () => { window.ui.setLanguage(l.code, l.rtl); render(); },
        }, l.name)));
      window.ui.show('welcome',
        el('h1', { text: t('welcome') }),
        el('p.lead', { text: tr(ctx.title) }),
        el('p', { text: t('welcome_help') }),
        langs,
        el('div.actions',
          el('button.primary.big#start', { type: 'button', onclick: voter.codeEntry }, t('start'))),
        el('div.footer-link', el('button.link#verify-link', { type: 'button', onclick: voter.verify }, t('verify_link'))));
    }
  };

  voter.codeEntry = function () {
    window.ui.idleStart(voter.welcome);
    const input = el('input#code', {
      type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
      'aria-describedby': 'code-help code-error', autofocus: true, inputmode: 'text',
    });
    const error = window.ui.alert('code-error');
    const submit = async (e) => {
      e.preventDefault();
      error.textContent = '';
      const code = input.value.trim();
      if (!code) return;
      try {
        await window.api.checkCode(code);
        input.value = '';
        ballot = { code, requestKey: randomKey(), selections: {}, backToReview: false };
        voter.contest(0);
      } catch (err) {
        error.textContent = window.ui.errorText(err);
        input.select();
      }
    };
    window.ui.show('code',
      el('h1', { text: t('code_title') }),
      el('form.stack', { onsubmit: submit },
        el('label', { for: 'code', text: t('code_label') }),
        input,
        el('p.help#code-help', { text: t('code_help') }),
        error,
        el('div.actions',
          el('button.secondary', { type: 'button', onclick: voter.welcome }, t('cancel')),
          el('button.primary#code-submit', { type: 'submit' }, t('continue')))));
  };

  function choices(contest) { return ballot.selections[contest.id] || []; }

  function candidateName(contest, choice) {
    if (choice.startsWith('write-in:')) return choice.slice(9) + ' (' + t('write_in') + ')';
    if (contest.kind === 'yesno') {
      return choice === 'yes' ? (tr(contest.yes_label) || t('yes')) : (tr(contest.no_label) || t('no'));
    }
    const c = contest.candidates.find((x) => x.id === choice);
    return c ? tr(c.name) : choice;
  }

  voter.contest = function (i) {
    const contest = ctx.contests[i];
    const n = ctx.contests.length;
    const status = el('p.status#contest-status', { 'aria-live': 'polite' });
    const body = el('div.choices', { role: 'group', 'aria-labelledby': 'contest-title' });

    function setChoices(list) { ballot.selections[contest.id] = list; draw(); }

    function draw() {
      const chosen = choices(contest);
      body.replaceChildren();
      if (contest.kind === 'ranked') {
        status.textContent = t('rank_help', { n: contest.max_choices });
        body.append(el('div.rank-row.rank-head', { 'aria-hidden': 'true' },
          el('span.rank-name', ''),
          el('span.rank-buttons', Array.from({ length: contest.max_choices }, (_, r) => el('span.rank-col', t('rank_choice', { n: r + 1 }))))));
        for (const c of contest.candidates) {
          const rank = chosen.indexOf(c.id);
          const row = el('div.rank-row', { role: 'group', 'aria-label': tr(c.name) },
            el('span.rank-name', tr(c.name)),
            el('span.rank-buttons',
              Array.from({ length: contest.max_choices }, (_, r) => el('button.rank', {
                type: 'button', 'aria-pressed': String(rank === r),
                'aria-label': tr(c.name) + ': ' + t('rank_choice', { n: r + 1 }),
                'data-candidate': c.id, 'data-rank': String(r + 1),
                onclick: () => {
                  const list = chosen.slice();
                  const at = list.indexOf(c.id);
                  if (at === r) { list[r] = null; } else {
                    if (at >= 0) list[at] = null;
                    list[r] = c.id;
                  }
                  setChoices(list);
                },
              }, String(r + 1)))));
          body.append(row);
        }
        return;
      }
      const options = contest.kind === 'yesno'
        ? [{ id: 'yes', label: tr(contest.yes_label) || t('yes') }, { id: 'no', label: tr(contest.no_label) || t('no') }]
        : contest.candidates.map((c) => ({ id: c.id, label: tr(c.name), sub: tr(c.party) }));
      const max = contest.max_choices;
      for (const o of options) {
        const on = chosen.includes(o.id);
        body.append(el('button.option', {
          type: 'button', 'aria-pressed': String(on), 'data-choice': o.id,
          onclick: () => {
            let list = chosen.slice();
            if (on) list = list.filter((x) => x !== o.id);
            else if (max === 1) list = [o.id];
            else if (list.length < max) list.push(o.id);
            else return;
            setChoices(list);
          },
        }, el('span.check', { 'aria-hidden': 'true' }, on ? '✓' : ''), el('span.label', o.label), o.sub ? el('span.sub', o.sub) : null));
      }
      for (const w of chosen.filter((x) => x && x.startsWith('write-in:'))) {
        body.append(el('button.option', {
          type: 'button', 'aria-pressed': 'true', 'data-choice': w,
          onclick: () => setChoices(chosen.filter((x) => x !== w)),
        }, el('span.check', { 'aria-hidden': 'true' }, '✓'), el('span.label', w.slice(9)), el('span.sub', t('write_in'))));
      }
      if (contest.write_ins && chosen.length < max) {
        body.append(el('button.option.write-in#write-in', { type: 'button', onclick: () => writeIn(contest, i) }, '+ ' + t('write_in')));
      }
      const left = max - chosen.length;
      status.textContent = contest.kind === 'approval' && max >= contest.candidates.length
        ? t('approve_any')
        : (left > 0 ? t('choose_more', { n: left }) : t('choose_done'));
    }

    draw();
    const compact = () => { ballot.selections[contest.id] = choices(contest).filter((x) => x); };
    const next = () => {
      compact();
      if (ballot.backToReview || i + 1 >= n) voter.review(); else voter.contest(i + 1);
    };
    const back = () => { compact(); if (i === 0) voter.codeEntry(); else voter.contest(i - 1); };
    window.ui.show('contest',
      el('p.progress', { text: t('contest_of', { i: i + 1, n }) }),
      el('h1#contest-title', { text: tr(contest.title), 'data-contest': contest.id }),
      contest.description ? el('p.lead', { text: tr(contest.description) }) : null,
      contest.kind !== 'ranked' ? el('p.help', { text: t('vote_for', { n: contest.max_choices }) }) : null,
      status,
      body,
      el('div.actions',
        el('button.secondary#back', { type: 'button', onclick: back }, t('back')),
        el('button.primary#next', { type: 'button', onclick: next }, ballot.backToReview ? t('review_title') : t('next'))));
  };

  function writeIn(contest, i) {
    const input = el('input#write-in-name', { type: 'text', maxlength: '60', autocomplete: 'off', autofocus: true });
    const done = () => {
      const name = input.value.trim().replace(/\s+/g, ' ');
      if (name) {
        const list = choices(contest).filter((x) => x !== 'write-in:' + name);
        list.push('write-in:' + name);
        ballot.selections[contest.id] = list;
      }
      voter.contest(i);
    };
    const key = (label, onclick, cls) => el('button.key' + (cls || ''), { type: 'button', onclick }, label);
    const rows = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM', 'ÁÉÍÓÚÑÜ'].map((r) => el('div.key-row',
      Array.from(r, (ch) => key(ch, () => { input.value += input.value && !/\s$/.test(input.value) ? ch.toLowerCase() : ch; input.focus(); }))));
    rows.push(el('div.key-row',
      key('-', () => { input.value += '-'; input.focus(); }),
      key('\'', () => { input.value += '\''; input.focus(); }),
      key(t('keyboard_space'), () => { input.value += ' '; input.focus(); }, '.wide'),
      key(t('keyboard_delete'), () => { input.value = input.value.slice(0, -1); input.focus(); }, '.wide')));
    window.ui.show('write-in',
      el('h1', { text: t('write_in_title') }),
      el('p.lead', { text: tr(contest.title) }),
      el('form.stack', { onsubmit: (e) => { e.preventDefault(); done(); } },
        el('label', { for: 'write-in-name', text: t('write_in_label') }),
        input,
        el('div.keyboard', { 'aria-label': t('write_in_title') }, rows),
        el('div.actions',
          el('button.secondary', { type: 'button', onclick: () => voter.contest(i) }, t('cancel')),
          el('button.primary#write-in-done', { type: 'submit' }, t('keyboard_done')))));
  }

  voter.review = function () {
    ballot.backToReview = true;
    const error = window.ui.alert('cast-error');
    const list = el('ol.review',
      ctx.contests.map((c, i) => {
        const chosen = choices(c);
        return el('li.review-item', { 'data-contest': c.id },
          el('h2', { text: tr(c.title) }),
          chosen.length
            ? el(c.kind === 'ranked' ? 'ol.chosen' : 'ul.chosen', chosen.map((x) => el('li', candidateName(c, x))))
            : el('p.blank', { text: t('no_selection') }),
          el('button.link.change', { type: 'button', 'aria-label': t('change') + ': ' + tr(c.title), onclick: () => voter.contest(i) }, t('change')));
      }));
    const castButton = el('button.primary.big#cast', { type: 'button' }, t('cast'));
    castButton.addEventListener('click', async () => {
      castButton.disabled = true;
      castButton.textContent = t('casting');
      error.textContent = '';
      try {
        const receipt = await window.api.castBallot(ballot.code, ballot.selections, ballot.requestKey, window.ui.ballotLang || window.ui.lang);
        voter.receipt(receipt);
      } catch (err) {
        error.textContent = window.ui.errorText(err);
        castButton.disabled = false;
        castButton.textContent = t('cast');
      }
    });
    window.ui.show('review',
      el('h1', { text: t('review_title') }),
      el('p.help', { text: t('review_help') }),
      list,
      error,
      el('div.actions', castButton));
  };

  voter.receipt = function (r) {
    ballot = null;
    const qr = new DOMParser().parseFromString(r.qr_svg, 'image/svg+xml').documentElement;
    window.ui.idleStart(voter.welcome);
    window.ui.show('receipt',
      el('h1', { text: t('receipt_title') }),
      r.test ? el('p.test-note', { text: t('test_ballot') }) : null,
      el('div.receipt-box',
        el('div.qr', { role: 'img', 'aria-label': t('receipt_id') + ' QR' }, qr),
        el('div',
          el('p.label', { text: t('receipt_id') }),
          el('p.receipt-id#receipt-id', { text: r.receipt }),
          el('p.small', { text: ctx.station_id + ' · ' + ctx.definition_short }))),
      el('p', { text: t('receipt_help') }),
      r.print_error ? el('p.alert#print-status', { role: 'alert', text: t('print_failed') }) : el('p.small#print-status', { text: t('print_ok') }),
      el('div.actions', el('button.primary.big#receipt-done', { type: 'button', onclick: voter.welcome }, t('done'))));
  };

  voter.verify = function () {
    window.ui.idleStart(voter.welcome);
    const input = el('input#receipt-input', { type: 'text', autocomplete: 'off', spellcheck: 'false', autofocus: true, 'aria-describedby': 'verify-help' });
    const result = el('p.result#verify-result', { role: 'status', 'aria-live': 'polite' });
    window.ui.show('verify',
      el('h1', { text: t('verify_title') }),
      el('form.stack', {
        onsubmit: async (e) => {
          e.preventDefault();
          result.className = 'result';
          try {
            const r = await window.api.checkReceipt(input.value);
            result.textContent = r.recorded ? (r.test ? t('verify_test') : t('verify_recorded')) : t('verify_not_found');
            if (r.in_signed_result === true) result.textContent += ' ' + t('verify_in_result');
            if (r.in_signed_result === false) result.textContent += ' ' + t('verify_not_in_result');
            result.classList.add(r.recorded ? 'good' : 'bad');
          } catch (err) {
            result.textContent = window.ui.errorText(err);
            result.classList.add('bad');
          }
          input.select();
        },
      },
      el('label', { for: 'receipt-input', text: t('verify_label') }),
      input,
      el('p.help#verify-help', { text: t('verify_help') }),
      result,
      el('div.actions',
        el('button.secondary', { type: 'button', onclick: voter.welcome }, t('back')),
        el('button.primary#verify-submit', { type: 'submit' }, t('verify_check')))));
  };

  window.voter = voter;
})();
