// The welcome screen: the election's title, the language buttons, Start,
// and the way to the receipt check. Every voter session starts here.
import { el, show } from '../dom.js';
import { t, tr, setLanguage } from '../i18n.js';
import { idleStop } from '../idle.js';
import { go } from '../nav.js';
import { state } from '../state.js';

function header(ctx) {
  document.getElementById('bar-title').textContent = tr(ctx.title);
  const banner = document.getElementById('test-banner');
  const test = ctx.status.mode === 'test';
  banner.hidden = !test;
  banner.textContent = test ? t('test_ballot') : '';
}

export function welcome() {
  const ctx = state.voter.context;
  state.voter.ballot = null;
  idleStop();
  const lang = ctx.languages.find((l) => l.code === ctx.default_language) || ctx.languages[0];
  setLanguage(lang.code, lang.rtl);
  render();
  function render() {
    header(ctx);
    const langs = el('div.choices.languages', { role: 'group', 'aria-label': 'Language / Idioma' },
      ctx.languages.map((l) => el('button.option.lang', {
        type: 'button', lang: l.code, 'aria-pressed': String(l.code === state.voter.ballotLanguage),
        'data-lang': l.code,
        onclick: () => { setLanguage(l.code, l.rtl); render(); },
      }, l.name)));
    show('welcome',
      el('h1', { text: t('welcome') }),
      el('p.lead', { text: tr(ctx.title) }),
      el('p', { text: t('welcome_help') }),
      langs,
      el('div.actions',
        el('button.primary.big#start', { type: 'button', onclick: () => go('code') }, t('start'))),
      el('div.footer-link', el('button.link#verify-link', { type: 'button', onclick: () => go('verify') }, t('verify_link'))));
  }
}
