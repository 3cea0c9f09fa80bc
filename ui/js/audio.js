// The audio ballot: every voter screen read aloud in the voter's language,
// with eSpeak NG's voice from the shell (api.speak returns WAV bytes, which
// play from a blob: URL; nothing is written anywhere).
//
// It only listens (events.js): 'vk:screen' reads the screen (its heading,
// instructions, review lines, the ballot card read back, the receipt id
// character by character), 'focusin' the focused control's name and state
// (so keypad moves and switch scanning are heard with no extra hook),
// 'vk:announce' what the screens announce ("selected", overvote refusals),
// 'vk:help' a help text per screen, 'vk:repeat' the screen again. Optional
// hooks for the keypad: 'vk:rate' and 'vk:volume' ({delta: ±1}).
//
// The voter turns it on from the welcome screen (or by asking for help),
// with the speed, the volume and the screen-off (audio only) privacy mode;
// all of it resets for the next voter (onVoterReset).
//
// Each utterance is a list of phrases, synthesised one by one, so the
// phrases every voter hears come from the shell's cache (warmed here when
// the welcome screen first shows). What a window test may read of it is on
// <body>: data-speech-seq, -kind, -screen, -ms, -rms, -segments (never a
// word of what was said).
import { api } from './api.js';
import { el } from './dom.js';
import { EVENTS, onVoterReset } from './events.js';
import { allStrings, errorText, t, tr } from './i18n.js';
import { candidateName, choices } from './ballot.js';
import { state } from './state.js';

const VOTER_SCREENS = new Set(['welcome', 'code', 'contest', 'write-in', 'review', 'card', 'card-spoiled', 'card-limit', 'receipt', 'verify']);
const RATES = [120, 150, 175, 210, 260];   // words per minute; 175 is eSpeak's own
const VOLUMES = [0.25, 0.5, 0.75, 1];
const DEFAULTS = Object.freeze({ on: false, screenOff: false, rate: 2, volume: 2 });
const RECEIPT_CHARS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const settings = Object.assign({}, DEFAULTS);
let generation = 0;        // bumped by each utterance; older ones stop
let playing = null;        // the <audio> element now playing
let lastScreen = [];       // the phrases of the last screen, for 'repeat'
let pendingFocus = 0;      // a focus utterance waiting for this task to end
const warmed = new Set();  // "definition/language" pairs warmed

const language = () => state.voter.ballotLanguage || state.voter.language || 'en';
const screenName = () => document.getElementById('app').dataset.screen || '';
const onVoterScreen = () => VOTER_SCREENS.has(screenName());
const text = (node) => (node.textContent || '').replace(/\s+/g, ' ').trim();

// ---- reading a WAV (its length and loudness, for the test hooks) ----

function wavStats(buffer) {
  const v = new DataView(buffer);
  let at = 12; let channels = 1; let rate = 22050;
  while (at + 8 <= v.byteLength) {
    const id = String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
    const size = v.getUint32(at + 4, true);
    if (id === 'fmt ') { channels = v.getUint16(at + 10, true); rate = v.getUint32(at + 12, true); }
    if (id === 'data') {
      const end = Math.min(v.byteLength, at + 8 + size);
      let sum = 0; let n = 0;
      for (let i = at + 8; i + 1 < end; i += 2) { const x = v.getInt16(i, true) / 32768; sum += x * x; n += 1; }
      return { ms: (n / channels / rate) * 1000, sum, n };
    }
    at += 8 + size + (size & 1);
  }
  return { ms: 0, sum: 0, n: 0 };
}

// ---- playing ----

function stop() {
  generation += 1;
  if (playing) { playing.pause(); playing = null; }
}

// Plays one WAV to its end (or until a newer utterance stops it). A
// kiosk without a sound device still moves on, after the sound's length.
function play(buffer, ms, gen) {
  return new Promise((resolve) => {
    if (gen !== generation) { resolve(); return; }
    const url = URL.createObjectURL(new Blob([buffer], { type: 'audio/wav' }));
    const audio = new Audio(url);
    audio.volume = VOLUMES[settings.volume];
    playing = audio;
    let timer = 0;
    const done = () => {
      window.clearTimeout(timer);
      audio.removeEventListener('ended', done);
      audio.removeEventListener('error', done);
      URL.revokeObjectURL(url);
      if (playing === audio) playing = null;
      resolve();
    };
    audio.addEventListener('ended', done);
    audio.addEventListener('error', done);
    audio.addEventListener('pause', done);
    timer = window.setTimeout(done, ms + 1500);
    const p = audio.play();
    if (p && p.catch) p.catch(() => { window.clearTimeout(timer); timer = window.setTimeout(done, ms); });
  });
}

// Says `phrases` (strings, in order), interrupting whatever was being said.
async function say(kind, phrases) {
  const list = phrases.map((p) => String(p || '').replace(/\s+/g, ' ').trim()).filter((p) => p);
  if (!settings.on || !list.length) return;
  stop();
  const gen = generation;
  const lang = language();
  const rate = RATES[settings.rate];
  let wavs;
  try {
    wavs = (await Promise.all(list.map((p) => api.speak(lang, p, rate))))
      .map((w) => (w instanceof ArrayBuffer ? w : new Uint8Array(w).buffer));
  } catch (err) {
    if (gen === generation) showError(err);
    return;
  }
  if (gen !== generation) return;
  clearError();
  let ms = 0; let sum = 0; let n = 0;
  const stats = wavs.map((w) => wavStats(w));
  for (const s of stats) { ms += s.ms; sum += s.sum; n += s.n; }
  const b = document.body.dataset;
  b.speechKind = kind;
  b.speechScreen = screenName();
  b.speechLang = lang;
  b.speechSegments = String(list.length);
  b.speechMs = String(Math.round(ms));
  b.speechRms = n ? (Math.sqrt(sum / n)).toFixed(4) : '0';
  b.speechSeq = String(Number(b.speechSeq || 0) + 1);
  for (let i = 0; i < wavs.length && gen === generation; i += 1) await play(wavs[i], stats[i].ms, gen);
}

// A speech failure reaches the screen as a message a poll worker can act on.
function showError(err) {
  document.body.dataset.speechError = (err && err.code) || 'speech_failed';
  const app = document.getElementById('app');
  let box = document.getElementById('audio-error');
  if (!box || !app.contains(box)) {
    box = el('p.alert#audio-error', { role: 'alert' });
    app.append(box);
  }
  box.textContent = errorText(err);
}

function clearError() {
  delete document.body.dataset.speechError;
  const box = document.getElementById('audio-error');
  if (box) box.remove();
}

// ---- what a screen and a control say ----

function hidden(node) {
  return !!node.closest('[aria-hidden="true"], [hidden], .qr, #audio-controls, #audio-error');
}

// The screen's text blocks in reading order: headings, instructions,
// review lines, messages. Controls are read when they get the focus.
function screenPhrases() {
  const app = document.getElementById('app');
  const out = [];
  const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
  let block = null; let words = '';
  const flush = () => { if (words.trim()) out.push(words); words = ''; };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || hidden(parent) || parent.closest('button, input, select, textarea, label, [role="button"], .receipt-id')) continue;
    const b = parent.closest('h1, h2, h3, p, li, dt, dd, legend, td, th, div');
    if (b !== block) { flush(); block = b; }
    words += ' ' + node.nodeValue;
  }
  flush();
  const id = app.querySelector('.receipt-id');
  if (id) out.push(...spell(text(id)));
  return out;
}

// A receipt id, one character at a time (dashes are pauses).
function spell(id) {
  return [t('audio_receipt_spelled'), ...Array.from(id).filter((c) => c.trim() && c !== '-')];
}

function stateWord(node) {
  for (const attr of ['aria-pressed', 'aria-checked', 'aria-selected']) {
    const v = node.getAttribute(attr);
    if (v === 'true') return t('audio_selected');
    if (v === 'false') return t('audio_not_selected');
  }
  return '';
}

// The focused control's accessible name and state, as phrases.
function controlPhrases(node) {
  if (!node || node === document.body || hidden(node)) return [];
  const tag = node.tagName;
  if (!['BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'A'].includes(tag) && !node.getAttribute('role')) return [];
  const out = [];
  if (node.dataset.rank && node.dataset.candidate) {
    // A ranking button: the candidate, then the rank (each a cached phrase).
    const row = node.closest('[aria-label]:not(button)');
    out.push(row ? row.getAttribute('aria-label') : '', t('rank_choice', { n: node.dataset.rank }));
  } else if (node.getAttribute('aria-label')) {
    out.push(node.getAttribute('aria-label'));
  } else if (node.getAttribute('aria-labelledby')) {
    out.push(node.getAttribute('aria-labelledby').split(/\s+/).map((id) => {
      const l = document.getElementById(id);
      return l ? text(l) : '';
    }).join(' '));
  } else if (node.labels && node.labels.length) {
    out.push(text(node.labels[0]), t('audio_edit_text'));
  } else {
    const parts = Array.from(node.children).filter((c) => c.getAttribute('aria-hidden') !== 'true').map(text).filter((s) => s);
    if (parts.length) out.push(...parts); else out.push(text(node));
  }
  const word = stateWord(node);
  if (word) out.push(word);
  if (node.disabled) out.push(t('audio_unavailable'));
  return out;
}

// The printed ballot card, read back from the choices the kiosk printed
// (this kiosk has no scanner to read the card's QR).
function cardPhrases() {
  const ctx = state.voter.context;
  if (!ctx || !state.voter.ballot) return [];
  const out = [t('audio_card_readback')];
  for (const c of ctx.contests) {
    out.push(tr(c.title));
    const chosen = choices(c).filter((x) => x);
    if (!chosen.length) out.push(t('no_selection'));
    chosen.forEach((x, i) => {
      if (c.kind === 'ranked') out.push(t('rank_choice', { n: i + 1 }));
      out.push(candidateName(c, x));
    });
  }
  out.push(t('audio_card_end'));
  return out;
}

function readScreen(kind) {
  if (!onVoterScreen()) { stop(); return; }
  const phrases = screenPhrases();
  if (screenName() === 'card') phrases.push(...cardPhrases());
  lastScreen = phrases;
  say(kind, phrases.concat(controlPhrases(document.activeElement)));
}

function help() {
  const key = 'audio_help_' + screenName().replace(/-/g, '_');
  const s = t(key);
  return s === key ? t('audio_help') : s;
}

// ---- the warm-up: the election's and the screens' phrases, once ----

function warm() {
  const ctx = state.voter.context;
  if (!ctx) return;
  const current = language();
  const fixed = allStrings().filter((s) => typeof s === 'string' && !s.includes('{')).concat(Array.from(RECEIPT_CHARS), [1, 2, 3, 4, 5].map((n) => t('rank_choice', { n })));
  let chain = Promise.resolve();
  for (const l of ctx.languages) {
    const k = ctx.definition_short + '/' + l.code + '/' + (l.code === current ? 'all' : 'ballot');
    if (warmed.has(k) || warmed.has(ctx.definition_short + '/' + l.code + '/all')) continue;
    warmed.add(k);
    const texts = l.code === current ? fixed : [];
    chain = chain.then(() => api.speechWarm(l.code, texts, RATES[DEFAULTS.rate]))
      .then((r) => {
        const b = document.body.dataset;
        b.speechWarmMs = String(Number(b.speechWarmMs || 0) + r.elapsed_ms);
        b.speechCacheEntries = String(r.entries);
        b.speechCacheBytes = String(r.bytes);
        b.speechWarmed = String(Number(b.speechWarmed || 0) + 1);
      })
      .catch((err) => { warmed.delete(k); document.body.dataset.speechWarmError = (err && err.code) || 'speech_failed'; });
  }
}

// ---- the voter's controls, on the welcome screen ----

function applyScreenOff() {
  document.documentElement.classList.toggle('vk-screen-off', settings.screenOff);
}

function controls() {
  const toggle = (id, label, key, after) => el('button.option.audio-toggle#' + id, {
    type: 'button', 'aria-pressed': String(settings[key]),
    onclick: (e) => {
      settings[key] = !settings[key];
      e.currentTarget.setAttribute('aria-pressed', String(settings[key]));
      refresh();
      after();
    },
  }, label);
  const step = (id, label, key, max, delta) => el('button.secondary.audio-step#' + id, {
    type: 'button', onclick: () => change(key, max, delta),
  }, label);
  return el('div.audio-controls#audio-controls', { role: 'group', 'aria-label': t('audio_group') },
    toggle('audio-on', t('audio_on'), 'on', () => {
      if (!settings.on) { stop(); settings.screenOff = false; applyScreenOff(); refresh(); return; }
      say('announce', [t('audio_started')].concat(lastScreen));
    }),
    toggle('audio-screen-off', t('audio_screen_off'), 'screenOff', () => {
      applyScreenOff();
      say('announce', [settings.screenOff ? t('audio_screen_is_off') : t('audio_screen_is_on')]);
    }),
    el('div.audio-steps',
      step('audio-slower', t('audio_slower'), 'rate', RATES.length, -1),
      el('span.audio-level#audio-rate', t('audio_rate', { n: settings.rate + 1 })),
      step('audio-faster', t('audio_faster'), 'rate', RATES.length, 1)),
    el('div.audio-steps',
      step('audio-softer', t('audio_softer'), 'volume', VOLUMES.length, -1),
      el('span.audio-level#audio-volume', t('audio_volume', { n: settings.volume + 1 })),
      step('audio-louder', t('audio_louder'), 'volume', VOLUMES.length, 1)));
}

function change(key, max, delta) {
  settings[key] = Math.max(0, Math.min(max - 1, settings[key] + delta));
  refresh();
  if (playing && key === 'volume') playing.volume = VOLUMES[settings.volume];
  say('announce', [key === 'rate' ? t('audio_rate', { n: settings.rate + 1 }) : t('audio_volume', { n: settings.volume + 1 })]);
}

// Updates the controls in place (the focus stays where it is).
function refresh() {
  const set = (id, attr, v) => { const n = document.getElementById(id); if (n) { if (attr) n.setAttribute(attr, v); else n.textContent = v; } };
  set('audio-on', 'aria-pressed', String(settings.on));
  set('audio-screen-off', 'aria-pressed', String(settings.screenOff));
  set('audio-rate', null, t('audio_rate', { n: settings.rate + 1 }));
  set('audio-volume', null, t('audio_volume', { n: settings.volume + 1 }));
  // What a window test may read (steps from 1, as the labels say).
  const root = document.documentElement.dataset;
  root.audioOn = String(settings.on);
  root.audioRate = String(settings.rate + 1);
  root.audioVolume = String(settings.volume + 1);
}

function addControls() {
  const app = document.getElementById('app');
  if (document.getElementById('audio-controls')) return;
  const box = controls();
  const actions = app.querySelector('.actions');
  if (actions) actions.before(box); else app.append(box);
}

// ---- wiring ----

export function installAudio() {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = 'css/audio.css';
  document.head.append(link);

  document.addEventListener(EVENTS.screen, (e) => {
    window.clearTimeout(pendingFocus);
    const name = (e.detail && e.detail.name) || screenName();
    if (name === 'welcome') { addControls(); warm(); }
    if (!VOTER_SCREENS.has(name)) { stop(); settings.screenOff = false; applyScreenOff(); return; }
    readScreen('screen');
  });
  document.addEventListener('focusin', (e) => {
    if (!settings.on || !onVoterScreen()) return;
    const node = e.target;
    if (node.id === 'app' || /^H[1-6]$/.test(node.tagName)) return; // the screen is being read
    window.clearTimeout(pendingFocus);
    // Wait for the task to end: a new screen focuses first, then says so.
    pendingFocus = window.setTimeout(() => {
      if (document.activeElement === node) say('focus', controlPhrases(node));
    }, 0);
  });
  document.addEventListener(EVENTS.announce, (e) => {
    if (onVoterScreen() && e.detail && e.detail.text) say('announce', [e.detail.text]);
  });
  document.addEventListener(EVENTS.help, () => {
    if (!onVoterScreen()) return;
    // Asking for help turns the audio ballot on: a voter who cannot see
    // the screen finds the help key on the keypad.
    if (!settings.on) { settings.on = true; refresh(); }
    say('help', [help()]);
  });
  document.addEventListener(EVENTS.repeat, () => {
    if (onVoterScreen()) say('repeat', lastScreen.concat(controlPhrases(document.activeElement)));
  });
  document.addEventListener('vk:rate', (e) => change('rate', RATES.length, (e.detail && e.detail.delta) || 0));
  document.addEventListener('vk:volume', (e) => change('volume', VOLUMES.length, (e.detail && e.detail.delta) || 0));

  onVoterReset(() => {
    stop();
    Object.assign(settings, DEFAULTS);
    lastScreen = [];
    applyScreenOff();
    refresh();
  });
  refresh();
}
