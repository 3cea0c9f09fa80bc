// Start-up and mode switching: the only module index.html loads. It
// registers every screen by name, then shows the first one. Poll-worker
// mode is reached with the key chord Ctrl+Alt+P, which voter mode neither
// shows nor mentions.
import { api } from './api.js';
import { installAudio } from './audio.js';
import { installIdle } from './idle.js';
import { installInput } from './input.js';
import { installKiosk, setDisplay } from './kiosk.js';
import { endSession, installSession } from './session.js';
import { go, nextVoterReload, register } from './nav.js';
import { state } from './state.js';
import { installStatus } from './status.js';
import { about } from './screens/about.js';
import { bootProblem, printerNotice } from './screens/problem.js';
import { card, limit as cardLimit } from './screens/card.js';
import { closing } from './screens/closing.js';
import { code } from './screens/code.js';
import { contest } from './screens/contest.js';
import { count } from './screens/count.js';
import { dashboard } from './screens/dashboard.js';
import { login } from './screens/login.js';
import { receipt } from './screens/receipt.js';
import { review } from './screens/review.js';
import { setup } from './screens/setup.js';
import { unlock } from './screens/unlock.js';
import { verify } from './screens/verify.js';
import { welcome } from './screens/welcome.js';
import { writeIn } from './screens/write-in.js';

// After each unlock, the printer is checked once before voting starts.
let printerChecked = false;

// The first screen: what keeps the file from opening, create the election,
// unlock the file, the printer's problems, or vote.
async function boot() {
  // The page reloaded for the next voter: the printer was checked after
  // the unlock already, so straight to the welcome screen.
  if (nextVoterReload()) printerChecked = true;
  const info = await api.appInfo();
  setDisplay(info.display);
  if (info.problem) return bootProblem(info);
  if (!info.exists) return setup(info);
  if (!info.unlocked) { printerChecked = false; return unlock(info); }
  if (!printerChecked) {
    printerChecked = true;
    const notice = await api.printerStatus().catch(() => null);
    if (notice) return printerNotice(notice);
  }
  return toVoter();
}

// Logs the official out (if any) and starts voter mode afresh.
async function toVoter() {
  if (state.official.unlisten) { state.official.unlisten(); state.official.unlisten = null; }
  endSession();
  try { await api.logout(); } catch (_) { /* already logged out */ }
  state.voter.context = await api.voterContext();
  setDisplay(state.voter.context.status.display);
  welcome({ newVoter: true });
}

register({
  boot, voter: toVoter,
  setup, unlock, login, dashboard, closing, count, about,
  welcome, code, contest, 'write-in': writeIn, review, card, 'card-limit': cardLimit, receipt, verify,
});
installKiosk();
installIdle();
installSession();
installInput();
installStatus();
installAudio();

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey && e.altKey && (e.key === 'p' || e.key === 'P')) {
    e.preventDefault();
    api.appInfo().then((info) => { if (info.unlocked) go('login'); });
  }
});

boot().catch((err) => {
  document.getElementById('app').textContent = (err && err.message) || 'votekiosk could not start.';
});
