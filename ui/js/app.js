// Start-up and mode switching. Poll-worker mode is reached with the key
// chord Ctrl+Alt+P, which voter mode neither shows nor mentions.
'use strict';
(function () {
  const app = { context: null };

  app.boot = async function () {
    const info = await window.api.appInfo();
    if (!info.exists) return window.official.setup(info);
    if (!info.unlocked) return window.official.unlock(info);
    return app.toVoter();
  };

  app.toVoter = async function () {
    await window.official.leave();
    app.context = await window.api.voterContext();
    window.voter.setContext(app.context);
    window.voter.welcome();
  };

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey && e.altKey && (e.key === 'p' || e.key === 'P')) {
      e.preventDefault();
      window.api.appInfo().then((info) => { if (info.unlocked) window.official.login(); });
    }
  });

  window.app = app;
  app.boot().catch((err) => {
    document.getElementById('app').textContent = (err && err.message) || 'votekiosk could not start.';
  });
})();
