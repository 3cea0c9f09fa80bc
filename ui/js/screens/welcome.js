// The welcome screen: the election's title, the language buttons, Start
// (or that the polls are closed or paused), the two-switch scanning
// toggle, and the way to the receipt check. Every voter session starts
// here: after a receipt, after an idle timeout or an official's logout,
// the settings of the voter before are reset (resetVoter: display, audio,
// language, scanning), on a freshly loaded page once the one before has
// served someone (nav.js).
import { el, show } from '../dom.js';
import { resetVoter } from '../events.js';
import { t, tr, setLanguage } from '../i18n.js';
import { idleStart, idleStop } from '../idle.js';
import { scanToggle } from '../input.js';
import { documentUsed, go, reloadForNextVoter } from '../nav.js';
import { state } from '../state.js';
import { setMode } from '../status.js';

let firstVoter = true;

export function welcome(opts) {
  const ctx = state.voter.context;
  const newVoter = firstVoter || (opts && opts.newVoter);
  state.voter.ballot = null;
  idleStop();
  if (newVoter && documentUsed()) {
    // The voter before's screen goes at once, whatever the reload takes.
    document.getElementById('app').replaceChildren();
    reloadForNextVoter();
    return;
  }
  firstVoter = false;
  if (newVoter) {
    resetVoter();
    const lang = ctx.languages.find((l) => l.code === ctx.default_language) || ctx.languages[0];
    setLanguage(lang.code, lang.rtl);
  }
  setMode(ctx.status.mode);
  document.getElementById('bar-title').textContent = tr(ctx.title);
  // A voter who changed a setting and walked away: the next voter starts
  // afresh after the idle timeout.
  const arm = () => idleStart(() => go('welcome', { newVoter: true }));
  render();
  function render() {
    document.getElementById('bar-title').textContent = tr(ctx.title);
    const langs = el('div.choices.languages', { role: 'group', 'aria-label': 'Language / Idioma' },
      ctx.languages.map((l) => el('button.option.lang', {
        type: 'button', lang: l.code, 'aria-pressed': String(l.code === state.voter.ballotLanguage),
        'data-lang': l.code,
        onclick: () => { setLanguage(l.code, l.rtl); arm(); render(); focusLang(l.code); },
      }, l.name)));
    const mode = ctx.status.mode;
    const canVote = mode === 'open' || mode === 'test';
    const start = canVote
      ? el('button.primary.big#start', { type: 'button', onclick: () => go('code') }, t('start'))
      : el('p.polls-shut#polls-shut', { role: 'status' }, mode === 'paused' ? t('polls_paused') : t('polls_closed'));
    const scan = scanToggle('scan-toggle', true);
    scan.classList.remove('tool');
    scan.classList.add('secondary');
    scan.addEventListener('click', arm);
    show('welcome',
      el('h1', { text: t('welcome') }),
      el('p.lead', { text: tr(ctx.title) }),
      el('p', { text: canVote ? t('welcome_help') : t('welcome_help_shut') }),
      langs,
      el('div.scan-line', scan, el('span.help', { text: t('scan_help') })),
      el('div.footer-link', el('button.link#verify-link', { type: 'button', onclick: () => go('verify') }, t('verify_link'))),
      el('div.actions.action-bar', start));
  }
  // A language button keeps the focus through the redraw.
  function focusLang(code) {
    const b = document.querySelector('button[data-lang="' + code + '"]');
    if (b) b.focus();
  }
}
