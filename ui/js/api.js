// The one bridge to the Tauri shell: no other module touches
// window.__TAURI__. Every call resolves with data or rejects with
// {code, message}. Officials' commands take the session token first (the
// shell refuses a wrong, idle or logged-out one).
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
  softwareInfo: () => call('software_info'),
  printerStatus: () => call('printer_status'),
  voterContext: () => call('voter_context'),
  checkCode: (code) => call('check_code', { code }),
  castBallot: (code, selections, requestKey, language) => call('cast_ballot', { code, selections, requestKey, language }),
  printCard: (code, selections, language) => call('print_card', { code, selections, language }),
  spoilCard: (code) => call('spoil_card', { code }),
  checkReceipt: (text) => call('check_receipt', { text }),
  login: (username, password) => call('login', { username, password }),
  logout: () => call('logout'),
  keepAlive: (token) => call('keep_alive', { token }),
  stationStatus: () => call('station_status'),
  changePolls: (token, action, password) => call('change_polls', { token, action, password: password || null }),
  issueCodes: (token, password, count, printSlips, language) => call('issue_codes', { token, password, count, printSlips, language: language || null }),
  revokeCode: (token, code) => call('revoke_code', { token, code }),
  unlockVoting: (token) => call('unlock_voting', { token }),
  auditLog: (token, limit) => call('audit_log', { token, limit }),
  verifyAudit: (token) => call('verify_audit', { token }),
  addOfficial: (token, username, role, password) => call('add_official', { token, username, role, password }),
  listOfficials: (token) => call('list_officials', { token }),
  setKioskSettings: (token, idleTimeoutSecs, defaultLanguage, officialIdleLogoutSecs, pixelPitchUm) =>
    call('set_kiosk_settings', { token, idleTimeoutSecs, defaultLanguage, officialIdleLogoutSecs, pixelPitchUm }),
  closingKeyInfo: (token) => call('closing_key_info', { token }),
  makeClosingKey: (token, workers, threshold) => call('make_closing_key', { token, workers, threshold }),
  countBallots: (token, slips) => call('count_ballots', { token, slips }),
  recordHandCount: (token, boxes) => call('record_hand_count', { token, boxes }),
  printZeroReport: (token) => call('print_zero_report', { token }),
  printResultsReport: (token) => call('print_results_report', { token }),
  reprintReceipt: (token, language) => call('reprint_receipt', { token, language: language || null }),
  setPrinter: (token, queue) => call('set_printer', { token, queue }),
  // The audio ballot: WAV bytes (an ArrayBuffer) of one phrase; warming the cache.
  speak: (language, text, rate) => call('speak', { language, text, rate }),
  speechWarm: (language, texts, rate) => call('speech_warm', { language, texts, rate }),
  exportResult: (token, folder) => call('export_result', { token, folder }),
  onStatus: (handler) => tauri.event.listen('station-status', (e) => handler(e.payload)),
};
