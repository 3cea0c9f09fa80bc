//! Lists every app command in the ACL manifest, so each must be granted in
//! `capabilities/` to be callable from the window.

const COMMANDS: &[&str] = &[
    "app_info",
    "create_election",
    "unlock_station",
    "voter_context",
    "check_code",
    "cast_ballot",
    "print_card",
    "spoil_card",
    "check_receipt",
    "login",
    "logout",
    "keep_alive",
    "station_status",
    "change_polls",
    "issue_codes",
    "revoke_code",
    "unlock_voting",
    "audit_log",
    "verify_audit",
    "add_official",
    "list_officials",
    "set_kiosk_settings",
    "closing_key_info",
    "make_closing_key",
    "count_ballots",
    "record_hand_count",
    "export_result",
    "print_zero_report",
    "print_results_report",
    "reprint_receipt",
    "set_printer",
    "speak",
    "speech_warm",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
