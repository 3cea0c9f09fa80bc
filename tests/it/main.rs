//! Integration tests of the station core, read like an election day.
//! No window, no network: the real SQLCipher file in a temporary folder.
//! (One exception: `verify_page` drives a headless WebKit page through its
//! WebDriver on loopback.)
//!
//! Index:
//! - `election_day`: the whole day through the facade, all four contest kinds.
//! - `bad_input`:    a table of bad inputs, each refused clearly, changing nothing.
//! - `concurrency`:  a second program cannot open a held file; racing casts with one code: exactly one ballot.
//! - `secrecy`:      no link from codes/receipts/requests to ballots; no cast order.
//! - `cards`:        ballot cards: print, spoil, reprint, abandon, cast; the hand count; the
//!   sealed audit manifest mapping each card to its record; the attacks on them.
//! - `sealed`:       ballots sealed at cast, played as attacks (no choice for the passphrase
//!   holder; a file diff's storage id in no export; one record length; K-of-N slips).
//! - `at_rest`:      the file and its WAL reveal nothing without the passphrase.
//! - `audit`:        the hash chain detects edits at the right entry.
//! - `officials`:    login lockout, roles.
//! - `cli`:          the `votekiosk` binary end to end.
//! - `cli_bad_input`: every subcommand refuses bad arguments and files, writing nothing; no secret in any output.
//! - `tabulation`:   the count against a naive reference on random elections; known outcomes; `tally`.
//! - `print`:        printed documents through pdftoppm/zbarimg/pdftotext; printers (CUPS, folder); reprint.
//! - `card_print`:   50 seeded ballot cards through pdftoppm/zbarimg/pdftotext: QR = ballot + card id, every name, both languages.
//! - `paper`:        an official election prints on paper only; after an official day nothing on disk holds a code or receipt.
//! - `export`:       the signed result and sealed export, the verifier, tampering, receipts, merging.
//! - `merge`:        the office's side through the CLI: merge with trusted keys and the office key; office count.
//! - `crash`:        a casting child killed with SIGKILL at 100+ random moments; nothing reported is lost.
//! - `fuzz`:         bounded proptest fuzzing of the parsers, the export verifier and the merge.
//! - `architecture`: no module of `src/` imports one above it (ARCHITECTURE.md's layers).
//! - `tamper`:       flipped pages refused cleanly; a cut WAL loses only a cut commit; VACUUM at close, redone after an interrupted one.
//! - `speech`:       eSpeak NG's WAV in en, es and ar, read back for length and RMS; text on stdin only,
//!   metacharacters read aloud, a missing espeak-ng a typed error; the per-definition cache.
//! - `readme`:       the README's command-line walk-through, run as written.
//! - `formats`:      the test vectors of `docs/formats.md`, computed and found in the document.
//! - `keys`:         the office key ceremony, share files, re-share, trusted keys and slips, as attacks.
//! - `rctab`:        RCTab's ten test sets reproduced round by round from CVR + config; bad CDF/config inputs refused, nothing written.
//! - `rla_cli`:      the risk-limiting audit at the office through the binary: bad input changes nothing; agreeing paper completes, disagreeing paper escalates.
//! - `errors`:       the golden list of `Error::code` values (none renamed, none unlisted).
//! - `nist`:         NIST SP 1500-103 CVR and SP 1500-100 ERR exports, schema-valid, equal to the records and tally; tampered input exports nothing.
//! - `verify_page`:  verify.html in a real WebKit (WebKitWebDriver + MiniBrowser on Xvfb): RFC 8032, forged results refused.
//! - `vx_import`:    a VotingWorks election.json imported field by field, losses reported, bad input refused; a station day on it.

mod support;

mod architecture;
mod at_rest;
mod audit;
mod bad_input;
mod card_print;
mod cards;
mod cli;
mod cli_bad_input;
mod concurrency;
mod crash;
mod election_day;
mod errors;
mod export;
mod formats;
mod fuzz;
mod keys;
mod merge;
mod nist;
mod officials;
mod paper;
mod print;
mod rctab;
mod readme;
mod rla_cli;
mod sealed;
mod secrecy;
mod speech;
mod tabulation;
mod tamper;
mod verify_page;
mod vx_import;
