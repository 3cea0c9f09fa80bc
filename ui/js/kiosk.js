// The display and language tools of the top bar, on every screen, each
// labelled with its current value ("Text size: large", "Contrast: high",
// "Language: English") and a Reset; every one of them goes back to the
// default for each new voter (onVoterReset). Also the kiosk hardening: no
// escapes by keyboard, mouse or drag.
//
// Text sizes are physical (VVSG 2.0 7.1-G): the core computes, from the
// panel's declared millimetres per pixel, how many pixels high a capital
// letter must be at each size (the status's `display`); this module
// measures the cap-height ratio of the font the screens are drawn in and
// sets the root font size so that a capital letter is exactly that high.
// Every other size in app.css is in rem.
import { EVENTS, announce, onVoterReset } from './events.js';
import { LANGUAGE_EVENT, defaultLanguage, formatDate, setLanguage, t } from './i18n.js';
import { currentRoute, redraw } from './nav.js';
import { state } from './state.js';

// The themes of app.css (html[data-theme]); the first is the default.
export const THEMES = ['standard', 'high-contrast'];

// The screens a voter can change the language on without losing anything
// (the welcome screen has its own language buttons; officials' screens
// are in English).
const LANGUAGE_SCREENS = new Set(['code', 'contest', 'write-in', 'review', 'card', 'card-limit', 'receipt', 'verify']);

// Before the first status: a 96-pixel-per-inch panel (0.265 mm per pixel).
let display = {
  pixel_pitch_um: 265,
  default_size: 1,
  sizes: [
    { name: 'small', cap_px: 15 }, { name: 'standard', cap_px: 19 },
    { name: 'large', cap_px: 25 }, { name: 'largest', cap_px: 33 },
  ],
};
let size = display.default_size;
let theme = THEMES[0];
let capRatio = null;

// The height of a capital letter over the font size, measured in the font
// the page is drawn in (what a canvas draws with the body's font family).
export function measureCapRatio() {
  const family = getComputedStyle(document.body).fontFamily;
  const ctx = document.createElement('canvas').getContext('2d');
  const px = 400;
  ctx.font = px + 'px ' + family;
  const m = ctx.measureText('H');
  const ratio = (m.actualBoundingBoxAscent + Math.max(0, -m.actualBoundingBoxDescent)) / px;
  // A font that reports nothing: DejaVu Sans's 1493/2048.
  return ratio > 0.4 && ratio < 1 ? ratio : 0.729;
}

function apply() {
  const root = document.documentElement;
  if (capRatio === null) capRatio = measureCapRatio();
  const s = display.sizes[size] || display.sizes[display.default_size];
  root.style.fontSize = (s.cap_px / capRatio).toFixed(3) + 'px';
  root.dataset.textSize = s.name;
  root.dataset.capPx = String(s.cap_px);
  root.dataset.capRatio = capRatio.toFixed(4);
  root.dataset.theme = theme;
  label();
}

// Writes each tool's label in the current language.
function label() {
  const s = display.sizes[size] || display.sizes[display.default_size];
  const set = (id, text) => { const b = document.getElementById(id); if (b) b.textContent = text; };
  set('text-size', t('text_size') + ': ' + t('text_size_' + s.name));
  set('contrast', t('contrast') + ': ' + t('contrast_' + theme.replace('-', '_')));
  set('display-reset', t('display_reset'));
  const tools = document.getElementById('display-tools');
  if (tools) tools.setAttribute('aria-label', t('display_group'));
  const lang = document.getElementById('language');
  if (lang) {
    const ctx = state.voter.context;
    const cur = ctx && ctx.languages.find((l) => l.code === state.voter.ballotLanguage);
    lang.replaceChildren(t('language') + ': ');
    if (cur) {
      const name = document.createElement('span');
      name.lang = cur.code;
      name.textContent = cur.name;
      lang.append(name);
    }
  }
  const date = document.getElementById('bar-date');
  if (date) {
    const ctx = state.voter.context;
    date.textContent = ctx && ctx.date ? t('election_date', { date: formatDate(ctx.date) }) : '';
    date.hidden = !date.textContent;
  }
}

// The language tool shows on the voter's screens that can be drawn again.
function languageTool() {
  const b = document.getElementById('language');
  if (!b) return;
  const ctx = state.voter.context;
  const app = document.getElementById('app');
  const route = currentRoute();
  b.hidden = !(ctx && ctx.languages.length > 1 && route && route.name === app.dataset.screen
    && LANGUAGE_SCREENS.has(route.name));
}

// The panel's text sizes (a status's `display`), from start-up and after
// an admin saves a new pixel pitch.
export function setDisplay(d) {
  if (!d || !d.sizes || d.sizes.length !== 4) return;
  display = d;
  if (size >= d.sizes.length) size = d.default_size;
  apply();
}

export function textSize() { return display.sizes[size].name; }

// Back to the standard size and theme (the Reset button, each new voter).
export function resetDisplay() {
  size = display.default_size;
  theme = THEMES[0];
  apply();
}

export function installKiosk() {
  const sizeButton = document.getElementById('text-size');
  sizeButton.addEventListener('click', () => {
    // standard → large → largest → small → standard
    size = (size + 1) % display.sizes.length;
    apply();
    announce(sizeButton.textContent);
  });
  const contrastButton = document.getElementById('contrast');
  contrastButton.addEventListener('click', () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    apply();
    announce(contrastButton.textContent);
  });
  document.getElementById('display-reset').addEventListener('click', () => {
    resetDisplay();
    announce(t('display_reset_done'));
  });
  const langButton = document.getElementById('language');
  langButton.addEventListener('click', () => {
    const ctx = state.voter.context;
    if (!ctx) return;
    const at = ctx.languages.findIndex((l) => l.code === state.voter.ballotLanguage);
    const next = ctx.languages[(at + 1) % ctx.languages.length];
    setLanguage(next.code, next.rtl);
    // The same screen in the new language; the ballot stays as it is.
    redraw();
    const again = document.getElementById('language');
    if (again) again.focus();
    announce(again ? again.textContent : next.name);
  });
  document.addEventListener(LANGUAGE_EVENT, label);
  document.addEventListener(EVENTS.screen, languageTool);
  onVoterReset(resetDisplay);
  // Before the first language is set: the default's strings.
  if (!defaultLanguage()) label();
  apply();

  document.addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('dragstart', (e) => e.preventDefault());
  document.addEventListener('keydown', (e) => {
    const k = e.key;
    const ctrl = e.ctrlKey || e.metaKey;
    const blocked =
      k === 'F5' || k === 'F11' || k === 'F12' || k === 'F7' ||
      (ctrl && ['r', 'R', 'p', 'P', 'f', 'F', 'g', 'G', 'o', 'O', 's', 'S', 'u', 'U', '+', '-', '=', '0', 'w', 'W'].includes(k)) ||
      (ctrl && e.shiftKey && ['i', 'I', 'j', 'J', 'c', 'C'].includes(k)) ||
      (e.altKey && (k === 'ArrowLeft' || k === 'ArrowRight' || k === 'Home')) ||
      (k === 'Backspace' && !['INPUT', 'TEXTAREA'].includes(document.activeElement && document.activeElement.tagName));
    if (blocked) e.preventDefault();
  }, true);
  document.addEventListener('wheel', (e) => { if (e.ctrlKey) e.preventDefault(); }, { passive: false });
}
