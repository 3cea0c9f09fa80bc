// Every contest with its choices, a Change link to each, and Cast.
import { el, show, alertBox } from '../dom.js';
import { t, tr, errorText } from '../i18n.js';
import { api } from '../api.js';
import { choices, candidateName } from '../ballot.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function review() {
  const ballot = state.voter.ballot;
  ballot.backToReview = true;
  const error = alertBox('cast-error');
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
  const castButton = el('button.primary.big#cast', { type: 'button' }, t('cast'));
  castButton.addEventListener('click', async () => {
    castButton.disabled = true;
    castButton.textContent = t('casting');
    error.textContent = '';
    try {
      const receipt = await api.castBallot(ballot.code, ballot.selections, ballot.requestKey, state.voter.ballotLanguage || state.voter.language);
      go('receipt', receipt);
    } catch (err) {
      error.textContent = errorText(err);
      castButton.disabled = false;
      castButton.textContent = t('cast');
    }
  });
  show('review',
    el('h1', { text: t('review_title') }),
    el('p.help', { text: t('review_help') }),
    list,
    error,
    el('div.actions', castButton));
}
