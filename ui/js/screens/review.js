// Every contest with its choices, a Change link to each, and Cast; with
// ballot cards (cards.enabled) the main button prints the card instead
// and the card screen asks the voter to read it before the cast. The
// screen starts with the contests that have fewer choices than allowed
// (each a link to its contest); the main button stays in the action bar.
import { el, show, alertBox } from '../dom.js';
import { t, tr, errorText, plural } from '../i18n.js';
import { api } from '../api.js';
import { choices, candidateName, stillAllowed } from '../ballot.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function review() {
  const ballot = state.voter.ballot;
  if (!ballot) return go('welcome', { newVoter: true });
  ballot.backToReview = true;
  const error = alertBox('cast-error');
  const contests = state.voter.context.contests;
  const short = contests.map((c, i) => ({ c, i, left: stillAllowed(c) })).filter((x) => x.left > 0);
  const summary = short.length
    ? el('section.undervotes#undervotes', { 'aria-labelledby': 'undervote-summary' },
      el('h2#undervote-summary', { text: plural('undervote_summary', short.length) }),
      el('ul', short.map(({ c, i, left }) => el('li',
        el('button.link.undervote', { type: 'button', 'data-contest': c.id, onclick: () => go('contest', i) },
          tr(c.title) + ': ' + (choices(c).filter((x) => x).length ? t('undervote_more', { n: left }) : t('undervote_blank')))))),
      el('p.help', { text: t('undervote_help') }))
    : el('p.good-note#undervotes', { text: t('undervote_none') });
  const list = el('ol.review',
    state.voter.context.contests.map((c, i) => {
      const chosen = choices(c);
      return el('li.review-item', { 'data-contest': c.id },
        el('h2', { text: tr(c.title) }),
        chosen.length
          ? el(c.kind === 'ranked' ? 'ol.chosen' : 'ul.chosen', chosen.map((x) => el('li', candidateName(c, x))))
          : el('p.blank', { text: t('no_selection') }),
        el('button.link.change', { type: 'button', 'aria-label': t('change') + ': ' + tr(c.title), onclick: () => go('contest', i) }, t('change')));
    }));
  const cards = state.voter.context.cards && state.voter.context.cards.enabled;
  const label = cards ? t('print_card') : t('cast');
  // The same id either way: the screen's one main action.
  const castButton = el('button.primary.big#cast', { type: 'button' }, label);
  const language = state.voter.ballotLanguage || state.voter.language;
  castButton.addEventListener('click', async () => {
    castButton.disabled = true;
    castButton.textContent = cards ? t('printing_card') : t('casting');
    error.textContent = '';
    try {
      if (!cards) {
        go('receipt', await api.castBallot(ballot.code, ballot.selections, ballot.requestKey, language));
        return;
      }
      const printed = await api.printCard(ballot.code, ballot.selections, language);
      if (!printed.print_error) { go('card', printed); return; }
      error.textContent = t('card_print_failed');
    } catch (err) {
      if (err && err.code === 'spoil_limit') { go('card-limit'); return; }
      error.textContent = errorText(err);
    }
    castButton.disabled = false;
    castButton.textContent = label;
  });
  show('review',
    el('h1', { text: t('review_title') }),
    summary,
    el('p.help', { text: cards ? t('review_help_card') : t('review_help') }),
    list,
    error,
    el('div.actions.action-bar', castButton));
}
