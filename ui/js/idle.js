// The idle timer of voter screens: warn, then discard an unfinished
// ballot. The timeout is the station's setting (state.voter.context).
import { state } from './state.js';
import { t } from './i18n.js';

let idleTimer = null, warnTimer = null, countdown = null;
let armed = false, onTimeout = null;

function clearIdle() {
  clearTimeout(idleTimer); clearTimeout(warnTimer); clearInterval(countdown);
  document.getElementById('idle').hidden = true;
}

export function idleStop() { armed = false; clearIdle(); }

export function idleStart(then) {
  onTimeout = then;
  armed = true;
  idleReset();
}

export function idleReset() {
  if (!armed) return;
  clearIdle();
  const total = state.voter.context.idle_timeout_secs * 1000;
  const warnAt = Math.max(total - 20000, total * 0.8);
  warnTimer = setTimeout(() => {
    const box = document.getElementById('idle');
    let left = Math.round((total - warnAt) / 1000);
    document.getElementById('idle-title').textContent = t('idle_title');
    const body = document.getElementById('idle-body');
    body.textContent = t('idle_body', { n: left });
    const more = document.getElementById('idle-more');
    more.textContent = t('idle_more');
    box.hidden = false;
    more.focus();
    countdown = setInterval(() => { left -= 1; body.textContent = t('idle_body', { n: Math.max(left, 0) }); }, 1000);
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
