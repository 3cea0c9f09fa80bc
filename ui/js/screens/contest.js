// One contest per screen: candidates to mark, a ranking grid for ranked
// contests, yes/no for measures, and the way to write in a name.
import { el, show } from '../dom.js';
import { t, tr } from '../i18n.js';
import { choices, setChoices } from '../ballot.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function contest(i) {
  const ctx = state.voter.context;
  const ballot = state.voter.ballot;
  const c = ctx.contests[i];
  const n = ctx.contests.length;
  const status = el('p.status#contest-status', { 'aria-live': 'polite' });
  const body = el('div.choices', { role: 'group', 'aria-labelledby': 'contest-title' });

  function mark(list) { setChoices(c, list); draw(); }

  function drawRanked(chosen) {
    status.textContent = t('rank_help', { n: c.max_choices });
    body.append(el('div.rank-row.rank-head', { 'aria-hidden': 'true' },
      el('span.rank-name', ''),
      el('span.rank-buttons', Array.from({ length: c.max_choices }, (_, r) => el('span.rank-col', t('rank_choice', { n: r + 1 }))))));
    for (const cand of c.candidates) {
      const rank = chosen.indexOf(cand.id);
      const row = el('div.rank-row', { role: 'group', 'aria-label': tr(cand.name) },
        el('span.rank-name', tr(cand.name)),
        el('span.rank-buttons',
          Array.from({ length: c.max_choices }, (_, r) => el('button.rank', {
            type: 'button', 'aria-pressed': String(rank === r),
            'aria-label': tr(cand.name) + ': ' + t('rank_choice', { n: r + 1 }),
            'data-candidate': cand.id, 'data-rank': String(r + 1),
            onclick: () => {
              const list = chosen.slice();
              const at = list.indexOf(cand.id);
              if (at === r) { list[r] = null; } else {
                if (at >= 0) list[at] = null;
                list[r] = cand.id;
              }
              mark(list);
            },
          }, String(r + 1)))));
      body.append(row);
    }
  }

  function draw() {
    const chosen = choices(c);
    body.replaceChildren();
    if (c.kind === 'ranked') { drawRanked(chosen); return; }
    const options = c.kind === 'yesno'
      ? [{ id: 'yes', label: tr(c.yes_label) || t('yes') }, { id: 'no', label: tr(c.no_label) || t('no') }]
      : c.candidates.map((x) => ({ id: x.id, label: tr(x.name), sub: tr(x.party) }));
    const max = c.max_choices;
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
          mark(list);
        },
      }, el('span.check', { 'aria-hidden': 'true' }, on ? '✓' : ''), el('span.label', o.label), o.sub ? el('span.sub', o.sub) : null));
    }
    for (const w of chosen.filter((x) => x && x.startsWith('write-in:'))) {
      body.append(el('button.option', {
        type: 'button', 'aria-pressed': 'true', 'data-choice': w,
        onclick: () => mark(chosen.filter((x) => x !== w)),
      }, el('span.check', { 'aria-hidden': 'true' }, '✓'), el('span.label', w.slice(9)), el('span.sub', t('write_in'))));
    }
    if (c.write_ins && chosen.length < max) {
      body.append(el('button.option.write-in#write-in', { type: 'button', onclick: () => go('write-in', i) }, '+ ' + t('write_in')));
    }
    const left = max - chosen.length;
    status.textContent = c.kind === 'approval' && max >= c.candidates.length
      ? t('approve_any')
      : (left > 0 ? t('choose_more', { n: left }) : t('choose_done'));
  }

  draw();
  // Ranks left empty between others close up.
  const compact = () => setChoices(c, choices(c).filter((x) => x));
  const next = () => {
    compact();
    if (ballot.backToReview || i + 1 >= n) go('review'); else go('contest', i + 1);
  };
  const back = () => { compact(); if (i === 0) go('code'); else go('contest', i - 1); };
  show('contest',
    el('p.progress', { text: t('contest_of', { i: i + 1, n }) }),
    el('h1#contest-title', { text: tr(c.title), 'data-contest': c.id }),
    c.description ? el('p.lead', { text: tr(c.description) }) : null,
    c.kind !== 'ranked' ? el('p.help', { text: t('vote_for', { n: c.max_choices }) }) : null,
    status,
    body,
    el('div.actions',
      el('button.secondary#back', { type: 'button', onclick: back }, t('back')),
      el('button.primary#next', { type: 'button', onclick: next }, ballot.backToReview ? t('review_title') : t('next'))));
}
