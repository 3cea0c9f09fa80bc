//! The admins' settings kept in the file (idle timeout, default language,
//! officials' idle logout, printer queue) and the one printer choice: `Station::print`.

use std::path::PathBuf;

use super::{Audited, KioskSettings, Official, Station};
use crate::error::{Error, Result};
use crate::model::AuditEvent;
use crate::print::{valid_queue_name, FolderPrinter, LpPrinter, PrintOutcome, Printer};
use crate::store::election;

/// The shortest and longest idle timeouts an admin may choose.
pub const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 30..=900;
const DEFAULT_IDLE_TIMEOUT_SECS: u32 = 120;
const SETTING_IDLE: &str = "kiosk.idle_timeout_secs";
/// The shortest and longest idle logouts of officials an admin may choose.
pub const OFFICIAL_IDLE_RANGE: std::ops::RangeInclusive<u32> = 30..=600;
const DEFAULT_OFFICIAL_IDLE_SECS: u32 = 60;
const SETTING_OFFICIAL_IDLE: &str = "officials.idle_logout_secs";
const SETTING_LANGUAGE: &str = "kiosk.default_language";
/// The station setting naming the CUPS printer queue.
const SETTING_PRINTER: &str = "print.queue";

impl Station {
    pub fn kiosk_settings(&self) -> Result<KioskSettings> {
        let conn = self.store.conn();
        let idle = election::setting(conn, SETTING_IDLE)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS);
        let language = election::setting(conn, SETTING_LANGUAGE)?
            .filter(|l| self.definition.language(l).is_some())
            .unwrap_or_else(|| self.definition.default_language().as_str().to_string());
        Ok(KioskSettings {
            idle_timeout_secs: idle,
            default_language: language,
            official_idle_logout_secs: self.official_idle_logout_secs()?,
        })
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
        self.definition.require_language(&settings.default_language)?;
        self.audited_write(&by.username, AuditEvent::SettingsChanged, |tx, _| {
            election::record_setting(tx, SETTING_IDLE, &settings.idle_timeout_secs.to_string())?;
            election::record_setting(tx, SETTING_LANGUAGE, &settings.default_language)?;
            election::record_setting(
                tx,
                SETTING_OFFICIAL_IDLE,
                &settings.official_idle_logout_secs.to_string(),
            )?;
            let detail = format!(
                "idle timeout {} s, default language {}, officials' idle logout {} s",
                settings.idle_timeout_secs, settings.default_language, settings.official_idle_logout_secs
            );
            Ok(Audited::entry((), detail))
        })
    }

    /// The CUPS queue documents are printed on; `None` means documents are
    /// saved to a folder instead.
    pub fn printer_queue(&self) -> Result<Option<String>> {
        Ok(election::setting(self.store.conn(), SETTING_PRINTER)?.filter(|q| !q.is_empty()))
    }

    /// Sets or clears the printer queue (admins only; audited).
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

    /// Prints `pdf` as a job called `job`: on the injected printer
    /// (`Options::printer`) if there is one, else on the CUPS queue the
    /// settings name, else saved in the print folder. The one place that
    /// chooses a printer, for the CLI and the app alike.
    pub fn print(&self, job: &str, pdf: &[u8]) -> Result<PrintOutcome> {
        if let Some(printer) = &self.printer {
            return printer.print(job, pdf);
        }
        match self.printer_queue()? {
            Some(queue) => LpPrinter::new(&queue)?.print(job, pdf),
            None => FolderPrinter::new(&self.print_folder()).print(job, pdf),
        }
    }
}
