// The ballot card (cards.enabled): the card is printing; the voter reads
// it and either casts the ballot (the card goes into the ballot box, the
// receipt prints) or says the card is wrong (it is spoiled: the voter
// hands it to a poll worker and goes back to the review screen). After
// the election's limit of spoiled cards a poll worker must help.
import { el, show, alertBox } from '../dom.js';
import { t, errorText } from '../i18n.js';
import { api } from '../api.js';
import { go } from '../nav.js';
import { state } from '../state.js';

export function card(printed) {
  const ballot = state.voter.ballot;
  if (!ballot) return go('welcome', { newVoter: true });
  const error = alertBox('card-error');
  const castButton = el('button.primary.big#card-cast', { type: 'button' }, t('card_cast'));
  const wrongButton = el('button.secondary.big#card-wrong', { type: 'button' }, t('card_wrong'));
  const busy = (on) => { castButton.disabled = on; wrongButton.disabled = on; };
  castButton.addEventListener('click', async () => {
    busy(true);
    castButton.textContent = t('casting');
    error.textContent = '';
    try {
      const receipt = await api.castBallot(ballot.code, ballot.selections, ballot.requestKey, state.voter.ballotLanguage || state.voter.language);
      go('receipt', receipt);
    } catch (err) {
      error.textContent = errorText(err);
      busy(false);
      castButton.textContent = t('card_cast');
    }
  });
  wrongButton.addEventListener('click', async () => {
    busy(true);
    error.textContent = '';
    try {
      await api.spoilCard(ballot.code);
      spoiled();
    } catch (err) {
      if (err && err.code === 'spoil_limit') return limit();
      error.textContent = errorText(err);
      busy(false);
    }
  });
  show('card',
    el('h1', { text: t('card_title') }),
    printed && printed.test ? el('p.test-note', { text: t('test_ballot') }) : null,
    el('p#card-help', { text: t('card_help') }),
    printed && printed.reprint_of_spoiled ? el('p.small#card-reprint', { text: t('card_reprint') }) : null,
    el('ul.card-steps',
      el('li', { text: t('card_step_right') }),
      el('li', { text: t('card_step_wrong') })),
    error,
    el('div.actions.action-bar', wrongButton, castButton));
}

// The card is spoiled: hand it over, then review and print again.
function spoiled() {
  show('card-spoiled',
    el('h1', { text: t('card_spoiled_title') }),
    el('p', { text: t('card_spoiled_help') }),
    el('div.actions.action-bar', el('button.primary.big#card-back-review', { type: 'button', onclick: () => go('review') }, t('card_back_review'))));
}

// No more cards for this code: a poll worker steps in.
export function limit() {
  show('card-limit',
    el('h1', { text: t('card_limit_title') }),
    el('p.alert#card-limit-help', { role: 'alert', text: t('card_limit_help') }),
    el('div.actions.action-bar', el('button.secondary#card-limit-review', { type: 'button', onclick: () => go('review') }, t('card_back_review'))));
}
