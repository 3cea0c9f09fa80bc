// Screens by name. A screen moves on with go('review'), so screen modules
// never import one another and may load in any order; app.js registers
// them all before the first screen is shown.
const routes = new Map();

export function register(table) {
  for (const [name, fn] of Object.entries(table)) routes.set(name, fn);
}

export function go(name, ...args) {
  const route = routes.get(name);
  if (!route) throw new Error('no screen named ' + name);
  return route(...args);
}
