//! What an official may do in each mode, and the bounds of their inputs,
//! as data: the officials' screens ask here (through the status) instead
//! of restating the lifecycle table of `ARCHITECTURE.md` or the station's
//! limits. A pure function of the mode; `Station` still enforces every rule.

use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::station::{
    Mode, IDLE_TIMEOUT_RANGE, MAX_CODES_PER_BATCH, OFFICIAL_IDLE_RANGE, PIXEL_PITCH_RANGE_UM,
};

/// Something an official's dashboard offers, when the mode allows it.
/// Its stable name (what the window sends back) is one `strum` table:
/// `enter_test_mode`, `open_polls`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    EnterTestMode,
    OpenPolls,
    PausePolls,
    ResumePolls,
    ClosePolls,
    IssueCodes,
    RevokeCode,
    PrintZeroReport,
    PrintResultsReport,
    ReprintReceipt,
    ExportResult,
    // issue 13: sessions (the closing key and the count on the kiosk)
    MakeClosingKey,
    CountBallots,
}

impl Action {
    pub const ALL: &'static [Action] = Action::VARIANTS;

    /// The stable name the window uses.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The action a name stands for, if any.
    pub fn parse(name: &str) -> Option<Action> {
        name.parse().ok()
    }

    /// The modes in which the action applies (the lifecycle table).
    pub fn modes(self) -> &'static [Mode] {
        use Mode::*;
        match self {
            Action::EnterTestMode => &[Setup],
            Action::OpenPolls => &[Setup, Test],
            Action::PausePolls => &[Open],
            Action::ResumePolls => &[Paused],
            Action::ClosePolls => &[Open, Paused],
            Action::IssueCodes | Action::RevokeCode => &[Setup, Test, Open, Paused],
            // The zero report is for before and during voting.
            Action::PrintZeroReport => &[Setup, Test, Open, Paused],
            // Test results in test mode; the official ones once closed.
            Action::PrintResultsReport => &[Test, Closed],
            // Only while ballots are being cast.
            Action::ReprintReceipt => &[Test, Open],
            Action::ExportResult => &[Closed],
            // Before the polls open; the count after they close (test
            // ballots in test mode, with the test key).
            Action::MakeClosingKey => &[Setup, Test],
            Action::CountBallots => &[Test, Closed],
        }
    }

    /// Whether only an admin may do it (any official may otherwise).
    pub fn admin_only(self) -> bool {
        matches!(self, Action::EnterTestMode | Action::MakeClosingKey)
    }
}

/// The actions that apply in `mode`, in the order a dashboard lists them.
pub fn allowed_actions(mode: Mode) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| a.modes().contains(&mode))
        .collect()
}

/// The bounds of what an official types in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most codes one batch may hold.
    pub max_codes_per_batch: usize,
    /// The shortest and longest idle timeouts an admin may choose.
    pub idle_timeout_min_secs: u32,
    pub idle_timeout_max_secs: u32,
    /// The shortest and longest idle logouts of officials.
    pub official_idle_min_secs: u32,
    pub official_idle_max_secs: u32,
    /// The pixel pitches an admin may declare for the panel (µm per pixel).
    pub pixel_pitch_min_um: u32,
    pub pixel_pitch_max_um: u32,
}

/// The station's limits.
pub const LIMITS: Limits = Limits {
    max_codes_per_batch: MAX_CODES_PER_BATCH,
    idle_timeout_min_secs: *IDLE_TIMEOUT_RANGE.start(),
    idle_timeout_max_secs: *IDLE_TIMEOUT_RANGE.end(),
    official_idle_min_secs: *OFFICIAL_IDLE_RANGE.start(),
    official_idle_max_secs: *OFFICIAL_IDLE_RANGE.end(),
    pixel_pitch_min_um: *PIXEL_PITCH_RANGE_UM.start(),
    pixel_pitch_max_um: *PIXEL_PITCH_RANGE_UM.end(),
};

/// One of the voter's text sizes: the height of a capital letter, as VVSG
/// 2.0 7.1-G bounds it (millimetres on the panel), and the height aimed at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSize {
    /// Its stable name (the window's string key is `text_size_<name>`).
    pub name: &'static str,
    pub min_mm: f64,
    pub max_mm: f64,
    pub target_mm: f64,
}

/// The four text sizes of VVSG 2.0 7.1-G, smallest first.
pub const TEXT_SIZES: [TextSize; 4] = [
    TextSize {
        name: "small",
        min_mm: 3.5,
        max_mm: 4.2,
        target_mm: 3.85,
    },
    TextSize {
        name: "standard",
        min_mm: 4.8,
        max_mm: 5.6,
        target_mm: 4.9,
    },
    TextSize {
        name: "large",
        min_mm: 6.4,
        max_mm: 7.1,
        target_mm: 6.75,
    },
    TextSize {
        name: "largest",
        min_mm: 8.5,
        max_mm: 9.0,
        target_mm: 8.75,
    },
];

/// The size every voter starts with (VVSG 7.1-G: at least 4.8 mm).
pub const DEFAULT_TEXT_SIZE: usize = 1;

/// A text size on a panel of a given pitch: the capital-letter height in
/// whole pixels (a font's hinting snaps capitals to the pixel grid, so a
/// fractional target could render outside the range) and in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSizePx {
    pub size: TextSize,
    pub cap_px: u32,
    pub cap_mm: f64,
}

/// The four text sizes on a panel of `pitch_um` micrometres per pixel: for
/// each, the whole number of pixels inside the size's range nearest its
/// target (`PIXEL_PITCH_RANGE_UM` keeps one inside every range). The
/// window divides `cap_px` by the measured cap-height ratio of its font to
/// get the font size.
pub fn text_sizes(pitch_um: u32) -> [TextSizePx; 4] {
    let pitch_mm = f64::from(pitch_um.max(1)) / 1000.0;
    TEXT_SIZES.map(|size| {
        let lo = (size.min_mm / pitch_mm).ceil();
        let hi = (size.max_mm / pitch_mm).floor();
        let px = (size.target_mm / pitch_mm).round().clamp(lo, hi.max(lo));
        TextSizePx {
            size,
            cap_px: px as u32,
            cap_mm: px * pitch_mm,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(mode: Mode, pick: impl Fn(&Action) -> bool) -> Vec<&'static str> {
        allowed_actions(mode)
            .into_iter()
            .filter(pick)
            .map(Action::as_str)
            .collect()
    }

    #[test]
    fn the_dashboard_offers_the_lifecycle_table() {
        let lifecycle = |mode| {
            names(mode, |a| {
                a.as_str().ends_with("_polls") || *a == Action::EnterTestMode
            })
        };
        assert_eq!(lifecycle(Mode::Setup), ["enter_test_mode", "open_polls"]);
        assert_eq!(lifecycle(Mode::Test), ["open_polls"]);
        assert_eq!(lifecycle(Mode::Open), ["pause_polls", "close_polls"]);
        assert_eq!(lifecycle(Mode::Paused), ["resume_polls", "close_polls"]);
        assert!(lifecycle(Mode::Closed).is_empty());
        let printing = |mode| names(mode, |a| a.as_str().contains("print"));
        assert_eq!(printing(Mode::Setup), ["print_zero_report"]);
        assert_eq!(
            printing(Mode::Test),
            ["print_zero_report", "print_results_report", "reprint_receipt"]
        );
        assert_eq!(printing(Mode::Open), ["print_zero_report", "reprint_receipt"]);
        assert_eq!(printing(Mode::Paused), ["print_zero_report"]);
        assert_eq!(printing(Mode::Closed), ["print_results_report"]);
        let admin_only: Vec<_> = Action::ALL.iter().copied().filter(|a| a.admin_only()).collect();
        assert_eq!(admin_only, [Action::EnterTestMode, Action::MakeClosingKey]);
        let closing = |mode| {
            names(mode, |a| {
                matches!(a, Action::MakeClosingKey | Action::CountBallots)
            })
        };
        assert_eq!(closing(Mode::Setup), ["make_closing_key"]);
        assert_eq!(closing(Mode::Test), ["make_closing_key", "count_ballots"]);
        assert!(closing(Mode::Open).is_empty() && closing(Mode::Paused).is_empty());
        assert_eq!(closing(Mode::Closed), ["count_ballots"]);
    }

    /// Tries `action` on the station when the station itself rules on it
    /// by mode (printing and revoking are the dashboard's choice, pinned
    /// above).
    fn attempt(
        station: &mut crate::Station,
        by: &crate::Official,
        slips: &[crate::station::SlipUnlock],
        action: Action,
    ) -> Option<crate::Result<()>> {
        Some(match action {
            Action::EnterTestMode => station.enter_test_mode(by),
            Action::OpenPolls => station.open_polls(by),
            Action::PausePolls => station.pause_polls(by),
            Action::ResumePolls => station.resume_polls(by),
            Action::ClosePolls => station.close_polls(by),
            Action::IssueCodes => station.issue_codes(by, 1).map(drop),
            // The official result needs the count (two slips) after close.
            Action::ExportResult => {
                if station.status().is_ok_and(|s| s.mode == Mode::Closed) && station.counted().is_none() {
                    if let Err(e) = station.count(by, slips) {
                        return Some(Err(e));
                    }
                }
                station.export(by, false, "results.jsonl").map(drop)
            }
            _ => return None,
        })
    }

    fn station(dir: &std::path::Path) -> (crate::Station, crate::Official, Vec<crate::station::SlipUnlock>) {
        let definition = crate::demo::definition(chrono::Utc::now()).expect("definition");
        let mut station = crate::Station::create(
            &dir.join("limits.vks"),
            &definition,
            crate::demo::STATION_ID,
            "limits test passphrase",
            "admin",
            "limits-admin-password",
            crate::Options::default(),
        )
        .expect("create");
        let admin = station.login("admin", "limits-admin-password").expect("login");
        // Opening the polls for real needs a closing key.
        let pins = ["12345678", "87654321"];
        let workers: Vec<(String, zeroize::Zeroizing<String>)> = ["ana", "ben"]
            .iter()
            .zip(pins)
            .map(|(n, p)| (n.to_string(), zeroize::Zeroizing::new(p.to_string())))
            .collect();
        let slips = station
            .init_closing_key(&admin, &workers, 2)
            .expect("closing key")
            .iter()
            .zip(pins)
            .map(|(slip, pin)| crate::station::SlipUnlock {
                payload: slip.payload.to_string(),
                pin: zeroize::Zeroizing::new(pin.to_string()),
            })
            .collect();
        (station, admin, slips)
    }

    /// Two walks through the lifecycle that between them take every mode
    /// change the table offers. In each mode the station must refuse what
    /// the table leaves out and accept what it offers.
    #[test]
    fn mode_changes_code_issuing_and_export_are_offered_exactly_when_the_station_accepts_them() {
        use Action::*;
        let walks: [&[Action]; 2] = [
            &[
                OpenPolls,
                PausePolls,
                ResumePolls,
                PausePolls,
                ClosePolls,
                ExportResult,
            ],
            &[EnterTestMode, OpenPolls, ClosePolls, ExportResult],
        ];
        let mut taken = std::collections::BTreeSet::new();
        for walk in walks {
            let dir = tempfile::tempdir().expect("tempdir");
            let (mut station, admin, slips) = station(dir.path());
            for &step in walk {
                let mode = station.status().expect("status").mode;
                let offered = allowed_actions(mode);
                for &action in Action::ALL {
                    // An offered mode change other than the step is another walk's.
                    if action == step || (offered.contains(&action) && attempt_changes_mode(action)) {
                        continue;
                    }
                    let result = attempt(&mut station, &admin, &slips, action);
                    match result {
                        Some(Err(e)) if offered.contains(&action) => {
                            panic!("{mode:?}: the table offers {action:?}, but the station refuses it: {e}")
                        }
                        Some(result) if !offered.contains(&action) => assert!(
                            matches!(result, Err(crate::Error::WrongMode { .. } | crate::Error::ExportRefused(_))),
                            "{mode:?}: the table leaves out {action:?}, but the station allows it: {result:?}"
                        ),
                        _ => {}
                    }
                }
                assert!(
                    offered.contains(&step),
                    "{mode:?}: the walk takes {step:?}, which the table leaves out"
                );
                if let Some(Err(e)) = attempt(&mut station, &admin, &slips, step) {
                    panic!("{mode:?}: the table offers {step:?}, but the station refuses it: {e}");
                }
                taken.insert((mode.as_str(), step.as_str()));
            }
        }
        let modes = [Mode::Setup, Mode::Test, Mode::Open, Mode::Paused, Mode::Closed];
        for mode in modes {
            for action in allowed_actions(mode) {
                if attempt_changes_mode(action) {
                    assert!(
                        taken.contains(&(mode.as_str(), action.as_str())),
                        "no walk tries {action:?} in {mode:?}, which the table offers"
                    );
                }
            }
        }
    }

    fn attempt_changes_mode(action: Action) -> bool {
        action.as_str().ends_with("_polls") || action == Action::EnterTestMode
    }

    #[test]
    fn every_text_size_fits_its_vvsg_range_on_every_allowed_panel() {
        for size in TEXT_SIZES {
            assert!(
                size.min_mm <= size.target_mm && size.target_mm <= size.max_mm,
                "{size:?}"
            );
        }
        assert!(
            (TEXT_SIZES[DEFAULT_TEXT_SIZE].target_mm - 4.9).abs() < 1e-9,
            "the default aims at 4.9 mm"
        );
        for pitch in PIXEL_PITCH_RANGE_UM {
            let sizes = text_sizes(pitch);
            for s in sizes {
                assert!(
                    s.size.min_mm - 1e-9 <= s.cap_mm && s.cap_mm <= s.size.max_mm + 1e-9,
                    "{pitch} µm/px: {s:?}"
                );
                assert!((s.cap_mm - f64::from(s.cap_px) * f64::from(pitch) / 1000.0).abs() < 1e-9);
            }
            assert!(
                sizes.windows(2).all(|w| w[0].cap_px < w[1].cap_px),
                "{pitch}: {sizes:?}"
            );
        }
        // A 96-pixel-per-inch panel: 0.265 mm per pixel.
        let px: Vec<u32> = text_sizes(265).iter().map(|s| s.cap_px).collect();
        assert_eq!(px, [15, 19, 25, 33]);
    }

    #[test]
    fn the_idle_timeout_range_is_the_documented_one() {
        assert_eq!(
            (LIMITS.idle_timeout_min_secs, LIMITS.idle_timeout_max_secs),
            (30, 900)
        );
        assert_eq!(
            (LIMITS.official_idle_min_secs, LIMITS.official_idle_max_secs),
            (30, 600)
        );
    }
}
