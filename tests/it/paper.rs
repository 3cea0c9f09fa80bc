//! Nothing sensitive on disk in clear (issue 13): an official election
//! prints receipts and voter codes on paper, never into a file. Opening its
//! polls needs a ready printer (a CUPS queue that exists, is enabled,
//! accepts jobs and is not print-to-file, under a CUPS that keeps no job
//! files or history); the demo election is told and opens. Official code
//! slips are never saved into the print folder, and slips that do not print
//! are revoked. The attack: after an official day on a CUPS queue that
//! prints to a network printer (a `socket://` device; a listener in this
//! test is the printer), no file in the station's folder, the CUPS spool or
//! the CUPS logs holds a receipt id or a voter code, in any common encoding.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use votekiosk::print::{receipt_slip, CodeSlipLayout, PrintOutcome, Printer, SlipKind};
use votekiosk::{ElectionDefinition, Error, Options, Station};

use crate::support::*;

/// Tests that talk to cupsd take turns: one of them restarts it
/// (`cupsctl`), which would fail another's `lp` meanwhile.
static CUPS: Mutex<()> = Mutex::new(());

pub fn cups_lock() -> MutexGuard<'static, ()> {
    CUPS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The test election: an official one, not the demo.
pub fn official_definition() -> ElectionDefinition {
    let definition = definition();
    assert!(!definition.demo);
    definition
}

/// A printer that is ready but jams on every job.
struct Jammed;

impl Printer for Jammed {
    fn print(&self, _: &str, _: &[u8]) -> votekiosk::Result<PrintOutcome> {
        Err(Error::PrintFailed {
            printer: "jammed".into(),
            reason: "paper jam".into(),
        })
    }
}

/// An official station in a new folder, with the fixture's officials.
struct OfficialStation {
    dir: tempfile::TempDir,
    /// The closing key's slips (2 of 2, `SLIP_HOLDERS`).
    slips: Vec<votekiosk::station::ShareSlip>,
    clock: Arc<votekiosk::ManualClock>,
    station: Station,
}

impl OfficialStation {
    /// Made with paper in memory (the closing key's slips print then),
    /// then restarted with `printer` (`None`: the station's own choice).
    fn new(printer: Option<Arc<dyn Printer>>) -> OfficialStation {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("station.vks");
        let clock = Arc::new(votekiosk::ManualClock::new(election_noon()));
        let mut station = Station::create(
            &path,
            &official_definition(),
            STATION_ID,
            PASSPHRASE,
            ADMIN,
            ADMIN_PASSWORD,
            Fixture::options_for(&clock),
        )
        .expect("create");
        assert!(!station.is_demo());
        let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("admin");
        station
            .add_official(&admin, WORKER, votekiosk::Role::PollWorker, WORKER_PASSWORD)
            .expect("worker");
        let workers: Vec<(String, zeroize::Zeroizing<String>)> = SLIP_HOLDERS
            .iter()
            .map(|(name, pin)| (name.to_string(), zeroize::Zeroizing::new(pin.to_string())))
            .collect();
        let slips = station
            .init_closing_key(&admin, &workers, 2)
            .expect("closing key");
        let mut made = OfficialStation {
            dir,
            slips,
            clock,
            station,
        };
        made.restart(printer);
        made
    }

    fn admin(&mut self) -> votekiosk::Official {
        self.station.login(ADMIN, ADMIN_PASSWORD).expect("admin")
    }

    fn worker(&mut self) -> votekiosk::Official {
        self.station.login(WORKER, WORKER_PASSWORD).expect("worker")
    }

    /// Restarts the kiosk program with another printer.
    fn restart(&mut self, printer: Option<Arc<dyn Printer>>) {
        let options = Options {
            printer,
            ..Fixture::options_for(&self.clock)
        };
        self.station.restart(options).expect("restart");
    }

    /// Counts the closed polls with the closing key's slips.
    fn count(&mut self) {
        let unlocks: Vec<votekiosk::station::SlipUnlock> = self
            .slips
            .iter()
            .map(|slip| votekiosk::station::SlipUnlock {
                payload: slip.payload.to_string(),
                pin: zeroize::Zeroizing::new(SLIP_HOLDERS[slip.index as usize - 1].1.to_string()),
            })
            .collect();
        let worker = self.worker();
        self.station.count(&worker, &unlocks).expect("count");
    }

    fn listing(&self) -> BTreeSet<String> {
        fs::read_dir(self.dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }
}

#[test]
fn an_official_election_does_not_open_the_polls_without_a_real_printer() {
    let mut o = OfficialStation::new(None);
    let worker = o.worker();
    let files = o.listing();
    let before = snapshot(&o.station);

    // No printer: documents would be saved into the print folder.
    let err = o.station.open_polls(&worker).expect_err("no printer");
    assert_eq!(err.code(), "printer_not_ready");
    let message = err.to_string();
    assert!(message.contains("no printer is set"), "{message}");
    assert!(
        message.contains("votekiosk print printer --set"),
        "says what to do: {message}"
    );
    assert_eq!(snapshot(&o.station), before, "nothing changed");
    let last = o.station.audit_log(1).expect("audit").remove(0);
    assert_eq!(last.kind, "refused");
    assert!(last.detail.contains("open the polls"), "{last:?}");

    // A queue that does not exist (or no CUPS at all).
    let admin = o.admin();
    o.station
        .set_printer(&admin, Some("votekiosk-no-such-queue"))
        .expect("set");
    let err = o.station.open_polls(&worker).expect_err("no such queue");
    assert_eq!(err.code(), "printer_not_ready");
    assert!(err.to_string().contains("votekiosk-no-such-queue"), "{err}");
    assert_eq!(snapshot(&o.station), before);

    // A print-to-PDF queue keeps every receipt in a file.
    if let Ok(queue) = std::env::var("VOTEKIOSK_TEST_CUPS_QUEUE") {
        let _cups = cups_lock();
        o.station.set_printer(&admin, Some(&queue)).expect("set");
        let err = o.station.open_polls(&worker).expect_err("cups-pdf");
        assert_eq!(err.code(), "printer_not_ready");
        assert!(
            err.to_string().contains("prints into files (device cups-pdf:/)"),
            "{err}"
        );
        assert_eq!(snapshot(&o.station), before);
    } else {
        eprintln!("cups-pdf part skipped: VOTEKIOSK_TEST_CUPS_QUEUE is not set (scripts/test sets it)");
    }
    assert_eq!(o.listing(), files, "no print folder, no document saved");
}

#[test]
fn the_demo_election_opens_with_no_printer_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(votekiosk::ManualClock::new(chrono::Utc::now()));
    let no_printer = || Options {
        printer: None,
        ..Fixture::options_for(&clock)
    };
    let path = dir.path().join("demo.vks");
    votekiosk::demo::ensure(&path, no_printer()).expect("demo");
    let mut station = Station::open(&path, votekiosk::demo::PASSPHRASE, no_printer()).expect("open demo");
    assert!(station.is_demo());
    let admin = station
        .login(votekiosk::demo::ADMIN, votekiosk::demo::ADMIN_PASSWORD)
        .expect("demo admin");
    let workers: Vec<(String, zeroize::Zeroizing<String>)> = SLIP_HOLDERS
        .iter()
        .map(|(name, pin)| (name.to_string(), zeroize::Zeroizing::new(pin.to_string())))
        .collect();
    station
        .init_closing_key(&admin, &workers, 2)
        .expect("closing key");
    station
        .open_polls(&admin)
        .expect("the demo opens without a printer");
    let opened = station
        .audit_log(10)
        .expect("audit")
        .into_iter()
        .rev()
        .find(|e| e.kind == "mode_changed")
        .expect("mode_changed entry");
    assert!(
        opened.detail.contains("allowed in the demo election only")
            && opened.detail.contains("no printer is set"),
        "the open says what an official election would refuse: {}",
        opened.detail
    );
    // Its code slips may go into the print folder.
    let (batch, outcome) = station
        .issue_printed_codes(&admin, 2, CodeSlipLayout::A4)
        .expect("demo slips");
    assert!(matches!(outcome, PrintOutcome::Saved { .. }), "{outcome:?}");
    assert_eq!(batch.codes.len(), 2);
}

#[test]
fn official_code_slips_are_never_saved_into_a_folder() {
    let mut o = OfficialStation::new(None);
    let worker = o.worker();
    let files = o.listing();
    let before = snapshot(&o.station);
    let err = o
        .station
        .issue_printed_codes(&worker, 5, CodeSlipLayout::A4)
        .expect_err("official slips need paper");
    assert_eq!(err.code(), "printer_not_ready");
    assert_eq!(snapshot(&o.station), before, "no code was issued");
    assert_eq!(o.listing(), files, "nothing saved");
    assert!(!o.station.print_folder().exists());

    // Test codes (logic and accuracy testing) may be saved.
    let admin = o.admin();
    o.station.enter_test_mode(&admin).expect("test mode");
    let (batch, outcome) = o
        .station
        .issue_printed_codes(&worker, 2, CodeSlipLayout::Roll)
        .expect("test slips");
    assert!(batch.test);
    assert!(matches!(outcome, PrintOutcome::Saved { .. }), "{outcome:?}");
}

#[test]
fn code_slips_that_fail_to_print_are_revoked_and_never_saved() {
    let mut o = OfficialStation::new(Some(Arc::new(Jammed)));
    let worker = o.worker();
    o.station.open_polls(&worker).expect("open");
    let files = o.listing();
    let err = o
        .station
        .issue_printed_codes(&worker, 3, CodeSlipLayout::A4)
        .expect_err("jammed");
    match &err {
        Error::SlipsNotPrinted { count, reason, .. } => {
            assert_eq!(*count, 3);
            assert!(reason.contains("paper jam"), "{reason}");
        }
        other => panic!("expected SlipsNotPrinted, got {other:?}"),
    }
    assert!(err.to_string().contains("issue new codes"), "{err}");
    let turnout = o.station.status().expect("status").turnout;
    assert_eq!(
        (turnout.codes_issued, turnout.codes_revoked, turnout.codes_unused),
        (3, 3, 0),
        "the batch is revoked: none of its codes can vote"
    );
    let entry = o.station.audit_log(1).expect("audit").remove(0);
    assert_eq!(entry.kind, "code_revoked");
    assert_eq!(
        entry.detail,
        "batch 1: 3 codes revoked: their slips did not print (print_failed)"
    );
    assert_eq!(o.listing(), files, "the slips were saved nowhere");

    // The printer is fixed: new codes print and vote.
    let paper = Arc::new(Paper::default());
    o.restart(Some(paper.clone()));
    let worker = o.worker();
    let (batch, _) = o
        .station
        .issue_printed_codes(&worker, 2, CodeSlipLayout::A4)
        .expect("reissued");
    assert_eq!(paper.0.lock().expect("paper").len(), 1, "one job: the slips");
    o.station
        .cast_ballot(&batch.codes[0].display(), &full_ballot(), &key())
        .expect("a reissued code votes");
}

#[test]
fn an_official_election_saves_nothing_into_the_print_folder_while_the_polls_are_open() {
    let mut o = OfficialStation::new(Some(Arc::new(Paper::default())));
    let worker = o.worker();
    o.station.open_polls(&worker).expect("open");
    // The program restarts without its printer, and no queue is set.
    o.restart(None);
    let files = o.listing();
    let err = o
        .station
        .print("votekiosk receipt", b"%PDF-1.4 receipt")
        .expect_err("no folder while open");
    assert_eq!(err.code(), "printer_not_ready");
    assert_eq!(o.listing(), files);
    // Nor may an admin switch to the folder or a queue that is not ready.
    let admin = o.admin();
    assert_eq!(
        o.station.set_printer(&admin, None).expect_err("folder").code(),
        "printer_not_ready"
    );
    assert_eq!(
        o.station
            .set_printer(&admin, Some("votekiosk-no-such-queue"))
            .expect_err("no such queue")
            .code(),
        "printer_not_ready"
    );
    assert_eq!(o.station.printer_queue().expect("queue"), None, "unchanged");
    assert_eq!(o.listing(), files);
}

// ---- the attack: an official day on a real CUPS queue ------------------------

/// The queue scripts/test adds for this test: a raw queue whose device is
/// `socket://127.0.0.1:PORT` (a network printer, JetDirect style), and
/// the port, where this test listens as the printer.
fn paper_queue() -> Option<(String, u16)> {
    let queue = std::env::var("VOTEKIOSK_TEST_CUPS_PAPER")
        .ok()
        .filter(|q| !q.is_empty());
    let port = std::env::var("VOTEKIOSK_TEST_CUPS_PAPER_PORT")
        .ok()
        .and_then(|p| p.parse().ok());
    match (queue, port) {
        (Some(q), Some(p)) => Some((q, p)),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but VOTEKIOSK_TEST_CUPS_PAPER / _PORT are not set: scripts/test must add the socket queue");
            }
            None
        }
    }
}

/// A network printer: accepts each job's connection and keeps its bytes.
fn printer_listener(port: u16) -> Arc<Mutex<Vec<Vec<u8>>>> {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("listen as the printer");
    let jobs = Arc::new(Mutex::new(Vec::new()));
    let received = jobs.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut bytes = Vec::new();
            if stream.read_to_end(&mut bytes).is_ok() {
                received.lock().expect("jobs").push(bytes);
            }
        }
    });
    jobs
}

fn cupsctl(args: &[&str]) -> bool {
    Command::new("cupsctl")
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// Waits until the scheduler answers again (cupsctl restarts it).
fn wait_for_cups() {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let out = Command::new("lpstat").arg("-r").output();
        if out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("is running")) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("cupsd did not come back");
}

/// Every file under `dir` (recursively); the unreadable ones are returned apart.
fn files_under(dir: &Path, files: &mut Vec<PathBuf>, unreadable: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        unreadable.push(dir.to_path_buf());
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, files, unreadable);
        } else {
            files.push(path);
        }
    }
}

/// The forms a secret could take in a file: as printed, without dashes,
/// lower case, UTF-16 (both byte orders), hex of its ASCII, and base64 at
/// each of the three alignments.
fn encodings(secret: &str) -> Vec<Vec<u8>> {
    let mut forms: Vec<String> = vec![secret.to_string(), secret.replace('-', "")];
    forms.extend(forms.clone().iter().map(|f| f.to_lowercase()));
    let mut out: Vec<Vec<u8>> = Vec::new();
    for form in &forms {
        out.push(form.as_bytes().to_vec());
        out.push(form.encode_utf16().flat_map(|u| u.to_le_bytes()).collect());
        out.push(form.encode_utf16().flat_map(|u| u.to_be_bytes()).collect());
        out.push(hex::encode(form.as_bytes()).into_bytes());
        for pad in 0..3 {
            // base64 of the secret after `pad` bytes: the middle, which
            // does not depend on the neighbours, is what a file would hold.
            let mut bytes = vec![b'_'; pad];
            bytes.extend(form.as_bytes());
            let encoded = base64(&bytes);
            let skip = pad.div_ceil(3) * 4;
            let keep = (form.len() / 3).saturating_sub(1) * 4;
            if keep >= 8 {
                out.push(encoded.as_bytes()[skip..skip + keep].to_vec());
            }
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn after_an_official_day_no_file_on_disk_holds_a_receipt_or_a_voter_code() {
    let Some((queue, port)) = paper_queue() else {
        eprintln!(
            "skipped: set VOTEKIOSK_TEST_CUPS_PAPER and VOTEKIOSK_TEST_CUPS_PAPER_PORT (scripts/test does)"
        );
        return;
    };
    let _cups = cups_lock();
    let jobs = printer_listener(port);
    // CUPS as installed: it keeps job files for a day and the job history.
    // The station must turn that off when the polls open.
    let admin_of_cups = cupsctl(&["PreserveJobFiles=Yes", "PreserveJobHistory=Yes"]);
    wait_for_cups();

    let mut o = OfficialStation::new(None);
    let admin = o.admin();
    o.station.set_printer(&admin, Some(&queue)).expect("printer");
    let worker = o.worker();
    o.station
        .open_polls(&worker)
        .expect("the polls open on a real printer");
    let opened = o
        .station
        .audit_log(10)
        .expect("audit")
        .into_iter()
        .rev()
        .find(|e| e.kind == "mode_changed")
        .expect("mode_changed");
    assert!(
        opened
            .detail
            .contains(&format!("printer CUPS queue {queue}: ready")),
        "{}",
        opened.detail
    );
    if admin_of_cups {
        assert!(
            opened
                .detail
                .contains("CUPS set to keep no job files or job history"),
            "the station turned CUPS's retention off: {}",
            opened.detail
        );
    }
    wait_for_cups();
    // The CUPS jobs of the day, by lp's request id ("QUEUE-23": job 23).
    let mut job_ids: Vec<u32> = Vec::new();
    let mut track = |outcome: PrintOutcome| match outcome {
        PrintOutcome::Queued {
            request: Some(id), ..
        } => job_ids.push(
            id.rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("job number"),
        ),
        other => panic!("not queued on CUPS: {other:?}"),
    };
    let zero = o
        .station
        .zero_report(election_noon())
        .expect("zero")
        .to_pdf()
        .expect("pdf");
    track(
        o.station
            .print("votekiosk zero report", &zero)
            .expect("zero report"),
    );

    // A day: codes on paper, a receipt on paper for each ballot.
    let mut secrets: Vec<String> = Vec::new();
    let (batch, slips) = o
        .station
        .issue_printed_codes(&worker, 6, CodeSlipLayout::Roll)
        .expect("code slips");
    track(slips);
    let def = o.station.definition().clone();
    for (i, code) in batch.codes.iter().enumerate() {
        secrets.push(code.display());
        if i == 5 {
            continue; // one code stays unused
        }
        let cast = o
            .station
            .cast_ballot(&code.display(), &full_ballot(), &key_for(i))
            .expect("cast");
        secrets.push(cast.receipt.as_str().to_string());
        let slip = receipt_slip(
            &def,
            STATION_ID,
            def.default_language(),
            &cast,
            SlipKind::Original,
        )
        .expect("slip");
        track(
            o.station
                .print("votekiosk receipt", &slip)
                .expect("receipt printed"),
        );
    }
    let worker = o.worker();
    o.station.close_polls(&worker).expect("close");
    o.count();
    let results = o
        .station
        .results_report(election_noon())
        .expect("results")
        .to_pdf()
        .expect("pdf");
    track(
        o.station
            .print("votekiosk results report", &results)
            .expect("results report"),
    );
    assert_eq!(job_ids.len(), 8);

    // Every job reaches the printer and leaves the queue.
    let expected_jobs = 1 + 1 + 5 + 1;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pending = Command::new("lpstat")
            .args(["-o", &queue])
            .output()
            .expect("lpstat");
        let printed = jobs.lock().expect("jobs").len();
        if printed >= expected_jobs && String::from_utf8_lossy(&pending.stdout).trim().is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{printed} of {expected_jobs} jobs reached the printer; queue: {}",
            String::from_utf8_lossy(&pending.stdout)
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    // CUPS deletes a finished job's files as its last step: give it a moment.
    std::thread::sleep(Duration::from_secs(2));
    let OfficialStation { dir, station, .. } = o;
    drop(station);

    // The documents themselves (their text is drawn as glyphs, so no byte
    // search could find a code in them): no file of the day's jobs stays
    // in the spool, neither the document (d…) nor the job record (c…).
    let spool: BTreeSet<String> = fs::read_dir("/var/spool/cups")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for id in &job_ids {
        let kept: Vec<&String> = spool
            .iter()
            .filter(|f| **f == format!("c{id:05}") || f.starts_with(&format!("d{id:05}-")))
            .collect();
        assert!(kept.is_empty(), "CUPS kept job {id} of the day: {kept:?}");
    }

    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for root in [
        dir.path(),
        Path::new("/var/spool/cups"),
        Path::new("/var/log/cups"),
    ] {
        files_under(root, &mut files, &mut unreadable);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        assert!(
            unreadable.is_empty(),
            "cannot read {unreadable:?}: run the tests as root (CI does)"
        );
    } else if !unreadable.is_empty() {
        eprintln!("note: could not read {unreadable:?}; they were not searched");
    }
    let needles: Vec<(String, Vec<u8>)> = secrets
        .iter()
        .flat_map(|s| encodings(s).into_iter().map(move |e| (s.clone(), e)))
        .collect();
    let mut searched = 0;
    for file in &files {
        let Ok(bytes) = fs::read(file) else {
            unreadable.push(file.clone());
            continue;
        };
        searched += 1;
        for (secret, form) in &needles {
            assert!(
                !contains(&bytes, form),
                "{} holds {secret} (as {:?})",
                file.display(),
                String::from_utf8_lossy(form)
            );
        }
    }
    eprintln!(
        "searched {searched} files ({} bytes of secrets in {} forms) in the station's folder, /var/spool/cups and /var/log/cups; {} jobs reached the printer",
        secrets.len(),
        needles.len(),
        jobs.lock().expect("jobs").len()
    );
    assert!(
        searched >= 2,
        "the station file and at least one CUPS log were searched"
    );
}
