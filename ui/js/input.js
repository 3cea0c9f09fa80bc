// Tactile keypad and two-switch input for voters (docs/accessibility.md).
//
// KEYPAD is the one table of the keys a BMD tactile keypad sends (the
// common layout: a cross of arrows around a select key, with back, help
// and repeat keys; controllers of this kind are USB keyboards sending these
// keys) and the action of each. SWITCH_KEYS are the two switches of the
// scanning mode: switch 1 moves a highlighted focus through every control
// of the screen in order (wrapping), switch 2 uses it.
//
// Focus is always the real DOM focus (the audio ballot speaks 'focusin'),
// and it never leaves an open dialog (.overlay): Tab, the arrows and
// switch 1 all go round that dialog's controls only.
import { el } from './dom.js';
import { EVENTS, announce, emit, onVoterReset } from './events.js';
import { t } from './i18n.js';

export const KEYPAD = Object.freeze({
  ArrowUp: 'up',
  ArrowDown: 'down',
  ArrowLeft: 'left',
  ArrowRight: 'right',
  Enter: 'select',
  ' ': 'select',
  Backspace: 'back',
  Escape: 'back',
  h: 'help',
  H: 'help',
  '?': 'help',
  r: 'repeat',
  R: 'repeat',
  // The audio keys (an audio-tactile keypad's rate and volume rockers):
  // speed down/up, volume down/up ('vk:rate', 'vk:volume').
  '[': 'slower',
  ']': 'faster',
  '-': 'softer',
  '=': 'louder',
  '+': 'louder',
});

// Switch interfaces send one key per switch: Tab/Enter (the common
// default), F13/F14 (keys no keyboard types, for an interface that can be
// set to them) or 1/2 (the other common one). 1 and 2 are digits of the
// code alphabet, so in a text field (the code, the receipt, a write-in
// typed on a physical keyboard) they are text, not switches: a switch
// interface that sends 1/2 is set to Tab/Enter or F13/F14 instead.
export const SWITCH_KEYS = Object.freeze({
  Tab: 'move',
  F13: 'move',
  1: 'move',
  Enter: 'select',
  F14: 'select',
  2: 'select',
});

// The switch keys that are also text (a text field keeps them).
const TEXT_SWITCH_KEYS = new Set(['1', '2']);

// The voter code and receipt alphabet: Crockford base32 as the core reads
// it (src/crypto/base32.rs ALPHABET; a contract test keeps them equal).
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// The screens a voter uses: officials' screens keep the plain keyboard.
const VOTER_SCREENS = new Set([
  'welcome', 'code', 'contest', 'write-in', 'review', 'card', 'card-spoiled',
  'card-limit', 'receipt', 'verify',
]);

const FOCUSABLE = 'button, input:not([type="hidden"]), select, textarea, a[href], [tabindex="0"]';

let scanning = false;

export function scanningOn() { return scanning; }

// Turns the two-switch scanning mode on or off (welcome screen, settings bar).
export function setScanning(on) {
  scanning = !!on;
  document.documentElement.classList.toggle('scanning', scanning);
  for (const b of document.querySelectorAll('[data-scan-toggle]')) {
    b.setAttribute('aria-pressed', String(scanning));
    if (b.dataset.scanToggle === 'label') b.textContent = scanLabel();
  }
  if (!scanning) clearHighlight();
}

export function scanLabel() {
  return scanning ? t('scan_on') : t('scan_off');
}

function visible(node) {
  if (node.disabled || node.closest('[hidden], [inert], [aria-hidden="true"]')) return false;
  return node.getClientRects().length > 0;
}

// The open dialog, if any: the one on top (the last in the page).
function openDialog() {
  const open = Array.from(document.querySelectorAll('.overlay')).filter((o) => !o.hidden);
  return open.length ? open[open.length - 1] : null;
}

// Every control the voter can reach now, in order: the open dialog's; or
// the screen's (reading order, the action bar last), then the top bar's.
export function controls() {
  const dialog = openDialog();
  const roots = dialog ? [dialog] : [document.getElementById('app'), document.getElementById('bar')];
  return roots.filter(Boolean).flatMap((r) => Array.from(r.querySelectorAll(FOCUSABLE)).filter(visible));
}

function clearHighlight() {
  for (const n of document.querySelectorAll('.scan-focus')) n.classList.remove('scan-focus');
}

// Moves the real focus `step` controls on (wrapping round).
export function moveFocus(step) {
  const list = controls();
  if (!list.length) return;
  const at = list.indexOf(document.activeElement);
  let next;
  if (at < 0) next = step > 0 ? 0 : list.length - 1;
  else next = (at + step + list.length) % list.length;
  clearHighlight();
  const target = list[next];
  if (scanning) target.classList.add('scan-focus');
  target.focus();
  if (target.scrollIntoView) target.scrollIntoView({ block: 'nearest' });
}

function isTextField(node) {
  return node && ((node.tagName === 'INPUT' && !['button', 'checkbox', 'radio', 'submit'].includes(node.type)) || node.tagName === 'TEXTAREA');
}

// Uses the focused control as a touch would.
function activate() {
  const a = document.activeElement;
  if (!a || a === document.body) return;
  if (a.tagName === 'BUTTON' || a.tagName === 'A') { a.click(); return; }
  if (isTextField(a) && a.form) a.form.requestSubmit();
}

// The screen's way back: its Back or Cancel button.
function back() {
  const dialog = openDialog();
  const root = dialog || document.getElementById('app');
  const b = root.querySelector('[data-back]');
  if (b && visible(b)) b.click();
}

function voterScreen() {
  const app = document.getElementById('app');
  return VOTER_SCREENS.has(app && app.dataset.screen);
}

function onKey(e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const dialog = openDialog();
  const voter = voterScreen();
  if (!voter && !dialog) return;
  const field = isTextField(e.target);

  if (scanning && voter && !(field && TEXT_SWITCH_KEYS.has(e.key))) {
    const action = SWITCH_KEYS[e.key];
    if (action === 'move') { e.preventDefault(); moveFocus(e.shiftKey ? -1 : 1); return; }
    if (action === 'select') { e.preventDefault(); activate(); return; }
  }
  // Tab never leaves an open dialog.
  if (e.key === 'Tab' && dialog) { e.preventDefault(); moveFocus(e.shiftKey ? -1 : 1); return; }
  if (!voter) return;

  const action = KEYPAD[e.key];
  if (!action) return;
  switch (action) {
    case 'up': case 'left':
      // In a text field the left arrow moves the caret.
      if (field && action === 'left') return;
      e.preventDefault(); moveFocus(-1); return;
    case 'down': case 'right':
      if (field && action === 'right') return;
      e.preventDefault(); moveFocus(1); return;
    case 'select':
      // Buttons answer Enter and Space themselves; a text field submits on Enter.
      return;
    case 'back':
      if (field && e.key === 'Backspace') return;
      e.preventDefault(); back(); return;
    case 'help':
      if (field) return;
      e.preventDefault(); emit(EVENTS.help, { screen: document.getElementById('app').dataset.screen }); return;
    case 'repeat':
      if (field) return;
      e.preventDefault(); emit(EVENTS.repeat, {}); return;
    case 'slower': case 'faster':
      if (field) return;
      e.preventDefault(); emit('vk:rate', { delta: action === 'faster' ? 1 : -1 }); return;
    case 'softer': case 'louder':
      if (field) return;
      e.preventDefault(); emit('vk:volume', { delta: action === 'louder' ? 1 : -1 }); return;
    default:
  }
}

// A toggle for scanning mode (the welcome screen has one, the top bar another).
export function scanToggle(id, withLabel) {
  const b = el('button.tool.scan-toggle#' + id, {
    type: 'button', 'aria-pressed': String(scanning),
    'data-scan-toggle': withLabel ? 'label' : 'icon',
    'aria-label': withLabel ? null : t('scan_name'),
    onclick: () => setScanning(!scanning),
  }, withLabel ? scanLabel() : '⇄');
  return b;
}

// Scrolls the page (or the screen, where it scrolls alone) so `target`
// sits between the window's top and the action bar.
function keepClearOfActionBar(target) {
  const bar = document.querySelector('.action-bar');
  if (!target || !target.getBoundingClientRect || !bar || bar.contains(target) || target.closest('.overlay')) return;
  const r = target.getBoundingClientRect();
  const limit = bar.getBoundingClientRect().top - 8;
  let by = 0;
  if (r.bottom > limit) by = Math.min(r.bottom - limit, r.top - 8);
  else if (r.top < 0) by = r.top - 8;
  if (!by) return;
  const main = document.getElementById('app');
  const scrolls = main && ['auto', 'scroll'].includes(getComputedStyle(main).overflowY) && main.scrollHeight > main.clientHeight + 1;
  const scroller = scrolls ? main : document.scrollingElement;
  scroller.scrollBy(0, by);
}

export function installInput() {
  document.addEventListener('keydown', onKey, true);
  // A pointer or another key puts the highlight where the focus is.
  document.addEventListener('focusin', (e) => {
    if (!scanning) return;
    if (!e.target.classList.contains('scan-focus')) { clearHighlight(); e.target.classList.add('scan-focus'); }
  });
  // Whatever key moved the focus (Tab, a switch, the keypad), the control
  // lands wholly above the action bar held at the bottom: at the large
  // sizes the whole page scrolls, and the browser's own scroll on focus
  // does not know the bar covers the bottom of the window. A control
  // touched or clicked is under the voter's finger: the page never moves
  // under it (the next touch would land on something else).
  let byPointer = false;
  document.addEventListener('pointerdown', () => { byPointer = true; }, true);
  document.addEventListener('keydown', () => { byPointer = false; }, true);
  document.addEventListener('focusin', (e) => {
    if (byPointer) return;
    requestAnimationFrame(() => { if (!byPointer && document.activeElement === e.target) keepClearOfActionBar(e.target); });
  });
  // The top bar's toggle, beside the display settings, on every screen.
  const tools = document.getElementById('display-tools');
  if (tools && !document.getElementById('scan-tool')) tools.append(scanToggle('scan-tool', true));
  document.addEventListener(EVENTS.screen, () => {
    clearHighlight();
    // Labels follow the language.
    for (const b of document.querySelectorAll('[data-scan-toggle]')) {
      if (b.dataset.scanToggle === 'label') b.textContent = scanLabel(); else b.setAttribute('aria-label', t('scan_name'));
    }
  });
  onVoterReset(() => setScanning(false));
}

// The on-screen keypad of a voter code or receipt field: the code
// alphabet only, grouped by four as printed, and Delete. A key keeps the
// focus; the symbol typed is announced.
export function codeKeypad(input, label) {
  const put = (value) => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const symbols = () => input.value.toUpperCase().replace(/[^0-9A-Z]/g, '');
  const grouped = (s) => (s.match(/.{1,4}/g) || []).join('-');
  const press = (ch) => {
    // A scanned payload (with ':') is left as it is; a typed code regroups.
    if (/^[0-9A-Z-]*$/i.test(input.value)) put(grouped(symbols() + ch)); else put(input.value + ch);
    announce(ch);
  };
  const rows = [];
  for (let at = 0; at < CODE_ALPHABET.length; at += 8) {
    rows.push(el('div.key-row', Array.from(CODE_ALPHABET.slice(at, at + 8), (ch) => el('button.key', {
      type: 'button', 'data-key': ch, onclick: () => press(ch),
    }, ch))));
  }
  rows.push(el('div.key-row', el('button.key.wide#keypad-delete', {
    type: 'button',
    onclick: () => {
      const s = symbols();
      if (/^[0-9A-Z-]*$/i.test(input.value)) put(grouped(s.slice(0, -1))); else put(input.value.slice(0, -1));
      announce(t('keyboard_deleted'));
    },
  }, t('keyboard_delete'))));
  return el('div.keyboard.keypad', { role: 'group', 'aria-label': label }, rows);
}
