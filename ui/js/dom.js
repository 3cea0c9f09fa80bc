// Building elements and showing screens.
import { EVENTS, emit } from './events.js';

// el('button.primary#go', {onclick, 'aria-label': ...}, child, ...)
export function el(spec, attrs, ...children) {
  // The attributes object is optional: el('div', child, ...) works too.
  if (attrs instanceof Node || Array.isArray(attrs) || typeof attrs !== 'object' || attrs === null) {
    if (attrs !== undefined && attrs !== null) children.unshift(attrs);
    attrs = {};
  }
  const m = spec.match(/^([a-z0-9]+)([.#][^]*)?$/i);
  const node = document.createElement(m ? m[1] : 'div');
  const rest = (m && m[2]) || '';
  rest.replace(/([.#])([^.#]+)/g, (_, kind, name) => {
    if (kind === '.') node.classList.add(name); else node.id = name;
  });
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Replaces the screen and moves focus to its heading (screen readers
// announce the new screen; keyboard users start at the top).
export function show(name, ...children) {
  const app = document.getElementById('app');
  app.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  app.dataset.screen = name;
  const target = app.querySelector('[autofocus]') || app.querySelector('h1') || app;
  if (!target.hasAttribute('tabindex') && target.tagName === 'H1') target.setAttribute('tabindex', '-1');
  target.focus();
  emit(EVENTS.screen, { name });
}

// An empty message line that screen readers announce when it fills.
export function alertBox(id) {
  return el('p.alert#' + id, { role: 'alert', 'aria-live': 'assertive' });
}

// A label and its text input (officials' forms).
export function field(id, label, attrs) {
  return [el('label', { for: id, text: label }), el('input#' + id, Object.assign({ type: 'text', autocomplete: 'off' }, attrs || {}))];
}

// What an official reads when a command fails (officials' screens are in English).
export function messageOf(err) {
  return (err && err.message) || 'Something went wrong.';
}
