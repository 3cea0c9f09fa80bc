//! What leaves the station signed: the signing key (made at `create`)
//! and the result file (`votekiosk-result/1`), sealed by `export::seal`.
//! Its cast vote records are the counted records (`Station::count`), with
//! their public record ids.

use zeroize::Zeroizing;

use super::{Official, Station, SIGNING_KEY};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Mode};
use crate::store::{ballots, election};

impl Station {
    /// The station's Ed25519 signing key, made with the station file.
    fn signing_key(&self) -> Result<ed25519_dalek::SigningKey> {
        let seed = election::secret(self.store.conn(), SIGNING_KEY)?;
        let seed: [u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| Error::Damaged("the signing key is not 32 bytes".into()))?;
        Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// The station's public key (32 bytes).
    pub fn public_key(&self) -> Result<[u8; 32]> {
        Ok(self.signing_key()?.verifying_key().to_bytes())
    }

    /// The public key's fingerprint, as printed on the reports.
    pub fn public_key_fingerprint(&self) -> Result<String> {
        Ok(crate::export::fingerprint(&self.public_key()?))
    }

    /// Builds the signed result file (canonical JSON text). Official
    /// results only after the polls close; with `test`, a test export of
    /// the test ballots, allowed only in test mode. Audited.
    pub fn export(&mut self, by: &Official, test: bool) -> Result<String> {
        use crate::export::format::{AuditHead, Polls};
        self.check_official(by)?;
        let mode = self.mode()?;
        match (test, mode) {
            (false, Mode::Closed) | (true, Mode::Test) => {}
            (false, m) => {
                return Err(Error::ExportRefused(format!(
                    "the official result can be exported only after the polls close (now {})",
                    m.as_str()
                )))
            }
            (true, m) => {
                return Err(Error::ExportRefused(format!(
                    "a test export needs test mode (now {})",
                    m.as_str()
                )))
            }
        }
        let chain = self.verify_audit_chain()?;
        if let Some((seq, why)) = chain.first_broken {
            return Err(Error::Damaged(format!("audit log entry {seq}: {why}")));
        }
        let signing = self.signing_key()?;
        let conn = self.store.conn();
        let row = election::load(conn)?;
        // The counted records, each under its public record id (never the
        // storage id); "count first" until the station has counted.
        let (_, _, records) = self.countable()?;
        let turnout = self.turnout(test)?;
        let file = crate::export::build_result_file(crate::export::StationExport {
            definition: &self.definition,
            station_id: &self.station_id,
            mode: mode.as_str(),
            test,
            public_key: signing.verifying_key().to_bytes(),
            polls: Polls {
                opened_at: row.opened_at,
                closed_at: row.closed_at,
            },
            turnout,
            ballots: records,
            receipts: ballots::receipt_ids(conn, test)?,
            audit: AuditHead {
                head: chain.head,
                length: chain.length,
            },
        })?;
        let mac_key = Zeroizing::new(crate::export::mac_key(&self.key.key));
        let text = crate::export::seal(file, &signing, &mac_key, &self.key.salt)?;
        let detail = format!(
            "{} exported: {} ballots, sha256 {}",
            if test { "test result" } else { "result" },
            turnout.ballots,
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
        );
        self.audit(&by.username, AuditEvent::Exported, &detail)?;
        Ok(text)
    }
}
