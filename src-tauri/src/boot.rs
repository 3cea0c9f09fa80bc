//! Start-up: which station file, whether the app runs as the locked-down
//! kiosk session (`--kiosk`, given by `packaging/kiosk`'s session wrapper),
//! what keeps it from opening its file, and how its WebKit is set up.
//!
//! Nothing here exits the process: a problem at start-up becomes a screen
//! that says what is wrong and what to do (`BootProblem`), so that a
//! missing or unreadable station file never turns into a crash loop under
//! the kiosk's systemd unit.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::dto::BootProblem;

/// How the app was started: `votekiosk-app [--kiosk] [STATION_FILE]`.
pub struct Launch {
    pub path: PathBuf,
    /// No file named: the demo election in the user's data folder.
    pub demo: bool,
    /// Started by the kiosk session: a missing file is a problem to show,
    /// not an election to create at the kiosk.
    pub kiosk: bool,
    /// Why the demo election could not be made, if it could not.
    pub demo_error: Option<String>,
}

/// Where the demo election lives when no file is given: the user's data
/// folder, or the temporary folder when the system names no home.
fn demo_path() -> PathBuf {
    votekiosk::demo::default_path()
        .unwrap_or_else(|| std::env::temp_dir().join("votekiosk").join("demo.vkstation"))
}

impl Launch {
    /// Reads the command line; makes the demo election when no file is
    /// named (a failure is kept for the first screen, not fatal).
    pub fn from_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Launch {
        let args: Vec<_> = args.into_iter().skip(1).collect();
        let kiosk = args.iter().any(|a| a == "--kiosk");
        let file = args.iter().find(|a| !a.to_string_lossy().starts_with('-'));
        match file {
            Some(p) => Launch {
                path: PathBuf::from(p),
                demo: false,
                kiosk,
                demo_error: None,
            },
            None => {
                let path = demo_path();
                let demo_error = votekiosk::demo::ensure(&path, votekiosk::Options::default())
                    .err()
                    .map(|e| e.to_string());
                Launch {
                    path,
                    demo: true,
                    kiosk,
                    demo_error,
                }
            }
        }
    }
}

/// What keeps the app from opening `path` right now, if anything: read
/// afresh each time the window asks, so "Check again" sees a file that
/// was put back (a USB stick plugged in, a disk mounted).
pub fn problem(launch: &Launch) -> Option<BootProblem> {
    if let Some(e) = &launch.demo_error {
        return Some(BootProblem::new(
            "demo_unavailable",
            &launch.path,
            format!("The demo election could not be made: {e}."),
            "Check that the disk is not full and that this user may write to its data folder, then press Check again. To run a real election, start votekiosk-app with the station file's path.",
        ));
    }
    station_problem(&launch.path, launch.kiosk)
}

/// The station file's problem: missing (only in kiosk mode; elsewhere the
/// first screen offers to create the election), a folder, or unreadable.
pub fn station_problem(path: &Path, kiosk: bool) -> Option<BootProblem> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => kiosk.then(|| {
            BootProblem::new(
                "station_missing",
                path,
                "There is no election file (station file) at this place.".to_string(),
                "If the election file is on a USB stick or a separate disk, plug it in and press Check again. Otherwise an election official puts the station file made for this kiosk there (docs/deployment.md, \"The station file\"), then presses Check again. Do not let voters vote on this kiosk until this screen is gone.",
            )
        }),
        Err(e) => Some(unreadable(path, &e.to_string())),
        Ok(meta) if meta.is_dir() => Some(unreadable(path, "it is a folder, not a file")),
        Ok(_) => match std::fs::File::open(path) {
            Ok(_) => None,
            Err(e) => Some(unreadable(path, &e.to_string())),
        },
    }
}

fn unreadable(path: &Path, why: &str) -> BootProblem {
    BootProblem::new(
        "station_unreadable",
        path,
        format!("The election file (station file) cannot be read: {why}."),
        "Nothing was changed. An election official checks the file (its owner must be the kiosk's user, votekiosk-kiosk, and the disk must be mounted: docs/deployment.md, \"Boot messages\"), then presses Check again. If the file was damaged, use the kiosk's backup copy or call the election office.",
    )
}

/// WebKit for the kiosk session (`--kiosk`), set before the first window:
/// no GPU compositing. A form-and-button interface needs none, and
/// WebKit's GL path costs ~80 MiB in the web process (`BENCHMARKS.md`).
/// Only in kiosk mode: without compositing, WebKitWebDriver's screenshots
/// stop answering once the window has been redrawn a few times (WebKitGTK
/// 2.50), and the window tests take one of every screen. An explicit
/// `WEBKIT_DISABLE_COMPOSITING_MODE` in the environment wins.
pub fn tune_webkit_environment(kiosk: bool) {
    if kiosk && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // Before Tauri starts: no other thread reads the environment.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

/// The WebView's cache for one page that never navigates: the document
/// viewer model (no back/forward page cache, the smallest memory cache),
/// so WebKit keeps nothing for pages the kiosk will never show again.
pub fn tune_webview(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
        if let Some(context) = webview.inner().context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(path: &Path, kiosk: bool) -> Launch {
        Launch {
            path: path.to_path_buf(),
            demo: false,
            kiosk,
            demo_error: None,
        }
    }

    #[test]
    fn the_command_line_names_the_file_and_the_kiosk_mode() {
        let l = Launch::from_args(["app", "--kiosk", "/srv/x.vkstation"].map(Into::into));
        assert_eq!(l.path, Path::new("/srv/x.vkstation"));
        assert!(l.kiosk && !l.demo && l.demo_error.is_none());
        let l = Launch::from_args(["app", "/srv/x.vkstation"].map(Into::into));
        assert!(!l.kiosk);
    }

    #[test]
    fn a_missing_file_is_a_problem_only_in_kiosk_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("none.vkstation");
        assert!(
            problem(&launch(&path, false)).is_none(),
            "outside the kiosk: create it"
        );
        let p = problem(&launch(&path, true)).expect("kiosk: a problem");
        assert_eq!(p.code, "station_missing");
        assert_eq!(p.path, path.display().to_string());
        assert!(p.what_to_do.contains("Check again"), "{}", p.what_to_do);
    }

    #[test]
    fn a_folder_or_an_unreadable_file_is_a_problem_everywhere() {
        let dir = tempfile::tempdir().expect("tempdir");
        for kiosk in [false, true] {
            let p = problem(&launch(dir.path(), kiosk)).expect("a folder");
            assert_eq!(p.code, "station_unreadable");
            assert!(p.message.contains("folder"), "{}", p.message);
        }
        let file = dir.path().join("s.vkstation");
        std::fs::write(&file, b"x").expect("write");
        assert!(problem(&launch(&file, true)).is_none(), "a readable file");
        // Unreadable by mode bits (meaningless for root, who reads anyway).
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        if std::fs::File::open(&file).is_err() {
            let p = problem(&launch(&file, true)).expect("unreadable");
            assert_eq!(p.code, "station_unreadable");
            assert!(p.message.contains("cannot be read"), "{}", p.message);
        }
    }
}
