// Screens by name. A screen moves on with go('review'), so screen modules
// never import one another and may load in any order; app.js registers
// them all before the first screen is shown.
const routes = new Map();

export function register(table) {
  for (const [name, fn] of Object.entries(table)) routes.set(name, fn);
}

let current = null;

// Each voter starts on a fresh document. Once a voter (or a poll worker)
// has gone past the welcome screen, the next voter's welcome screen
// reloads the page first: nothing of the voter before stays in the page's
// memory, and WebKit's own memory does not grow with every voter of the
// day (it kept some 60 KiB of each voter's screens that no script held;
// a reload gives it back: BENCHMARKS.md, the app's leak check).
const NEXT_VOTER = 'votekiosk-next-voter';
const USES = new Set(['code', 'verify', 'login']);
let used = false;

// Whether this document has served a voter or a poll worker.
export function documentUsed() {
  return used;
}

// Reloads the page for the next voter; the reloaded page's start-up
// (app.js) goes straight to the voter welcome screen (nextVoterReload).
export function reloadForNextVoter() {
  sessionStorage.setItem(NEXT_VOTER, '1');
  window.location.reload();
}

// Whether this page was loaded by reloadForNextVoter (asked once).
export function nextVoterReload() {
  const next = sessionStorage.getItem(NEXT_VOTER) === '1';
  sessionStorage.removeItem(NEXT_VOTER);
  return next;
}

export function go(name, ...args) {
  const route = routes.get(name);
  if (!route) throw new Error('no screen named ' + name);
  if (USES.has(name)) used = true;
  current = { name, args };
  return route(...args);
}

// The screen last reached through go(): its name and arguments.
export function currentRoute() {
  return current;
}

// Shows the current screen again with the same arguments (the voter
// changed the language: the ballot, kept in state.js, is drawn anew).
export function redraw() {
  if (current) go(current.name, ...current.args);
}
