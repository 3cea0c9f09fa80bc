// Small shared helpers: building elements, strings, screens, display
// settings (text size, contrast), key blocking, and the idle timer.
'use strict';
(function () {
  const ui = {};
  ui.lang = 'en';

  // el('button.primary#go', {onclick, 'aria-label': ...}, child, ...)
  ui.el = function (spec, attrs, ...children) {
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
  };

  // A voter-facing string in the current language, with {name} filled in.
  ui.t = function (key, vars) {
    const table = window.VK_STRINGS[ui.lang] || window.VK_STRINGS.en;
    let s = table[key] !== undefined ? table[key] : window.VK_STRINGS.en[key];
    if (s === undefined) s = key;
    for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
    return s;
  };

  // A definition text object {lang: text} in the current language.
  ui.tr = function (textObj) {
    if (!textObj) return '';
    return textObj[ui.ballotLang] || textObj[ui.lang] || textObj[Object.keys(textObj)[0]] || '';
  };

  // The plain-words message for an error from the shell.
  ui.errorText = function (err) {
    const key = 'err_' + (err && err.code);
    const table = window.VK_STRINGS[ui.lang] || window.VK_STRINGS.en;
    return table[key] || window.VK_STRINGS.en[key] || (err && err.message) || ui.t('err_generic');
  };

  ui.setLanguage = function (code, rtl) {
    ui.lang = window.VK_STRINGS[code] ? code : 'en';
    ui.ballotLang = code;
    document.documentElement.lang = code;
    document.documentElement.dir = rtl ? 'rtl' : 'ltr';
    document.getElementById('text-size').setAttribute('aria-label', ui.t('text_size'));
    document.getElementById('contrast').setAttribute('aria-label', ui.t('contrast'));
  };

  // Replaces the screen and moves focus to its heading (screen readers
  // announce the new screen; keyboard users start at the top).
  ui.show = function (name, ...children) {
    const app = document.getElementById('app');
    app.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    app.dataset.screen = name;
    const target = app.querySelector('[autofocus]') || app.querySelector('h1') || app;
    if (!target.hasAttribute('tabindex') && target.tagName === 'H1') target.setAttribute('tabindex', '-1');
    target.focus();
  };

  ui.alert = function (id) {
    return ui.el('p.alert#' + id, { role: 'alert', 'aria-live': 'assertive' });
  };

  // ---- display tools: three text sizes and high contrast ----
  let size = 0;
  document.getElementById('text-size').addEventListener('click', () => {
    size = (size + 1) % 3;
    document.documentElement.classList.remove('text-1', 'text-2');
    if (size) document.documentElement.classList.add('text-' + size);
  });
  document.getElementById('contrast').addEventListener('click', (e) => {
    const on = document.documentElement.classList.toggle('high-contrast');
    e.currentTarget.setAttribute('aria-pressed', String(on));
  });

  // ---- kiosk hardening: no escapes by keyboard, mouse or drag ----
  ui.voterMode = true;
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

  // ---- idle timer: warn, then discard an unfinished ballot ----
  let idleTimer = null, warnTimer = null, countdown = null;
  ui.idle = { seconds: 120, onTimeout: null, armed: false };
  function clearIdle() {
    clearTimeout(idleTimer); clearTimeout(warnTimer); clearInterval(countdown);
    document.getElementById('idle').hidden = true;
  }
  ui.idleStop = function () { ui.idle.armed = false; clearIdle(); };
  ui.idleStart = function (onTimeout) {
    ui.idle.onTimeout = onTimeout;
    ui.idle.armed = true;
    ui.idleReset();
  };
  ui.idleReset = function () {
    if (!ui.idle.armed) return;
    clearIdle();
    const total = ui.idle.seconds * 1000;
    const warnAt = Math.max(total - 20000, total * 0.8);
    warnTimer = setTimeout(() => {
      const box = document.getElementById('idle');
      let left = Math.round((total - warnAt) / 1000);
      document.getElementById('idle-title').textContent = ui.t('idle_title');
      const body = document.getElementById('idle-body');
      body.textContent = ui.t('idle_body', { n: left });
      const more = document.getElementById('idle-more');
      more.textContent = ui.t('idle_more');
      box.hidden = false;
      more.focus();
      countdown = setInterval(() => { left -= 1; body.textContent = ui.t('idle_body', { n: Math.max(left, 0) }); }, 1000);
    }, warnAt);
    idleTimer = setTimeout(() => { ui.idleStop(); if (ui.idle.onTimeout) ui.idle.onTimeout(); }, total);
  };
  document.getElementById('idle-more').addEventListener('click', () => ui.idleReset());
  for (const ev of ['pointerdown', 'keydown', 'input']) {
    document.addEventListener(ev, () => { if (document.getElementById('idle').hidden) ui.idleReset(); }, true);
  }

  window.ui = ui;
})();
