// The ballot being filled in (state.voter.ballot) and how its choices read.
import { state } from './state.js';
import { t, tr } from './i18n.js';

function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// A fresh ballot for an accepted code. The request key makes a repeated
// cast of the same ballot return the same receipt.
export function newBallot(code) {
  return { code, requestKey: randomKey(), selections: {}, backToReview: false };
}

// The choices marked so far in a contest.
export function choices(contest) {
  return state.voter.ballot.selections[contest.id] || [];
}

export function setChoices(contest, list) {
  state.voter.ballot.selections[contest.id] = list;
}

// How a choice reads on the review screen.
export function candidateName(contest, choice) {
  if (choice.startsWith('write-in:')) return choice.slice(9) + ' (' + t('write_in') + ')';
  if (contest.kind === 'yesno') {
    return choice === 'yes' ? (tr(contest.yes_label) || t('yes')) : (tr(contest.no_label) || t('no'));
  }
  const c = contest.candidates.find((x) => x.id === choice);
  return c ? tr(c.name) : choice;
}

// How many more choices a contest allows (0 when it is full). A contest
// that approves any number counts as short only when left blank.
export function stillAllowed(contest) {
  const chosen = choices(contest).filter((x) => x).length;
  const options = contest.kind === 'yesno' ? 2 : contest.candidates.length;
  if (contest.kind === 'approval' && contest.max_choices >= options) return chosen ? 0 : contest.max_choices;
  return Math.max(0, contest.max_choices - chosen);
}
