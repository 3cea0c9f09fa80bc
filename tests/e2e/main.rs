//! Window tests: the real votekiosk app in a real WebKit window under Xvfb,
//! driven through `tauri-driver` and WebKitWebDriver with a WebDriver client.
//!
//! Needs `Xvfb`, `WebKitWebDriver` (Debian `webkit2gtk-driver`) and
//! `tauri-driver` on PATH (scripts/setup installs them). With CI=true a
//! missing tool fails the test; elsewhere the test says why and passes
//! without running. Screenshots go to `target/e2e-shots/`.
//!
//! Index:
//! - `support`:      Xvfb, tauri-driver, the WebDriver session, helpers.
//! - `axe`:          axe-core on every screen × theme × text size, zero
//!   violations (the closing key's screens too; the idle warning in
//!   `idle_rtl`); the four text sizes' capitals measured on screen.
//! - `election_day`: create, open, issue codes, three voters (mouse,
//!   Spanish with a write-in, keyboard only), used code, lockout and
//!   unlock, close; the tally in the file matches what was cast.
//! - `idle_rtl`:     the idle timeout clears an unfinished ballot (code kept)
//!   and resets the display and language; axe-core on the idle warning; a
//!   right-to-left language turns the layout.
//! - `reset`:        voter 1 sets Spanish, the largest text, high contrast,
//!   scanning and the audio speed and volume (the keypad's audio keys) and
//!   casts; voter 2 starts with the defaults; 1 and 2 stay text in the code
//!   field while scanning.
//! - `slips`:        code slips and a receipt reprint printed in the language
//!   the official picks on the dashboard (pdftotext).
//! - `unlock`:       wrong passphrase in the window, then the right one, and
//!   the verify screen.
//! - `cards`:        a voter prints a ballot card, spoils it as wrong, prints
//!   again and casts; the dashboard counts 2 printed, 1 spoiled, 1 cast.
//! - `audio`:        two voters who listen (English; Spanish with the screen off) hear every
//!   screen, choice, state, help, repeat, the card read back and the receipt spelled: real
//!   eSpeak NG speech, checked by length and RMS.
//! - `sessions`:     the official's name and Log out in the top bar; an idle
//!   dashboard logs out, and its token then issues no codes.
//! - `switch`:       a two-switch voter (Tab and Enter only) votes every
//!   contest kind, the code on the keypad and a write-in on the keyboard;
//!   overvote refused with its reason, a rank moved and closed up.
//! - `keypad`:       a tactile-keypad voter (arrows, Enter, Backspace, h, r):
//!   Back on the first contest asks, vote-for-1 replacement, focus on each
//!   choice, the review's undervote summary and links, the receipt checked
//!   on the verify keypad.
//! - `ballot_flow`:  polls closed or paused instead of Start; the full-width
//!   test-mode banner on official and voter screens; opening for real asks
//!   with the test counts it deletes.
//! - `large_text`:   at the largest text, every rank button a keyboard
//!   voter reaches (Tab, Shift+Tab) is wholly above the action bar.
//! - `boot`:         kiosk mode with a missing, then unreadable station file
//!   (what to do, the app stays up, Check again recovers); the about
//!   screen's SHA-256 equals `sha256sum` of the binary; a missing printer
//!   named after the unlock.

mod support;

mod audio;
mod axe;
mod ballot_flow;
mod boot;
mod cards;
mod election_day;
mod idle_rtl;
mod keypad;
mod large_text;
mod reset;
mod sessions;
mod slips;
mod switch;
mod unlock;

/// One window at a time: two WebKit processes on two cores make both slow.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
