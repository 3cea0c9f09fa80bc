//! votekiosk desktop shell: a thin Tauri 2 adapter over the `votekiosk`
//! core. It opens one window on the static `ui/` folder, keeps the open
//! station and the logged-in official, and exposes the commands listed in
//! `build.rs` (granted in `capabilities/kiosk.json`). No SQL, no crypto, no
//! election rule lives here.

mod commands;
mod dto;
mod error;
mod state;

use std::fs::File;
use std::path::PathBuf;

use tauri::{WebviewUrl, WebviewWindowBuilder};

pub use error::IpcError;
use state::AppState;

/// Where the demo election lives when no file is given: the user's data
/// folder, or the temporary folder when the system names no home.
fn demo_path() -> PathBuf {
    votekiosk::demo::default_path()
        .unwrap_or_else(|| std::env::temp_dir().join("votekiosk").join("demo.vkstation"))
}

/// One kiosk app per machine: a second start exits with a message.
fn single_instance() -> Option<File> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let file = File::create(dir.join("votekiosk-app.lock")).ok()?;
    match file.try_lock() {
        Ok(()) => Some(file),
        Err(_) => {
            eprintln!("votekiosk is already running on this machine.");
            std::process::exit(1);
        }
    }
}

/// Starts the kiosk: `votekiosk-app [STATION_FILE]`.
pub fn run() {
    let _instance = single_instance();
    let arg = std::env::args_os()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'));
    let (path, demo) = match arg {
        Some(p) => (PathBuf::from(p), false),
        None => {
            let path = demo_path();
            if let Err(e) = votekiosk::demo::ensure(&path, votekiosk::Options::default()) {
                eprintln!("cannot create the demo election at {}: {e}", path.display());
                std::process::exit(1);
            }
            (path, true)
        }
    };

    let result = tauri::Builder::default()
        .manage(AppState::new(path, demo))
        .setup(|app| {
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("votekiosk")
                .inner_size(1280.0, 800.0)
                .fullscreen(std::env::var_os("VOTEKIOSK_WINDOWED").is_none())
                // No navigation away from the bundled interface, ever.
                .on_navigation(|url| {
                    matches!(url.scheme(), "tauri") || url.host_str() == Some("tauri.localhost")
                })
                .build()?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_info,
            commands::session::create_election,
            commands::session::unlock_station,
            commands::voter::voter_context,
            commands::voter::check_code,
            commands::voter::cast_ballot,
            commands::voter::print_card,
            commands::voter::spoil_card,
            commands::verify::check_receipt,
            commands::officials::login,
            commands::officials::logout,
            commands::officials::keep_alive,
            commands::officials::station_status,
            commands::officials::change_polls,
            commands::officials::issue_codes,
            commands::officials::revoke_code,
            commands::officials::unlock_voting,
            commands::officials::audit_log,
            commands::officials::verify_audit,
            commands::admin::add_official,
            commands::admin::list_officials,
            commands::admin::set_kiosk_settings,
            commands::closing::closing_key_info,
            commands::closing::make_closing_key,
            commands::closing::count_ballots,
            commands::closing::record_hand_count,
            commands::export::export_result,
            commands::print::print_zero_report,
            commands::print::print_results_report,
            commands::print::reprint_receipt,
            commands::print::set_printer,
            commands::speech::speak,
            commands::speech::speech_warm,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("votekiosk could not start its window: {e}");
        std::process::exit(1);
    }
}
