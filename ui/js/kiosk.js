// The display tools (three text sizes, high contrast) and the kiosk
// hardening: no escapes by keyboard, mouse or drag.
export function installKiosk() {
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
}
