// Status that cannot be missed: the full-width striped test-mode banner,
// on every voter and official screen while the station is in test mode.
// The mode comes from the voter context (voter screens) and from the
// dashboard's status (official screens); the banner is put right on every
// screen shown.
import { EVENTS } from './events.js';
import { t } from './i18n.js';

let mode = null;

export function setMode(m) {
  mode = m;
  paint();
}

function paint() {
  const banner = document.getElementById('test-banner');
  if (!banner) return;
  const test = mode === 'test';
  banner.hidden = !test;
  banner.textContent = test ? t('test_banner') : '';
  document.documentElement.classList.toggle('test-mode', test);
}

export function installStatus() {
  document.addEventListener(EVENTS.screen, paint);
}
