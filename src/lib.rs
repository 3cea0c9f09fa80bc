//! votekiosk: the core of an offline polling-station kiosk.
//!
//! One station file (SQLCipher) runs one election. Officials issue one-time
//! voter codes; each code casts exactly one ballot; each ballot gets a
//! receipt that proves inclusion without revealing content; an append-only,
//! hash-chained audit log records what happened. Everything goes through
//! the [`Station`] facade. This crate never depends on Tauri (see
//! `ARCHITECTURE.md`).

pub mod ballot;
pub mod canonical;
pub mod clock;
pub mod codes;
pub mod crypto;
pub mod definition;
pub mod demo;
pub mod error;
pub mod export;
pub mod files;
pub mod keys;
pub mod limits;
pub mod model;
pub mod nist;
pub mod print;
pub mod receipt;
pub mod rla;
pub mod seal;
pub mod signed;
pub mod speech;
pub mod station;
pub mod store;
pub mod tabulate;
pub mod turnout;

pub use ballot::{Ballot, Choice, SelectionsInput};
pub use clock::{Clock, ManualClock, SystemClock};
pub use codes::VoterCode;
pub use definition::ElectionDefinition;
pub use error::{DefinitionError, Error, Result};
pub use limits::{allowed_actions, Action, Limits, LIMITS};
pub use receipt::ReceiptId;
pub use station::{
    CastReceipt, IssuedBatch, KioskSettings, Mode, Official, Options, ReceiptStatus, Role, Station, Status,
};
pub use turnout::Turnout;
