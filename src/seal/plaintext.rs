//! The ballot plaintext inside a sealed record (docs/formats.md, "Sealed
//! ballot records"): a fixed-layout binary encoding whose length follows
//! from the definition alone, so every sealed record of an election has
//! the same length and the length reveals nothing.
//!
//! ```text
//! plaintext = 0x02 ‖ card_id (10 bytes) ‖ block(contest_1) ‖ … ‖ block(contest_m)
//! ```
//!
//! Blocks are in definition order: a bitmap of candidates (candidate,
//! approval), then for a candidate contest with write-ins `seats` slots of
//! `[len] ‖ 240 bytes`; one byte for a yes/no measure; `max_rankings`
//! bytes (candidate index + 1, or 0) for a ranked contest. The decoder
//! refuses everything the ballot rules refuse, and every byte the encoder
//! would not have written.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use crate::ballot::{normalise_write_in, Ballot, Choice};
use crate::definition::{Contest, ContestKind, ElectionDefinition};

/// The plaintext's version byte.
pub const VERSION: u8 = 2;
/// Bytes of a card id (zeros when the election uses no ballot cards).
pub const CARD_ID_LEN: usize = 10;
/// The longest write-in name in bytes: 60 characters of at most 4 bytes.
pub const WRITE_IN_BYTES: usize = 240;
/// One write-in slot: a length byte and the zero-filled name.
const SLOT: usize = 1 + WRITE_IN_BYTES;
/// The version byte and the card id.
const PREFIX: usize = 1 + CARD_ID_LEN;

/// Why a plaintext cannot be a ballot of this election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

fn bitmap_len(n: usize) -> usize {
    n.div_ceil(8)
}

/// The block length of one contest.
fn block_len(contest: &Contest) -> usize {
    match &contest.kind {
        ContestKind::Candidate {
            seats,
            candidates,
            write_ins,
        } => bitmap_len(candidates.len()) + if *write_ins { SLOT * *seats as usize } else { 0 },
        ContestKind::Approval { candidates, .. } => bitmap_len(candidates.len()),
        ContestKind::YesNo { .. } => 1,
        ContestKind::Ranked { max_rankings, .. } => *max_rankings as usize,
    }
}

/// L: the plaintext length of every ballot of `definition`.
pub fn plaintext_length(definition: &ElectionDefinition) -> usize {
    PREFIX + definition.contests.iter().map(block_len).sum::<usize>()
}

/// The most choices a contest takes (the ballot rules' limit).
fn limit(kind: &ContestKind) -> usize {
    match kind {
        ContestKind::Candidate { seats, .. } => *seats as usize,
        ContestKind::YesNo { .. } => 1,
        ContestKind::Approval {
            max_approvals,
            candidates,
        } => max_approvals.map(|m| m as usize).unwrap_or(candidates.len()),
        ContestKind::Ranked { max_rankings, .. } => *max_rankings as usize,
    }
}

/// Encodes a validated ballot (any marking order) with its card id.
/// Returns `Invalid` only for a ballot that `Ballot::validate` would not
/// have produced for this definition.
pub fn encode(
    definition: &ElectionDefinition,
    ballot: &Ballot,
    card_id: &[u8; CARD_ID_LEN],
) -> Result<Zeroizing<Vec<u8>>, Invalid> {
    let mut out = Zeroizing::new(Vec::with_capacity(plaintext_length(definition)));
    out.push(VERSION);
    out.extend_from_slice(card_id);
    for contest in &definition.contests {
        let cid = contest.id.as_str();
        let choices = ballot.contests.get(&contest.id).map(Vec::as_slice).unwrap_or(&[]);
        if choices.len() > limit(&contest.kind) {
            return Err(invalid(format!("{cid}: too many choices")));
        }
        let index = |id: &str| {
            contest
                .kind
                .candidates()
                .iter()
                .position(|c| c.id.as_str() == id)
                .ok_or_else(|| invalid(format!("{cid}: there is no candidate {id:?}")))
        };
        match &contest.kind {
            ContestKind::Candidate {
                seats,
                candidates,
                write_ins,
            } => {
                let mut bits = vec![0u8; bitmap_len(candidates.len())];
                let mut names: Vec<&[u8]> = Vec::new();
                for choice in choices {
                    match choice {
                        Choice::Candidate(id) => {
                            let j = index(id)?;
                            bits[j / 8] |= 1 << (j % 8);
                        }
                        Choice::WriteIn(name) if *write_ins => names.push(name.as_bytes()),
                        other => return Err(invalid(format!("{cid}: {other:?} is not a choice here"))),
                    }
                }
                out.extend_from_slice(&bits);
                if *write_ins {
                    names.sort_unstable();
                    for slot in 0..*seats as usize {
                        let name = names.get(slot).copied().unwrap_or(&[]);
                        if name.len() > WRITE_IN_BYTES {
                            return Err(invalid(format!("{cid}: a write-in name is too long")));
                        }
                        out.push(name.len() as u8);
                        out.extend_from_slice(name);
                        let filled = out.len() + WRITE_IN_BYTES - name.len();
                        out.resize(filled, 0);
                    }
                }
            }
            ContestKind::Approval { candidates, .. } => {
                let mut bits = vec![0u8; bitmap_len(candidates.len())];
                for choice in choices {
                    match choice {
                        Choice::Candidate(id) => {
                            let j = index(id)?;
                            bits[j / 8] |= 1 << (j % 8);
                        }
                        other => return Err(invalid(format!("{cid}: {other:?} is not a choice here"))),
                    }
                }
                out.extend_from_slice(&bits);
            }
            ContestKind::YesNo { .. } => out.push(match choices {
                [] => 0,
                [Choice::Yes] => 1,
                [Choice::No] => 2,
                _ => return Err(invalid(format!("{cid}: answer yes or no"))),
            }),
            ContestKind::Ranked { max_rankings, .. } => {
                let mut ranks = vec![0u8; *max_rankings as usize];
                for (rank, choice) in choices.iter().enumerate() {
                    let Choice::Candidate(id) = choice else {
                        return Err(invalid(format!("{cid}: {choice:?} is not a choice here")));
                    };
                    // Validation caps candidates at 200, so index + 1 fits a byte.
                    ranks[rank] = u8::try_from(index(id)? + 1)
                        .map_err(|_| invalid(format!("{cid}: too many candidates to rank")))?;
                }
                out.extend_from_slice(&ranks);
            }
        }
    }
    debug_assert_eq!(out.len(), plaintext_length(definition));
    Ok(out)
}

/// A decoded plaintext: the ballot, in normal form (candidate and approval
/// choices in definition order, write-ins after them sorted by name
/// bytes; ranked choices in rank order), and its card id.
pub struct Decoded {
    pub ballot: Ballot,
    pub card_id: [u8; CARD_ID_LEN],
}

/// Reads the candidates marked in a bitmap, refusing bits beyond `n`.
fn read_bitmap(cid: &str, bits: &[u8], contest: &Contest) -> Result<Vec<Choice>, Invalid> {
    let candidates = contest.kind.candidates();
    let mut out = Vec::new();
    for (byte_index, byte) in bits.iter().enumerate() {
        for bit in 0..8 {
            if byte & (1 << bit) == 0 {
                continue;
            }
            let j = byte_index * 8 + bit;
            let candidate = candidates
                .get(j)
                .ok_or_else(|| invalid(format!("{cid}: a mark beyond the last candidate")))?;
            out.push(Choice::Candidate(candidate.id.as_str().to_string()));
        }
    }
    Ok(out)
}

/// Reads the write-in slots: filled slots first, names normalised, sorted
/// strictly by bytes (so no name twice), zero filler.
fn read_write_ins(cid: &str, area: &[u8]) -> Result<Vec<Choice>, Invalid> {
    let mut names: Vec<String> = Vec::new();
    let mut ended = false;
    for slot in area.chunks_exact(SLOT) {
        let len = slot[0] as usize;
        if len > WRITE_IN_BYTES {
            return Err(invalid(format!("{cid}: a write-in slot is too long")));
        }
        let (name, filler) = slot[1..].split_at(len);
        if filler.iter().any(|&b| b != 0) {
            return Err(invalid(format!("{cid}: non-zero filler in a write-in slot")));
        }
        if len == 0 {
            ended = true;
            continue;
        }
        if ended {
            return Err(invalid(format!("{cid}: a write-in after an empty slot")));
        }
        let name =
            std::str::from_utf8(name).map_err(|_| invalid(format!("{cid}: a write-in is not UTF-8")))?;
        let normal = normalise_write_in(cid, name).map_err(|e| invalid(e.to_string()))?;
        if normal != name {
            return Err(invalid(format!("{cid}: a write-in name is not in normal form")));
        }
        if names
            .last()
            .is_some_and(|last| last.as_bytes() >= name.as_bytes())
        {
            return Err(invalid(format!(
                "{cid}: write-ins are not sorted or repeat a name"
            )));
        }
        names.push(normal);
    }
    Ok(names.into_iter().map(Choice::WriteIn).collect())
}

/// Decodes a plaintext of `definition`, refusing anything the ballot rules
/// refuse (over-votes, marks beyond the candidates, gaps or repeats in a
/// ranking, bad or non-normalised write-ins) and any byte the encoder
/// would not have written (non-zero filler, a wrong length or version).
pub fn decode(definition: &ElectionDefinition, bytes: &[u8]) -> Result<Decoded, Invalid> {
    let expected = plaintext_length(definition);
    if bytes.len() != expected {
        return Err(invalid(format!(
            "the plaintext is {} bytes, this election's is {expected}",
            bytes.len()
        )));
    }
    if bytes[0] != VERSION {
        return Err(invalid(format!("unknown plaintext version {}", bytes[0])));
    }
    let mut card_id = [0u8; CARD_ID_LEN];
    card_id.copy_from_slice(&bytes[1..PREFIX]);
    let mut rest = &bytes[PREFIX..];
    let mut contests = BTreeMap::new();
    for contest in &definition.contests {
        let cid = contest.id.as_str();
        let (block, tail) = rest.split_at(block_len(contest));
        rest = tail;
        let choices = match &contest.kind {
            ContestKind::Candidate {
                candidates,
                write_ins,
                ..
            } => {
                let (bits, area) = block.split_at(bitmap_len(candidates.len()));
                let mut choices = read_bitmap(cid, bits, contest)?;
                if *write_ins {
                    choices.extend(read_write_ins(cid, area)?);
                }
                choices
            }
            ContestKind::Approval { .. } => read_bitmap(cid, block, contest)?,
            ContestKind::YesNo { .. } => match block[0] {
                0 => Vec::new(),
                1 => vec![Choice::Yes],
                2 => vec![Choice::No],
                other => return Err(invalid(format!("{cid}: {other} is not an answer"))),
            },
            ContestKind::Ranked { candidates, .. } => {
                let mut choices: Vec<Choice> = Vec::new();
                let mut seen = vec![false; candidates.len()];
                let mut ended = false;
                for &rank in block {
                    if rank == 0 {
                        ended = true;
                        continue;
                    }
                    if ended {
                        return Err(invalid(format!("{cid}: a gap in the ranking")));
                    }
                    let j = rank as usize - 1;
                    let candidate = candidates
                        .get(j)
                        .ok_or_else(|| invalid(format!("{cid}: a rank beyond the last candidate")))?;
                    if std::mem::replace(&mut seen[j], true) {
                        return Err(invalid(format!("{cid}: a candidate ranked twice")));
                    }
                    choices.push(Choice::Candidate(candidate.id.as_str().to_string()));
                }
                choices
            }
        };
        if choices.len() > limit(&contest.kind) {
            return Err(invalid(format!(
                "{cid}: too many choices ({}); at most {} allowed",
                choices.len(),
                limit(&contest.kind)
            )));
        }
        contests.insert(contest.id.clone(), choices);
    }
    Ok(Decoded {
        ballot: Ballot { contests },
        card_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::SelectionsInput;

    /// Candidate (2 seats, write-ins), approval (max 2), yes/no and ranked (3 of 4).
    fn definition() -> ElectionDefinition {
        let json = serde_json::json!({
            "format": "votekiosk/2",
            "title": {"en": "Codec test"},
            "date": "2026-11-03",
            "office": {
                "encryption": {
                    "commitment": "2ed0bc0274d88532333adb94860aac535e60766d11a0800bbb7af8721dc9f115",
                    "fingerprint": "175b 30c6 8678 5048 c7fe 3707 5c2e 4023",
                    "public_key": "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532",
                    "suite": "x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305"
                },
                "signing": {
                    "commitment": "5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044",
                    "fingerprint": "548b 1b5f 6f13 db33 2e58 deb6 854d 692c",
                    "public_key": "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529"
                }
            },
            "window": {"opens": "2026-11-03T07:00:00-05:00", "closes": "2026-11-03T20:00:00-05:00"},
            "languages": [{"code": "en", "name": "English"}],
            "contests": [
                {"id": "council", "kind": "candidate", "title": {"en": "Council"}, "seats": 2, "write_ins": true,
                 "candidates": (0..9).map(|i| serde_json::json!({"id": format!("c{i}"), "name": {"en": format!("C {i}")}})).collect::<Vec<_>>()},
                {"id": "pool", "kind": "approval", "title": {"en": "Pool"}, "max_approvals": 2,
                 "candidates": [{"id": "a", "name": {"en": "A"}}, {"id": "b", "name": {"en": "B"}}, {"id": "c", "name": {"en": "C"}}]},
                {"id": "bond", "kind": "yesno", "title": {"en": "Bond"}},
                {"id": "board", "kind": "ranked", "title": {"en": "Board"}, "max_rankings": 3,
                 "candidates": [{"id": "w", "name": {"en": "W"}}, {"id": "x", "name": {"en": "X"}}, {"id": "y", "name": {"en": "Y"}}, {"id": "z", "name": {"en": "Z"}}]}
            ]
        });
        ElectionDefinition::parse(json.to_string().as_bytes()).expect("codec test definition")
    }

    fn ballot(definition: &ElectionDefinition, pairs: &[(&str, &[&str])]) -> Ballot {
        let input: SelectionsInput = pairs
            .iter()
            .map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
        Ballot::validate(definition, &input).expect("valid ballot")
    }

    /// The ballot in normal form, for comparing with what `decode` gives.
    fn normal(definition: &ElectionDefinition, b: &Ballot) -> Ballot {
        let bytes = encode(definition, b, &[7; CARD_ID_LEN]).expect("encode");
        decode(definition, &bytes).expect("decode").ballot
    }

    const L: usize = PREFIX + (2 + 2 * SLOT) + 1 + 1 + 3;

    #[test]
    fn every_ballot_has_the_definition_s_length() {
        let d = definition();
        assert_eq!(plaintext_length(&d), L);
        let long = "W".repeat(60);
        let wide = "\u{1F600}".repeat(60); // 240 bytes, 60 characters
        for b in [
            ballot(&d, &[]),
            ballot(&d, &[("bond", &["no"])]),
            ballot(
                &d,
                &[
                    (
                        "council",
                        &[&format!("write-in:{long}"), &format!("write-in:{wide}")],
                    ),
                    ("pool", &["c", "a"]),
                    ("bond", &["yes"]),
                    ("board", &["z", "w", "y"]),
                ],
            ),
        ] {
            let bytes = encode(&d, &b, &[0; CARD_ID_LEN]).expect("encode");
            assert_eq!(bytes.len(), L);
            let back = decode(&d, &bytes).expect("decode");
            assert_eq!(back.card_id, [0; CARD_ID_LEN]);
            assert_eq!(back.ballot, normal(&d, &b));
        }
    }

    #[test]
    fn decoding_gives_the_normal_form_of_every_contest_kind() {
        let d = definition();
        let b = ballot(
            &d,
            &[
                ("council", &["write-in:Zed"]),
                ("pool", &["c", "a"]),
                ("bond", &["yes"]),
                ("board", &["z", "w"]),
            ],
        );
        let bytes = encode(&d, &b, &[9; CARD_ID_LEN]).expect("encode");
        let decoded = decode(&d, &bytes).expect("decode");
        assert_eq!(decoded.card_id, [9; CARD_ID_LEN]);
        let sel = decoded.ballot.selections();
        assert_eq!(sel["council"], ["write-in:Zed"]);
        assert_eq!(sel["pool"], ["a", "c"], "approval in definition order");
        assert_eq!(sel["bond"], ["yes"]);
        assert_eq!(sel["board"], ["z", "w"], "ranked in rank order");

        let b = ballot(&d, &[("council", &["write-in:Zed", "write-in:Amy"])]);
        let sel = normal(&d, &b).selections();
        assert_eq!(
            sel["council"],
            ["write-in:Amy", "write-in:Zed"],
            "write-ins sorted by bytes"
        );
        let b = ballot(&d, &[("council", &["c8", "write-in:Amy"]), ("bond", &["no"])]);
        let sel = normal(&d, &b).selections();
        assert_eq!(
            sel["council"],
            ["c8", "write-in:Amy"],
            "listed candidates, then write-ins"
        );
        assert_eq!(sel["bond"], ["no"]);
        assert_eq!(sel["board"], Vec::<String>::new(), "an under-vote stays empty");
        // The ninth candidate lives in the second bitmap byte.
        let bytes = encode(&d, &b, &[0; CARD_ID_LEN]).expect("encode");
        assert_eq!(&bytes[PREFIX..PREFIX + 2], &[0, 1]);
    }

    /// The offsets of each block in the test definition.
    const COUNCIL: usize = PREFIX;
    const POOL: usize = COUNCIL + 2 + 2 * SLOT;
    const BOND: usize = POOL + 1;
    const BOARD: usize = BOND + 1;

    fn refused(d: &ElectionDefinition, bytes: &[u8], why: &str) {
        let Err(Invalid(message)) = decode(d, bytes) else {
            panic!("decoded a plaintext with {why}");
        };
        assert!(!message.is_empty());
    }

    #[test]
    fn the_decoder_refuses_what_the_ballot_rules_refuse() {
        let d = definition();
        let blank = encode(&d, &ballot(&d, &[]), &[0; CARD_ID_LEN]).expect("encode");
        let edit = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = blank.to_vec();
            f(&mut b);
            b
        };
        let slot = |b: &mut Vec<u8>, i: usize, name: &[u8]| {
            let at = COUNCIL + 2 + i * SLOT;
            b[at] = name.len() as u8;
            b[at + 1..at + 1 + name.len()].copy_from_slice(name);
        };
        refused(&d, &edit(&|b| b[POOL] = 0b111), "an approval over-vote");
        refused(&d, &edit(&|b| b[COUNCIL] = 0b111), "a candidate over-vote");
        refused(
            &d,
            &edit(&|b| {
                b[COUNCIL] = 0b11;
                slot(b, 0, b"Amy");
            }),
            "two candidates and a write-in for two seats",
        );
        refused(
            &d,
            &edit(&|b| b[COUNCIL + 1] = 0b10),
            "a mark beyond the ninth candidate",
        );
        refused(
            &d,
            &edit(&|b| b[POOL] = 0b1000),
            "a mark beyond the third approval candidate",
        );
        refused(&d, &edit(&|b| b[BOND] = 3), "a yes/no byte of 3");
        refused(
            &d,
            &edit(&|b| b[BOARD..BOARD + 3].copy_from_slice(&[1, 0, 2])),
            "a gap in a ranking",
        );
        refused(
            &d,
            &edit(&|b| b[BOARD..BOARD + 3].copy_from_slice(&[2, 2, 0])),
            "a repeated ranking",
        );
        refused(&d, &edit(&|b| b[BOARD] = 5), "a rank beyond the candidates");
        refused(
            &d,
            &edit(&|b| slot(b, 1, b"Amy")),
            "a write-in after an empty slot",
        );
        refused(
            &d,
            &edit(&|b| {
                slot(b, 0, b"Zed");
                slot(b, 1, b"Amy");
            }),
            "unsorted write-ins",
        );
        refused(
            &d,
            &edit(&|b| {
                slot(b, 0, b"Amy");
                slot(b, 1, b"Amy");
            }),
            "the same write-in twice",
        );
        refused(
            &d,
            &edit(&|b| slot(b, 0, b"  Amy")),
            "a write-in not in normal form",
        );
        refused(
            &d,
            &edit(&|b| slot(b, 0, &[0xff, 0xfe])),
            "a write-in that is not UTF-8",
        );
        refused(
            &d,
            &edit(&|b| slot(b, 0, &[b'A'; 61])),
            "a write-in of 61 characters",
        );
        refused(&d, &edit(&|b| b[COUNCIL + 2] = 241), "a slot length beyond 240");
        refused(
            &d,
            &edit(&|b| {
                slot(b, 0, b"Amy");
                b[COUNCIL + 2 + 10] = b'x';
            }),
            "non-zero filler",
        );
        refused(&d, &edit(&|b| b[0] = 1), "another version");
        refused(&d, &blank[..L - 1], "a short plaintext");
        refused(&d, &[blank.as_slice(), &[0]].concat(), "a long plaintext");
        assert!(decode(&d, &blank).is_ok(), "the blank ballot itself decodes");
    }

    #[test]
    fn the_encoder_refuses_an_over_vote() {
        let d = definition();
        let mut b = ballot(&d, &[("pool", &["a", "b"])]);
        let pool = d.contest("pool").expect("pool").id.clone();
        b.contests.insert(
            pool,
            ["a", "b", "c"].map(|c| Choice::Candidate(c.into())).to_vec(),
        );
        assert!(encode(&d, &b, &[0; CARD_ID_LEN]).is_err());
    }
}
