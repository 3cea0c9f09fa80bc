// One round trip through Tauri's IPC per click, like a kiosk button.
'use strict';
document.getElementById('ping').addEventListener('click', async () => {
  const out = document.getElementById('count');
  out.textContent = String(await window.__TAURI__.core.invoke('ping', { n: Number(out.textContent) }));
});
