// The one bridge to the Tauri shell: no other module touches
// window.__TAURI__. Every call resolves with data or rejects with
// {code, message}.
const tauri = window.__TAURI__;

function call(cmd, args) {
  return tauri.core.invoke(cmd, args || {}).catch((err) => {
    if (err && typeof err === 'object' && err.code) throw err;
    throw { code: 'internal', message: String(err) };
  });
}

export const api = {
  appInfo: () => call('app_info'),
  createElection: (definitionPath, stationId, passphrase, admin, adminPassword) =>
    call('create_election', { definitionPath, stationId, passphrase, admin, adminPassword }),
  unlockStation: (passphrase) => call('unlock_station', { passphrase }),
  voterContext: () => call('voter_context'),
  checkCode: (code) => call('check_code', { code }),
  castBallot: (code, selections, requestKey, language) => call('cast_ballot', { code, selections, requestKey, language }),
  checkReceipt: (text) => call('check_receipt', { text }),
  login: (username, password) => call('login', { username, password }),
  logout: () => call('logout'),
  stationStatus: () => call('station_status'),
  changePolls: (action) => call('change_polls', { action }),
  issueCodes: (count, printSlips) => call('issue_codes', { count, printSlips }),
  revokeCode: (code) => call('revoke_code', { code }),
  unlockVoting: () => call('unlock_voting'),
  auditLog: (limit) => call('audit_log', { limit }),
  verifyAudit: () => call('verify_audit'),
  addOfficial: (username, role, password) => call('add_official', { username, role, password }),
  listOfficials: () => call('list_officials'),
  setKioskSettings: (idleTimeoutSecs, defaultLanguage) =>
    call('set_kiosk_settings', { idleTimeoutSecs, defaultLanguage }),
  printZeroReport: () => call('print_zero_report'),
  printResultsReport: () => call('print_results_report'),
  reprintReceipt: () => call('reprint_receipt'),
  setPrinter: (queue) => call('set_printer', { queue }),
  exportResult: (folder) => call('export_result', { folder }),
  onStatus: (handler) => tauri.event.listen('station-status', (e) => handler(e.payload)),
};
