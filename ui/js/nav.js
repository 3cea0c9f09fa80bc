// Screens by name. A screen moves on with go('review'), so screen modules
// never import one another and may load in any order; app.js registers
// them all before the first screen is shown.
const routes = new Map();

export function register(table) {
  for (const [name, fn] of Object.entries(table)) routes.set(name, fn);
}

let current = null;

export function go(name, ...args) {
  const route = routes.get(name);
  if (!route) throw new Error('no screen named ' + name);
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
