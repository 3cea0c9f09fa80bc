//! The admins' settings kept in the file (idle timeout, default language,
//! officials' idle logout, the display's pixel pitch, printer queue), the one printer choice (`Station::print`) and the rule
//! of what may be printed where: in an official election, receipts and
//! voter codes never go into a file while the polls are open (nor official
//! code slips ever); a print-to-file queue or the print folder is for test
//! mode and the demo election.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Audited, KioskSettings, Official, Station};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Mode};
use crate::print::{valid_queue_name, FolderPrinter, LpPrinter, PrintOutcome, Printer, Readiness};
use crate::store::election;

/// The shortest and longest idle timeouts an admin may choose: at least
/// two minutes (a voter reading a long measure, or voting by switch or by
/// ear, is slow), at most five (an abandoned ballot does not wait long for
/// the next person in line to see it).
pub const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 120..=300;
const DEFAULT_IDLE_TIMEOUT_SECS: u32 = 180;
const SETTING_IDLE: &str = "kiosk.idle_timeout_secs";
/// The shortest and longest idle logouts of officials an admin may choose.
pub const OFFICIAL_IDLE_RANGE: std::ops::RangeInclusive<u32> = 30..=600;
const DEFAULT_OFFICIAL_IDLE_SECS: u32 = 60;
const SETTING_OFFICIAL_IDLE: &str = "officials.idle_logout_secs";
const SETTING_LANGUAGE: &str = "kiosk.default_language";
/// The pixel pitches an admin may declare for the kiosk's panel, in
/// micrometres per pixel: from 0.1 mm (254 pixels per inch) to 0.5 mm
/// (51 per inch), where every text size of `limits::TEXT_SIZES` still has
/// a whole number of pixels inside its range.
pub const PIXEL_PITCH_RANGE_UM: std::ops::RangeInclusive<u32> = 100..=500;
/// The CSS reference pixel (1/96 inch), until an admin declares the panel's.
pub const DEFAULT_PIXEL_PITCH_UM: u32 = 265;
const SETTING_PIXEL_PITCH: &str = "display.pixel_pitch_um";
/// The station setting naming the CUPS printer queue.
const SETTING_PRINTER: &str = "print.queue";

impl Station {
    pub fn kiosk_settings(&self) -> Result<KioskSettings> {
        let conn = self.store.conn();
        // A value outside today's range (a file written under older
        // limits) reads as the default.
        let idle = election::setting(conn, SETTING_IDLE)?
            .and_then(|v| v.parse().ok())
            .filter(|v| IDLE_TIMEOUT_RANGE.contains(v))
            .unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS);
        let language = election::setting(conn, SETTING_LANGUAGE)?
            .filter(|l| self.definition.language(l).is_some())
            .unwrap_or_else(|| self.definition.default_language().as_str().to_string());
        Ok(KioskSettings {
            idle_timeout_secs: idle,
            default_language: language,
            official_idle_logout_secs: self.official_idle_logout_secs()?,
            pixel_pitch_um: self.pixel_pitch_um()?,
        })
    }

    /// The kiosk panel's declared pixel pitch, in micrometres per pixel.
    pub fn pixel_pitch_um(&self) -> Result<u32> {
        Ok(election::setting(self.store.conn(), SETTING_PIXEL_PITCH)?
            .and_then(|v| v.parse().ok())
            .filter(|v| PIXEL_PITCH_RANGE_UM.contains(v))
            .unwrap_or(DEFAULT_PIXEL_PITCH_UM))
    }

    /// Seconds without activity after which an official is logged out.
    pub fn official_idle_logout_secs(&self) -> Result<u32> {
        Ok(election::setting(self.store.conn(), SETTING_OFFICIAL_IDLE)?
            .and_then(|v| v.parse().ok())
            .filter(|v| OFFICIAL_IDLE_RANGE.contains(v))
            .unwrap_or(DEFAULT_OFFICIAL_IDLE_SECS))
    }

    /// Changes the kiosk settings (admins only; audited).
    pub fn set_kiosk_settings(&mut self, by: &Official, settings: &KioskSettings) -> Result<()> {
        self.check_official(by)?;
        by.require_admin()?;
        if !IDLE_TIMEOUT_RANGE.contains(&settings.idle_timeout_secs) {
            return Err(Error::InvalidInput(format!(
                "the idle timeout must be from {} to {} seconds",
                IDLE_TIMEOUT_RANGE.start(),
                IDLE_TIMEOUT_RANGE.end()
            )));
        }
        if !OFFICIAL_IDLE_RANGE.contains(&settings.official_idle_logout_secs) {
            return Err(Error::InvalidInput(format!(
                "the officials' idle logout must be from {} to {} seconds",
                OFFICIAL_IDLE_RANGE.start(),
                OFFICIAL_IDLE_RANGE.end()
            )));
        }
        if !PIXEL_PITCH_RANGE_UM.contains(&settings.pixel_pitch_um) {
            return Err(Error::InvalidInput(format!(
                "the display's pixel pitch must be from {:.3} to {:.3} mm per pixel",
                f64::from(*PIXEL_PITCH_RANGE_UM.start()) / 1000.0,
                f64::from(*PIXEL_PITCH_RANGE_UM.end()) / 1000.0
            )));
        }
        self.definition.require_language(&settings.default_language)?;
        self.audited_write(&by.username, AuditEvent::SettingsChanged, |tx, _| {
            election::record_setting(tx, SETTING_IDLE, &settings.idle_timeout_secs.to_string())?;
            election::record_setting(tx, SETTING_LANGUAGE, &settings.default_language)?;
            election::record_setting(
                tx,
                SETTING_OFFICIAL_IDLE,
                &settings.official_idle_logout_secs.to_string(),
            )?;
            election::record_setting(tx, SETTING_PIXEL_PITCH, &settings.pixel_pitch_um.to_string())?;
            let detail = format!(
                "idle timeout {} s, default language {}, officials' idle logout {} s, pixel pitch {:.3} mm",
                settings.idle_timeout_secs,
                settings.default_language,
                settings.official_idle_logout_secs,
                f64::from(settings.pixel_pitch_um) / 1000.0
            );
            Ok(Audited::entry((), detail))
        })
    }

    /// The CUPS queue documents are printed on; `None` means documents are
    /// saved to a folder instead.
    pub fn printer_queue(&self) -> Result<Option<String>> {
        Ok(election::setting(self.store.conn(), SETTING_PRINTER)?.filter(|q| !q.is_empty()))
    }

    /// Sets or clears the printer queue (admins only; audited). While the
    /// polls of an official election are open or paused, the new printer
    /// must be ready (`printer_readiness`): no folder, no print-to-file.
    pub fn set_printer(&mut self, by: &Official, queue: Option<&str>) -> Result<()> {
        self.check_official(by)?;
        by.require_admin()?;
        if let Some(q) = queue {
            if !valid_queue_name(q) {
                return Err(Error::InvalidInput(format!(
                    "{q:?} is not a printer queue name (letters, digits, '-', '_', '.'; no spaces)"
                )));
            }
        }
        if self.printer.is_none() && self.secrets_need_paper(false)? {
            let next: Arc<dyn Printer> = match queue {
                Some(q) => Arc::new(LpPrinter::new(q)?),
                None => Arc::new(FolderPrinter::new(&self.print_folder())),
            };
            let ready = next.readiness(true);
            if !ready.is_ready() {
                return Err(Error::PrinterNotReady(ready.problems.join("; ")));
            }
        }
        self.audited_write(&by.username, AuditEvent::PrinterSet, |tx, _| {
            let detail = match queue {
                Some(q) => {
                    election::record_setting(tx, SETTING_PRINTER, q)?;
                    format!("printer queue {q}")
                }
                None => {
                    election::forget_setting(tx, SETTING_PRINTER)?;
                    "no printer: documents are saved to a folder".to_string()
                }
            };
            Ok(Audited::entry((), detail))
        })
    }

    /// The folder where documents are saved when no printer is configured:
    /// `<station file stem>-printed/` next to the station file.
    pub fn print_folder(&self) -> PathBuf {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "station".into());
        self.path.with_file_name(format!("{stem}-printed"))
    }

    /// The printer documents go to: the injected one (`Options::printer`)
    /// if there is one, else the CUPS queue the settings name, else the
    /// print folder. The one place that chooses a printer.
    pub fn printer(&self) -> Result<Arc<dyn Printer>> {
        if let Some(printer) = &self.printer {
            return Ok(printer.clone());
        }
        Ok(match self.printer_queue()? {
            Some(queue) => Arc::new(LpPrinter::new(&queue)?),
            None => Arc::new(FolderPrinter::new(&self.print_folder())),
        })
    }

    /// Prints `pdf` as a job called `job` on [`Station::printer`], for the
    /// CLI and the app alike. While the polls of an official election are
    /// open or paused, nothing is saved into the print folder.
    pub fn print(&self, job: &str, pdf: &[u8]) -> Result<PrintOutcome> {
        let printer = self.printer()?;
        if self.printer.is_none() && self.printer_queue()?.is_none() && self.secrets_need_paper(false)? {
            return Err(Error::PrinterNotReady(
                printer.readiness(false).problems.join("; "),
            ));
        }
        printer.print(job, pdf)
    }

    /// Whether this is the demo election (definition `demo: true`), whose
    /// published credentials make it no real election: its documents may
    /// be saved into files.
    pub fn is_demo(&self) -> bool {
        self.definition.demo
    }

    /// Whether documents holding voter secrets must go to a ready printer
    /// now (never into a file): in an official election (not the demo),
    /// while the polls are open or paused, or at any time for official (not
    /// test) code slips (`official_codes`).
    pub fn secrets_need_paper(&self, official_codes: bool) -> Result<bool> {
        if self.is_demo() {
            return Ok(false);
        }
        Ok(official_codes || matches!(self.mode()?, Mode::Open | Mode::Paused))
    }

    /// Whether the station's printer may take an official election's
    /// receipts and code slips, and what is wrong with it if not. With
    /// `fix`, what may be changed is changed (CUPS's retention settings,
    /// where this user may: root or the `lpadmin` group).
    pub fn printer_readiness(&self, fix: bool) -> Result<Readiness> {
        Ok(self.printer()?.readiness(fix))
    }
}
