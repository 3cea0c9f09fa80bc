// The official's session in the window: the name and Log out button in
// the top bar, the idle logout, and the password prompt before issuing
// codes or closing the polls. The shell holds the rules (it refuses an
// idle or logged-out token whatever this module does); this module makes
// the window follow them: after the station's idle logout without a touch
// or key it returns to voter mode.
import { api } from './api.js';
import { go } from './nav.js';
import { state } from './state.js';

// How often activity is reported to the shell, at most (ms).
const KEEP_ALIVE_EVERY = 10000;
let timer = null;
let lastKeepAlive = 0;

// The errors that mean the session is over: back to voter mode.
const ENDED = new Set(['session_expired', 'logged_out', 'not_logged_in']);

function bar(on) {
  document.getElementById('official-bar').hidden = !on;
  const me = state.official.me;
  document.getElementById('official-name').textContent = on && me
    ? me.username + (me.role === 'admin' ? ' (admin)' : ' (poll worker)')
    : '';
}

function arm() {
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; go('voter'); }, state.official.idleLogoutSecs * 1000);
}

// A new session from the shell's login answer.
export function startSession(session) {
  state.official.me = session.official;
  state.official.token = session.token;
  state.official.idleLogoutSecs = session.idle_logout_secs;
  lastKeepAlive = Date.now();
  bar(true);
  arm();
}

// Forgets the session in the window (app.js's voter mode also tells the shell).
export function endSession() {
  clearTimeout(timer);
  timer = null;
  state.official.me = null;
  state.official.token = null;
  bar(false);
  closePrompt(null);
}

// True (and back to voter mode) when a command failed because the session ended.
export function sessionEnded(err) {
  if (!(err && ENDED.has(err.code)) || !state.official.token) return false;
  go('voter');
  return true;
}

// Asks the official's password again; resolves with it, or null on Cancel.
let pending = null;
export function askPassword(title) {
  closePrompt(null);
  document.getElementById('reauth-title').textContent = title;
  const field = document.getElementById('reauth-password');
  field.value = '';
  document.getElementById('reauth').hidden = false;
  field.focus();
  return new Promise((resolve) => { pending = resolve; });
}

function closePrompt(value) {
  const box = document.getElementById('reauth');
  if (!box) return;
  box.hidden = true;
  const field = document.getElementById('reauth-password');
  field.value = '';
  if (pending) { const p = pending; pending = null; p(value); }
}

export function installSession() {
  document.getElementById('logout').addEventListener('click', () => go('voter'));
  document.getElementById('reauth-cancel').addEventListener('click', () => closePrompt(null));
  document.getElementById('reauth-form').addEventListener('submit', (e) => {
    e.preventDefault();
    closePrompt(document.getElementById('reauth-password').value);
  });
  // Any touch or key while logged in is activity: the idle logout starts
  // again, and the shell hears of it now and then.
  for (const ev of ['pointerdown', 'keydown', 'input']) {
    document.addEventListener(ev, () => {
      if (!state.official.token) return;
      arm();
      if (Date.now() - lastKeepAlive >= KEEP_ALIVE_EVERY) {
        lastKeepAlive = Date.now();
        api.keepAlive(state.official.token).catch((err) => sessionEnded(err));
      }
    }, true);
  }
}
