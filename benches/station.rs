//! The kiosk's own latencies against the physical floor, measured in the
//! same run on the same disk:
//!
//! - **cast**: `Station::cast_ballot` (validate, consume the code, ballot,
//!   receipt, cast request, audit entry, durable commit, then the WAL
//!   checkpoint) against a bare durable `INSERT` + commit into a SQLCipher
//!   file with the same pragmas, and against the same bare commit followed
//!   by the same `wal_checkpoint(TRUNCATE)` (and, for comparison, a bare
//!   commit with a rollback journal). All are interleaved, one sample of
//!   each per round, so load on the shared machine hits them alike.
//! - **receipt ready**: the same cast plus the receipt slip's PDF.
//! - **issuing codes**: 10,000 codes and their A4 slip PDF written to disk,
//!   against 10,000 bare inserts in one transaction.
//! - **unlock**: Argon2id at the file format's parameters, and a full
//!   `Station::open` (key, integrity check, audit chain) after a day.
//! - **export**: `Station::export` of the closed station, against
//!   `sha256sum` over its output.
//!
//! `cargo bench --bench station` runs it in full and writes
//! `target/bench-results/station.md` for `scripts/bench`; under
//! `cargo test --benches` it runs a small smoke version.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rand::RngCore;
use rusqlite::params;

use common::*;
use votekiosk::crypto::kdf;
use votekiosk::print::{self, CodeSlipLayout, SlipKind};
use votekiosk::station::SlipUnlock;
use votekiosk::{demo, Options, SelectionsInput, Station};

const PASSPHRASE: &str = "bench election passphrase";
const ADMIN: &str = "admin";
const ADMIN_PASSWORD: &str = "bench-admin-password";

struct Sizes {
    casts: usize,
    warm_up: usize,
    codes: usize,
    code_runs: usize,
    kdf_runs: usize,
    open_runs: usize,
    export_runs: usize,
}

fn sizes() -> Sizes {
    if full_mode() {
        Sizes {
            casts: env_usize("VOTEKIOSK_BENCH_CASTS", 2_000),
            warm_up: 50,
            codes: 10_000,
            code_runs: 3,
            kdf_runs: 5,
            open_runs: 3,
            export_runs: 5,
        }
    } else {
        Sizes {
            casts: 6,
            warm_up: 2,
            codes: 30,
            code_runs: 1,
            kdf_runs: 1,
            open_runs: 1,
            export_runs: 1,
        }
    }
}

/// A plausible ballot for the demo election, varied with `i`: every
/// contest marked, some write-ins, rankings of one to three.
fn ballot(i: usize) -> SelectionsInput {
    let pick = |options: &[&str], k: usize| options[k % options.len()].to_string();
    let mut s = BTreeMap::new();
    let mayor = if i.is_multiple_of(17) {
        "write-in:Jane Q. Public".to_string()
    } else {
        pick(&["alvarez", "brooks", "chen"], i)
    };
    s.insert("mayor".to_string(), vec![mayor]);
    let council = ["diaz", "evans", "fischer", "gupta"];
    s.insert(
        "council".to_string(),
        vec![pick(&council, i), pick(&council, i + 1 + i / 4 % 3)],
    );
    s.insert(
        "library-bond".to_string(),
        vec![if i.is_multiple_of(3) { "no" } else { "yes" }.to_string()],
    );
    let parks = ["hill", "ito", "jones"];
    s.insert(
        "parks-board".to_string(),
        (0..1 + i % 3).map(|k| pick(&parks, i + k)).collect(),
    );
    let ranked = ["kim", "lopez", "moore", "nguyen"];
    s.insert(
        "school-board".to_string(),
        (0..1 + i % 3).map(|k| pick(&ranked, i + k)).collect(),
    );
    s
}

/// The baseline table: a ballot row, keyed by a random id, no rowid.
fn baseline_db(path: &Path, exclusive: bool) -> rusqlite::Connection {
    let conn = baseline_connection(path, exclusive);
    conn.execute_batch(
        "CREATE TABLE ballots (id BLOB PRIMARY KEY, test INTEGER NOT NULL, selections TEXT NOT NULL) WITHOUT ROWID;
         CREATE TABLE voter_codes (mac BLOB PRIMARY KEY, state TEXT NOT NULL, test INTEGER NOT NULL, batch INTEGER NOT NULL) WITHOUT ROWID;",
    )
    .expect("baseline schema");
    conn
}

/// One bare durable insert and commit (`synchronous=FULL`: the commit
/// returns after the WAL's fsync), optionally followed by the station's
/// checkpoint.
fn bare_insert(conn: &mut rusqlite::Connection, selections: &str, checkpoint: bool) -> Duration {
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let t = Instant::now();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .expect("begin");
    tx.prepare_cached("INSERT INTO ballots (id, test, selections) VALUES (?1, 0, ?2)")
        .expect("prepare")
        .execute(params![id.as_slice(), selections])
        .expect("insert");
    tx.commit().expect("commit");
    if checkpoint {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
    }
    t.elapsed()
}

fn sha256sum(path: &Path) -> Duration {
    let t = Instant::now();
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("run sha256sum");
    let d = t.elapsed();
    assert!(out.status.success(), "sha256sum failed");
    d
}

fn main() {
    let sz = sizes();
    let load_before = load_average();
    let dir = tempfile::tempdir().expect("tempdir");
    let now = chrono::Utc::now();
    let definition = demo::definition(now).expect("demo definition");
    let lang = definition.default_language().clone();

    // ---- unlock: Argon2id alone -------------------------------------------
    let mut salt = [0u8; kdf::SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let kdf_times: Vec<Duration> = (0..sz.kdf_runs)
        .map(|_| time(|| kdf::derive_file_key(PASSPHRASE, &salt).expect("derive")).0)
        .collect();
    let kdf_s = Samples::from_durations(&kdf_times);
    eprintln!("{}", kdf_s.summary("argon2id"));

    // ---- a station with codes for every cast --------------------------------
    let station_path = dir.path().join("bench.vkstation");
    let mut station = Station::create(
        &station_path,
        &definition,
        demo::STATION_ID,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        Options::default(),
    )
    .expect("create station");
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login");
    // Official polls open only with a closing key (2 of 3 poll workers).
    let workers: Vec<(String, zeroize::Zeroizing<String>)> = ["ana", "ben", "cy"]
        .iter()
        .map(|w| (w.to_string(), zeroize::Zeroizing::new("24681357".to_string())))
        .collect();
    let slips = station
        .init_closing_key(&admin, &workers, 2)
        .expect("closing key");
    station.open_polls(&admin).expect("open polls");
    let total_casts = sz.casts + sz.warm_up;
    let codes: Vec<String> = station
        .issue_codes(&admin, total_casts)
        .expect("codes")
        .codes
        .iter()
        .map(|c| c.display())
        .collect();
    let ballots: Vec<SelectionsInput> = (0..total_casts).map(ballot).collect();
    let ballot_json: Vec<String> = ballots
        .iter()
        .map(|b| {
            votekiosk::Ballot::validate(&definition, b)
                .expect("valid ballot")
                .to_json()
        })
        .collect();

    // The floors are opened as the station file is (exclusive locking).
    let mut bare = baseline_db(&dir.path().join("bare.db"), true);
    let mut bare_ckpt = baseline_db(&dir.path().join("bare-checkpoint.db"), true);
    // The other way to leave no committed transaction in a side file: a
    // rollback journal, deleted at each commit (SQLite's default mode; in
    // exclusive locking SQLite keeps the journal file between
    // transactions, so this one is opened with shared locking).
    let mut bare_journal = baseline_db(&dir.path().join("bare-journal.db"), false);
    bare_journal
        .execute_batch("PRAGMA journal_mode = DELETE;")
        .expect("rollback journal");

    // ---- cast vs bare commit vs bare commit + checkpoint, interleaved --------
    let (mut cast_t, mut pdf_t, mut bare_t, mut ckpt_t, mut journal_t, mut card_t) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let t_loop = Instant::now();
    for i in 0..total_casts {
        let measured = i >= sz.warm_up;
        for k in 0..4 {
            match (i + k) % 4 {
                0 => {
                    // The demo election has ballot cards: the card is
                    // recorded (its own transaction, sealing the card id)
                    // before the card is printed and the ballot cast;
                    // timed apart from the cast.
                    let t = Instant::now();
                    station.print_card(&codes[i], &ballots[i]).expect("card");
                    let card = t.elapsed();
                    let t = Instant::now();
                    let receipt = station
                        .cast_ballot(&codes[i], &ballots[i], &format!("bench-request-{i:08}"))
                        .expect("cast");
                    let cast = t.elapsed();
                    let t = Instant::now();
                    let pdf = print::receipt_slip(
                        &definition,
                        demo::STATION_ID,
                        &lang,
                        &receipt,
                        SlipKind::Original,
                    )
                    .expect("receipt slip");
                    let slip = t.elapsed();
                    assert!(pdf.starts_with(b"%PDF"));
                    if measured {
                        card_t.push(card);
                        cast_t.push(cast);
                        pdf_t.push(slip);
                    }
                }
                1 => {
                    let d = bare_insert(&mut bare, &ballot_json[i], false);
                    if measured {
                        bare_t.push(d);
                    }
                }
                2 => {
                    let d = bare_insert(&mut bare_ckpt, &ballot_json[i], true);
                    if measured {
                        ckpt_t.push(d);
                    }
                }
                _ => {
                    let d = bare_insert(&mut bare_journal, &ballot_json[i], false);
                    if measured {
                        journal_t.push(d);
                    }
                }
            }
        }
    }
    let loop_secs = t_loop.elapsed().as_secs_f64();
    let ready_t: Vec<Duration> = cast_t.iter().zip(&pdf_t).map(|(a, b)| *a + *b).collect();
    let both_t: Vec<Duration> = cast_t.iter().zip(&card_t).map(|(a, b)| *a + *b).collect();
    let cast_s = Samples::from_durations(&cast_t);
    let pdf_s = Samples::from_durations(&pdf_t);
    let ready_s = Samples::from_durations(&ready_t);
    let bare_s = Samples::from_durations(&bare_t);
    let ckpt_s = Samples::from_durations(&ckpt_t);
    let journal_s = Samples::from_durations(&journal_t);
    let card_s = Samples::from_durations(&card_t);
    let both_s = Samples::from_durations(&both_t);
    for (name, s) in [
        ("card record", &card_s),
        ("cast", &cast_s),
        ("receipt pdf", &pdf_s),
        ("receipt ready", &ready_s),
        ("bare commit", &bare_s),
        ("bare commit + checkpoint", &ckpt_s),
        ("bare commit, rollback journal", &journal_s),
    ] {
        eprintln!("{}", s.summary(name));
    }
    // Does a cast get slower as the day goes on? First and last tenth.
    let tenth = (cast_t.len() / 10).max(1);
    let early = Samples::from_durations(&cast_t[..tenth]);
    let late = Samples::from_durations(&cast_t[cast_t.len() - tenth..]);

    // ---- issuing codes ------------------------------------------------------
    let (mut issue_t, mut slips_t, mut write_t, mut codes_floor_t) = (vec![], vec![], vec![], vec![]);
    let mut slips_bytes = 0;
    for run in 0..sz.code_runs {
        // A poll worker's session ends after a minute idle: on a loaded
        // machine the casts (or the previous batch's PDF) take longer, so
        // log in again, untimed, as the poll worker at the dashboard would.
        let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login");
        let (issue, batch) = time(|| station.issue_codes(&admin, sz.codes).expect("issue codes"));
        let (slips, pdf) = time(|| {
            print::code_slips(&definition, demo::STATION_ID, &batch, CodeSlipLayout::A4).expect("code slips")
        });
        let out = dir.path().join(format!("codes-{run}.pdf"));
        let (write, ()) = time(|| votekiosk::files::write_private(&out, &pdf).expect("save slips"));
        slips_bytes = pdf.len();
        issue_t.push(issue);
        slips_t.push(slips);
        write_t.push(write);
        // Floor: the same number of bare inserts of a 32-byte MAC, one
        // transaction, one durable commit.
        let floor = {
            let t = Instant::now();
            let tx = bare
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .expect("begin");
            {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO voter_codes (mac, state, test, batch) VALUES (?1, 'issued', 0, ?2)",
                    )
                    .expect("prepare");
                for _ in 0..sz.codes {
                    let mut mac = [0u8; 32];
                    rand::rngs::OsRng.fill_bytes(&mut mac);
                    stmt.execute(params![mac.as_slice(), run as i64]).expect("insert");
                }
            }
            tx.commit().expect("commit");
            t.elapsed()
        };
        codes_floor_t.push(floor);
    }
    let total_codes_t: Vec<Duration> = (0..sz.code_runs)
        .map(|i| issue_t[i] + slips_t[i] + write_t[i])
        .collect();
    let issue_s = Samples::from_durations(&issue_t);
    let slips_s = Samples::from_durations(&slips_t);
    let write_s = Samples::from_durations(&write_t);
    let codes_total_s = Samples::from_durations(&total_codes_t);
    let codes_floor_s = Samples::from_durations(&codes_floor_t);
    eprintln!("{}", codes_total_s.summary("issue + slips + write"));

    // ---- closing, reopening (unlock after a day), exporting ---------------
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login");
    let (close_t, ()) = time(|| station.close_polls(&admin).expect("close"));
    drop(station);
    let open_t: Vec<Duration> = (0..sz.open_runs)
        .map(|_| time(|| Station::open(&station_path, PASSPHRASE, Options::default()).expect("open")).0)
        .collect();
    let open_s = Samples::from_durations(&open_t);
    let mut station = Station::open(&station_path, PASSPHRASE, Options::default()).expect("open");
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login");
    // Two poll workers' slips unseal the ballots for the export.
    let unlocks: Vec<SlipUnlock> = slips[..2]
        .iter()
        .map(|s| SlipUnlock {
            payload: s.payload.to_string(),
            pin: zeroize::Zeroizing::new("24681357".to_string()),
        })
        .collect();
    let (count_t, _) = time(|| station.count(&admin, &unlocks).expect("count"));
    eprintln!("count (2 slips, unseal every ballot): {count_t:?}");
    let mut export_t = vec![];
    let mut text = Vec::new();
    for _ in 0..sz.export_runs {
        let (d, t) = time(|| station.export(&admin, false, "export.jsonl").expect("export"));
        export_t.push(d);
        text = t.result;
    }
    let export_path = dir.path().join("export.jsonl");
    std::fs::write(&export_path, &text).expect("write export");
    let sha_t: Vec<Duration> = (0..sz.export_runs.max(3))
        .map(|_| sha256sum(&export_path))
        .collect();
    let export_s = Samples::from_durations(&export_t);
    let sha_s = Samples::from_durations(&sha_t);
    let load_after = load_average();

    // ---- the report -----------------------------------------------------------
    let ms50 = 0.050;
    let n = cast_s.len();
    let mut md = String::new();
    md.push_str(&format!(
        "## Casting, receipts, codes, unlock (`benches/station.rs`)\n\n\
         **Command**: `cargo bench --bench station` (run by `scripts/bench`). \
         {n} casts, each round one sample of each of the four writes in \
         rotating order, after {} warm-up rounds; the loop took {:.0} s; load \
         average {load_before} before, {load_after} after. Station file and \
         baseline files in one temporary folder on the same disk.\n\n\
         **Baselines (floors)**: a bare `INSERT` of one ballot row (random \
         16-byte id, the same selections JSON) into a `WITHOUT ROWID` table and \
         its commit, in a SQLCipher file opened like a station file \
         (`locking_mode = EXCLUSIVE` held from the start, raw key with salt, \
         `cipher_compatibility = 4`, WAL, `synchronous = FULL`, foreign keys, \
         `secure_delete`): the one fsync any durable ballot must pay. And the \
         same followed by the station's `PRAGMA wal_checkpoint(TRUNCATE)`, \
         which the station runs after every cast so that no committed WAL \
         frames link a receipt to a ballot (`docs/formats.md` §3).\n\n\
         **What the cast includes**: the election is the demo's with ballot \
         cards, polls opened in official mode with a 2-of-3 closing key, so \
         `Station::cast_ballot` validates, checks the ballot against the \
         printed card, seals the ballot (the body under the data key whose \
         HPKE wraps to the office and closing keys were made when the code \
         was accepted; afresh if the keys changed since), consumes the code, \
         writes the ballot, receipt, cast request and audit entry in one \
         durable commit, then checkpoints. The card record before it \
         (`Station::print_card`: check the code, which prepares those wraps; \
         validate, seal the card id, the pending-card row and its audit \
         entry, one durable commit, no checkpoint) is a separate transaction \
         while the card prints, before the voter casts: timed apart, not in \
         the cast. Cast plus card record is the row below them.\n\n",
        sz.warm_up, loop_secs
    ));
    md.push_str(&table(
        &[
            "What",
            "Median",
            "p99",
            "Range (min–max)",
            "Median ÷ bare commit",
            "Median ÷ bare commit + checkpoint",
        ],
        &[
            vec![
                "floor: bare durable INSERT + commit".into(),
                human(bare_s.median()),
                human(bare_s.p99()),
                format!("{}–{}", human(bare_s.min()), human(bare_s.max())),
                "1".into(),
                ratio(bare_s.median(), ckpt_s.median()),
            ],
            vec![
                "floor: bare INSERT + commit + `wal_checkpoint(TRUNCATE)`".into(),
                human(ckpt_s.median()),
                human(ckpt_s.p99()),
                format!("{}–{}", human(ckpt_s.min()), human(ckpt_s.max())),
                ratio(ckpt_s.median(), bare_s.median()),
                "1".into(),
            ],
            vec![
                "other floor: bare INSERT + commit with a rollback journal (`journal_mode = DELETE`)".into(),
                human(journal_s.median()),
                human(journal_s.p99()),
                format!("{}–{}", human(journal_s.min()), human(journal_s.max())),
                ratio(journal_s.median(), bare_s.median()),
                ratio(journal_s.median(), ckpt_s.median()),
            ],
            vec![
                "**cast** (`Station::cast_ballot`)".into(),
                format!("**{}**", human(cast_s.median())),
                human(cast_s.p99()),
                format!("{}–{}", human(cast_s.min()), human(cast_s.max())),
                format!("**{}**", ratio(cast_s.median(), bare_s.median())),
                format!("**{}**", ratio(cast_s.median(), ckpt_s.median())),
            ],
            vec![
                "card record before the cast (`Station::print_card`, its own transaction)".into(),
                human(card_s.median()),
                human(card_s.p99()),
                format!("{}–{}", human(card_s.min()), human(card_s.max())),
                ratio(card_s.median(), bare_s.median()),
                ratio(card_s.median(), ckpt_s.median()),
            ],
            vec![
                "card record + cast (both writes of one voter)".into(),
                human(both_s.median()),
                human(both_s.p99()),
                format!("{}–{}", human(both_s.min()), human(both_s.max())),
                ratio(both_s.median(), bare_s.median()),
                ratio(both_s.median(), ckpt_s.median()),
            ],
            vec![
                "receipt slip PDF alone (`print::receipt_slip`)".into(),
                human(pdf_s.median()),
                human(pdf_s.p99()),
                format!("{}–{}", human(pdf_s.min()), human(pdf_s.max())),
                "—".into(),
                "—".into(),
            ],
            vec![
                "**receipt ready** (cast + receipt PDF)".into(),
                format!("**{}**", human(ready_s.median())),
                human(ready_s.p99()),
                format!("{}–{}", human(ready_s.min()), human(ready_s.max())),
                ratio(ready_s.median(), bare_s.median()),
                ratio(ready_s.median(), ckpt_s.median()),
            ],
        ],
    ));
    md.push_str(&format!(
        "\nCast p99 ÷ bare-commit p99: {}; ÷ bare-commit-plus-checkpoint p99: {}. \
         Receipt ready is {} (median) and {} (p99) above the bare commit's \
         median and p99 (target: at most 50 ms: {}). Over the day: the first \
         tenth of the casts had a median of {}, the last tenth {} ({} ballots \
         in the file by then), so a cast does not slow down as the file grows.\n\n",
        ratio(cast_s.p99(), bare_s.p99()),
        ratio(cast_s.p99(), ckpt_s.p99()),
        human(ready_s.median() - bare_s.median()),
        human(ready_s.p99() - bare_s.p99()),
        if ready_s.median() - bare_s.median() <= ms50 && ready_s.p99() - bare_s.p99() <= ms50 {
            "met"
        } else {
            "missed"
        },
        human(early.median()),
        human(late.median()),
        total_casts
    ));
    md.push_str(&format!(
        "### Issuing codes\n\n{} codes per batch, {} batches: `Station::issue_codes` \
         (random codes, HMAC each, one transaction), then \
         `print::code_slips` (A4, ten slips with a QR each per page, {} pages, \
         {}), then `files::write_private` (write and fsync). Floor: {} bare inserts \
         of a random 32-byte MAC in one transaction into the baseline file.\n\n",
        sz.codes,
        sz.code_runs,
        sz.codes.div_ceil(10),
        mb(slips_bytes as u64),
        sz.codes
    ));
    md.push_str(&table(
        &["What", "Median (min–max)", "× floor"],
        &[
            vec![
                format!("floor: {} bare inserts, one commit", sz.codes),
                codes_floor_s.median_range(),
                "1".into(),
            ],
            vec![
                "issue (codes, HMACs, inserts, audit, commit)".into(),
                issue_s.median_range(),
                ratio(issue_s.median(), codes_floor_s.median()),
            ],
            vec!["slip PDF".into(), slips_s.median_range(), "—".into()],
            vec!["write the PDF (fsync)".into(), write_s.median_range(), "—".into()],
            vec![
                format!("**total: {} codes issued and their slips written**", sz.codes),
                format!("**{}**", codes_total_s.median_range()),
                ratio(codes_total_s.median(), codes_floor_s.median()),
            ],
        ],
    ));
    md.push_str(&format!(
        "\nTarget: at most 5 s for 10,000 codes: {}.\n\n",
        if codes_total_s.max() <= 5.0 {
            "met"
        } else {
            "missed"
        }
    ));
    md.push_str(&format!(
        "### Unlock, close, export\n\n\
         Argon2id is a security setting (`docs/formats.md` §3: m = {} KiB, t = {}, \
         p = {}), reported, not minimised; the target band is 0.3–1 s.\n\n",
        kdf::MEMORY_KIB,
        kdf::PASSES,
        kdf::LANES
    ));
    md.push_str(&table(
        &["What", "Runs", "Median (min–max)", "Ratio"],
        &[
            vec![
                "**Argon2id key derivation** (`kdf::derive_file_key`)".into(),
                kdf_s.len().to_string(),
                format!("**{}**", kdf_s.median_range()),
                format!(
                    "{} the band",
                    if (0.3..=1.0).contains(&kdf_s.median()) {
                        "inside"
                    } else {
                        "outside"
                    }
                ),
            ],
            vec![
                format!(
                    "`Station::open` after the day ({} ballots, {} codes): key, integrity check, audit chain",
                    total_casts,
                    total_casts + sz.codes * sz.code_runs
                ),
                open_s.len().to_string(),
                open_s.median_range(),
                format!("{} of Argon2id", ratio(open_s.median(), kdf_s.median())),
            ],
            vec![
                "`Station::close_polls` (mode change, then `VACUUM` and checkpoint)".into(),
                "1".into(),
                human(close_t.as_secs_f64()),
                "—".into(),
            ],
            vec![
                format!("floor: `sha256sum` over the export ({})", mb(text.len() as u64)),
                sha_s.len().to_string(),
                sha_s.median_range(),
                "1".into(),
            ],
            vec![
                format!(
                    "**`Station::export`** ({} ballots: read, recount, seal, sign)",
                    total_casts
                ),
                export_s.len().to_string(),
                format!("**{}**", export_s.median_range()),
                format!("{} `sha256sum`", ratio(export_s.median(), sha_s.median())),
            ],
        ],
    ));
    md.push('\n');
    print!("{md}");
    write_fragment("station", &md);
    let verdict = |ok: bool| if ok { "met" } else { "**missed**" }.to_string();
    let ready_above = ready_s.median() - bare_s.median();
    write_summary(
        "station",
        &[
            [
                "Cast (sealing, card check, exclusive locking) ÷ bare commit + the same checkpoint (median)"
                    .into(),
                "≤ 1.2".into(),
                format!(
                    "{} ({} vs {})",
                    ratio(cast_s.median(), ckpt_s.median()),
                    human(cast_s.median()),
                    human(ckpt_s.median())
                ),
                verdict(cast_s.median() / ckpt_s.median() <= 1.2),
            ],
            [
                "Cast ÷ bare durable commit (median)".into(),
                "reported (the floor is the commit plus the checkpoint, see the notes)".into(),
                format!(
                    "{} ({} vs {}); the bare commit plus the same checkpoint alone is {}",
                    ratio(cast_s.median(), bare_s.median()),
                    human(cast_s.median()),
                    human(bare_s.median()),
                    ratio(ckpt_s.median(), bare_s.median())
                ),
                "reported".into(),
            ],
            [
                "Card record before the cast (`print_card`, its own commit) ÷ bare commit (median)".into(),
                "reported (outside the cast)".into(),
                format!(
                    "{} ({} vs {})",
                    ratio(card_s.median(), bare_s.median()),
                    human(card_s.median()),
                    human(bare_s.median())
                ),
                "reported".into(),
            ],
            [
                "Receipt ready (cast + receipt PDF) above the bare commit".into(),
                "≤ 50 ms".into(),
                format!(
                    "+{} median (ready {}), +{} p99",
                    human(ready_above),
                    human(ready_s.median()),
                    human(ready_s.p99() - bare_s.p99())
                ),
                verdict(ready_above <= ms50 && ready_s.p99() - bare_s.p99() <= ms50),
            ],
            [
                format!("Issue {} codes and write their slip PDF", sz.codes),
                "≤ 5 s".into(),
                format!(
                    "{} median (issuing {}, PDF {})",
                    human(codes_total_s.median()),
                    human(issue_s.median()),
                    human(slips_s.median())
                ),
                if codes_total_s.median() <= 5.0 {
                    "met".into()
                } else {
                    "**missed**: bounded by the slip PDF, see below".into()
                },
            ],
            [
                "Unlock: Argon2id at the file's parameters".into(),
                "0.3–1 s (a setting)".into(),
                format!("{} median", human(kdf_s.median())),
                verdict((0.3..=1.0).contains(&kdf_s.median())),
            ],
        ],
    );
}
