// The idle timer of voter screens: warn, then start afresh (an unfinished
// ballot is forgotten). The timeout is the station's setting
// (state.voter.context: 120–300 s, the core's range); the warning shows
// for the last WARN_SECS of it, worded for the screen it appears on, in a
// dialog that holds the focus (js/input.js keeps Tab, the arrows and the
// switches inside it).
import { state } from './state.js';
import { t } from './i18n.js';
import { announce } from './events.js';

// How long the warning shows before the timeout (at least 20 s).
export const WARN_SECS = 30;

let idleTimer = null, warnTimer = null, countdown = null;
let armed = false, onTimeout = null, focusBefore = null;

function hideWarning() {
  const box = document.getElementById('idle');
  const was = !box.hidden;
  box.hidden = true;
  if (was && focusBefore && focusBefore.isConnected) focusBefore.focus();
  focusBefore = null;
}

function clearIdle() {
  clearTimeout(idleTimer); clearTimeout(warnTimer); clearInterval(countdown);
  hideWarning();
}

export function idleStop() { armed = false; clearIdle(); }

export function idleStart(then) {
  onTimeout = then;
  armed = true;
  idleReset();
}

// What the warning says on this screen: a ballot being filled in is
// cleared; a printed card not yet cast is not cast; elsewhere (the code,
// receipt, verify or welcome screen) the screen starts again.
function bodyKey() {
  const screen = document.getElementById('app').dataset.screen;
  if (screen === 'receipt') return 'idle_body_receipt';
  if (screen === 'card' || screen === 'card-spoiled' || screen === 'card-limit') return 'idle_body_card';
  if (state.voter.ballot) return 'idle_body';
  return 'idle_body_start';
}

export function idleReset() {
  if (!armed) return;
  clearIdle();
  const total = state.voter.context.idle_timeout_secs * 1000;
  const warnAt = Math.max(total - WARN_SECS * 1000, 0);
  warnTimer = setTimeout(() => {
    const box = document.getElementById('idle');
    let left = Math.round((total - warnAt) / 1000);
    const key = bodyKey();
    document.getElementById('idle-title').textContent = t('idle_title');
    const body = document.getElementById('idle-body');
    body.textContent = t(key, { n: left });
    const more = document.getElementById('idle-more');
    more.textContent = t('idle_more');
    focusBefore = document.activeElement;
    box.hidden = false;
    more.focus();
    announce(t('idle_title') + ' ' + body.textContent, true);
    countdown = setInterval(() => { left -= 1; body.textContent = t(key, { n: Math.max(left, 0) }); }, 1000);
  }, warnAt);
  idleTimer = setTimeout(() => { idleStop(); if (onTimeout) onTimeout(); }, total);
}

// Any touch or key while no warning shows starts the wait again.
export function installIdle() {
  document.getElementById('idle-more').addEventListener('click', () => idleReset());
  for (const ev of ['pointerdown', 'keydown', 'input']) {
    document.addEventListener(ev, () => { if (document.getElementById('idle').hidden) idleReset(); }, true);
  }
}
