// The voter interface's shared signals, so that the modules that show the
// ballot, read it aloud, take keypad and switch input and hold the display
// settings stay independent of one another:
//
// - announce(text, urgent): fills the live region screen readers read
//   (polite, or assertive when urgent) and tells the listeners of 'vk:announce'
//   (the audio ballot speaks it).
// - dom.show() dispatches 'vk:screen' ({name}) once a screen is shown and
//   focused.
// - input keys dispatch 'vk:help' and 'vk:repeat'.
// - onVoterReset(fn) registers what a new voter starts without (a display
//   setting, the language, the audio settings); resetVoter() runs them all.
export const EVENTS = Object.freeze({
  announce: 'vk:announce',
  screen: 'vk:screen',
  help: 'vk:help',
  repeat: 'vk:repeat',
});

export function announce(text, urgent) {
  const region = document.getElementById(urgent ? 'live-assertive' : 'live-polite');
  if (region) {
    // Emptied first, so the same words said twice are announced twice.
    region.textContent = '';
    window.setTimeout(() => { region.textContent = text; }, 30);
  }
  document.dispatchEvent(new CustomEvent(EVENTS.announce, { detail: { text, urgent: !!urgent } }));
}

export function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(name, { detail: detail || {} }));
}

const resets = [];

export function onVoterReset(fn) {
  resets.push(fn);
}

export function resetVoter() {
  for (const fn of resets) fn();
}
