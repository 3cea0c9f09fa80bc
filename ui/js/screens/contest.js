// One contest per screen: candidates to mark, a ranking grid for ranked
// contests, yes/no for measures, and the way to write in a name.
//
// Marking a choice updates the buttons where they are (the screen is not
// rebuilt), so the focus stays on the control the voter used, and every
// change or refusal is announced (events.js announce: the live regions and
// the audio ballot).
import { el, show } from '../dom.js';
import { announce } from '../events.js';
import { t, tr } from '../i18n.js';
import { candidateName, choices, setChoices, stillAllowed } from '../ballot.js';
import { confirmDialog } from '../dialog.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function contest(i) {
  const ctx = state.voter.context;
  const ballot = state.voter.ballot;
  if (!ballot) return go('welcome', { newVoter: true });
  const c = ctx.contests[i];
  const n = ctx.contests.length;
  const max = c.max_choices;
  const ranked = c.kind === 'ranked';
  const status = el('p.status#contest-status');
  // Why nothing happened (an extra choice), or that ranks closed up.
  const notice = el('p.notice#contest-notice');
  const body = el('div.choices', { role: 'group', 'aria-labelledby': 'contest-title' });
  const name = (id) => candidateName(c, id);

  function tell(text, urgent) {
    notice.textContent = urgent ? text : '';
    announce(text, urgent);
  }

  // --- Candidates, yes/no, write-ins -------------------------------------
  const buttons = new Map();
  const checks = new Map();
  let writeInButton = null;

  function statusText() {
    const k = choices(c).filter((x) => x).length;
    if (ranked) {
      const left = max - k;
      return left > 0 ? t('rank_more', { n: left, k }) : t('rank_done', { n: max });
    }
    if (c.kind === 'approval' && max >= c.candidates.length) return t('approve_any');
    const left = stillAllowed(c);
    const of = t('chosen_of', { k, n: max });
    if (left > 0) return of + ' ' + t('choose_more', { n: left });
    return of + ' ' + (max === 1 ? t('choose_done_one') : t('choose_done'));
  }

  function refresh() {
    const chosen = choices(c);
    if (ranked) {
      for (const [key, b] of buttons) {
        const [cand, r] = key.split('\u0000');
        const on = chosen[Number(r)] === cand;
        b.setAttribute('aria-pressed', String(on));
      }
    } else {
      for (const [id, b] of buttons) {
        const on = chosen.includes(id);
        b.setAttribute('aria-pressed', String(on));
        checks.get(id).textContent = on ? '✓' : '';
      }
    }
    status.textContent = statusText();
  }

  function pick(id, label) {
    const list = choices(c).slice();
    if (list.includes(id)) {
      setChoices(c, list.filter((x) => x !== id));
      refresh();
      tell(t('sel_unselected', { name: label }) + ' ' + statusText());
      return;
    }
    if (max === 1 && list.length === 1) {
      // Vote for 1: a new choice replaces the old, as the instruction says.
      const old = name(list[0]);
      setChoices(c, [id]);
      refresh();
      tell(t('sel_replaced', { name: label, old }) + ' ' + statusText());
      return;
    }
    if (list.length >= max) {
      tell(t('over_refused', { n: max, name: label }), true);
      return;
    }
    list.push(id);
    setChoices(c, list);
    refresh();
    tell(t('sel_selected', { name: label }) + ' ' + statusText());
  }

  function option(id, label, sub) {
    const check = el('span.check', { 'aria-hidden': 'true' });
    const b = el('button.option', { type: 'button', 'aria-pressed': 'false', 'data-choice': id, onclick: () => pick(id, label) },
      check, el('span.label', label), sub ? el('span.sub', sub) : null);
    buttons.set(id, b);
    checks.set(id, check);
    return b;
  }

  function drawChoices() {
    const options = c.kind === 'yesno'
      ? [{ id: 'yes', label: tr(c.yes_label) || t('yes') }, { id: 'no', label: tr(c.no_label) || t('no') }]
      : c.candidates.map((x) => ({ id: x.id, label: tr(x.name), sub: tr(x.party) }));
    for (const o of options) body.append(option(o.id, o.label, o.sub));
    // Written-in names stay on the screen (unselected too) until it is left.
    for (const w of choices(c).filter((x) => x && x.startsWith('write-in:'))) body.append(option(w, w.slice(9), t('write_in')));
    if (c.write_ins) {
      writeInButton = el('button.option.write-in#write-in', {
        type: 'button',
        onclick: () => {
          if (max > 1 && choices(c).length >= max) { tell(t('write_in_full', { n: max }), true); return; }
          go('write-in', i);
        },
      }, '+ ' + t('write_in'));
      body.append(writeInButton);
    }
  }

  // --- Ranked ---------------------------------------------------------------
  function pickRank(cand, r) {
    const list = choices(c).slice();
    while (list.length < max) list.push(null);
    const at = list.indexOf(cand.id);
    const who = tr(cand.name);
    let msg;
    if (at === r) {
      list[r] = null;
      msg = t('rank_cleared', { name: who, r: r + 1 });
    } else {
      const displaced = list[r];
      if (at >= 0) list[at] = null;
      list[r] = cand.id;
      msg = at >= 0 ? t('rank_moved', { name: who, from: at + 1, to: r + 1 }) : t('rank_set', { name: who, r: r + 1 });
      if (displaced) msg += ' ' + t('rank_displaced', { name: name(displaced), r: r + 1 });
    }
    setChoices(c, list);
    refresh();
    tell(msg + ' ' + statusText());
  }

  function drawRanked() {
    body.append(el('div.rank-row.rank-head', { 'aria-hidden': 'true' },
      el('span.rank-name', ''),
      el('span.rank-buttons', Array.from({ length: max }, (_, r) => el('span.rank-col', t('rank_choice', { n: r + 1 }))))));
    for (const cand of c.candidates) {
      const row = el('div.rank-row', { role: 'group', 'aria-label': tr(cand.name) },
        el('span.rank-name', tr(cand.name)),
        el('span.rank-buttons',
          Array.from({ length: max }, (_, r) => {
            const b = el('button.rank', {
              type: 'button', 'aria-pressed': 'false',
              'aria-label': tr(cand.name) + ': ' + t('rank_choice', { n: r + 1 }),
              'data-candidate': cand.id, 'data-rank': String(r + 1),
              onclick: () => pickRank(cand, r),
            }, String(r + 1));
            buttons.set(cand.id + '\u0000' + r, b);
            return b;
          })));
      body.append(row);
    }
  }

  if (ranked) drawRanked(); else drawChoices();
  refresh();

  // Ranks left empty between others close up, and the voter is told so
  // (and stays to check them) before the screen is left.
  function closeUp() {
    const list = choices(c);
    const kept = list.filter((x) => x);
    const last = list.reduce((acc, x, k) => (x ? k : acc), -1);
    setChoices(c, kept);
    if (!ranked || kept.length === last + 1) return true;
    refresh();
    tell(t('rank_closed_up', { list: kept.map((x, k) => (k + 1) + ': ' + name(x)).join(', ') }), true);
    return false;
  }
  const next = () => {
    if (!closeUp()) return;
    if (ballot.backToReview || i + 1 >= n) go('review'); else go('contest', i + 1);
  };
  const back = async () => {
    if (!closeUp()) return;
    if (i > 0) { go('contest', i - 1); return; }
    // The first contest's Back leaves the ballot: never silently.
    const leave = await confirmDialog({
      title: t('leave_title'), body: t('leave_body'), ok: t('leave_ok'), cancel: t('leave_cancel'), danger: true,
    });
    if (!leave) return;
    state.voter.ballot = null;
    go('code');
  };
  const last = ballot.backToReview || i + 1 >= n;
  show('contest',
    el('p.progress', { text: t('contest_of', { i: i + 1, n }) }),
    el('h1#contest-title', { text: tr(c.title), 'data-contest': c.id }),
    c.description ? el('p.lead', { text: tr(c.description) }) : null,
    el('p.help#contest-rule', { text: ranked ? t('rank_help', { n: max }) : (max === 1 ? t('vote_for_one') : t('vote_for', { n: max })) }),
    status,
    notice,
    body,
    el('div.actions.action-bar',
      el('button.secondary#back', { type: 'button', 'data-back': true, onclick: back }, t('back')),
      el('button.primary#next', { type: 'button', onclick: next }, last ? t('review_title') : t('next'))));
}
