//! The audit chain: every entry is bound to the one before it by a keyed hash
//! (HMAC-SHA256 with a key kept outside the database).
//!
//! Because the key is not in the database, somebody who can edit the database can neither
//! recompute the chain after editing an entry nor forge the head record after deleting the last
//! entries. Verification walks the entries in sequence order and names the first bad one.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as recorded. The fields are hashed in a fixed, length-prefixed encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// Unix time in microseconds, UTC.
    pub at_micros: i64,
    pub actor_id: String,
    pub actor_name: String,
    /// e.g. `process.read`, `user.create`, `login`.
    pub action: String,
    pub resource_kind: String,
    pub resource_id: String,
    /// `ok`, `denied` or `failed`.
    pub outcome: String,
    /// Free detail, usually a small JSON object.
    pub detail: String,
}

/// A stored entry: the record with its chain links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(flatten)]
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length.
    HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn put(m: &mut HmacSha256, bytes: &[u8]) {
    m.update(&(bytes.len() as u64).to_be_bytes());
    m.update(bytes);
}

/// The hash of an entry given the hash of the one before.
pub fn entry_hash(key: &[u8], prev_hash: &str, r: &AuditRecord) -> String {
    let mut m = mac(key);
    put(&mut m, b"grotius-audit-v1");
    put(&mut m, prev_hash.as_bytes());
    put(&mut m, &r.seq.to_be_bytes());
    put(&mut m, &r.at_micros.to_be_bytes());
    for f in [
        &r.actor_id,
        &r.actor_name,
        &r.action,
        &r.resource_kind,
        &r.resource_id,
        &r.outcome,
        &r.detail,
    ] {
        put(&mut m, f.as_bytes());
    }
    hex::encode(m.finalize().into_bytes())
}

/// The authentication code of the chain head (last sequence number and hash), stored beside the
/// log so that deleting entries from the end is detected.
pub fn head_mac(key: &[u8], seq: i64, hash: &str) -> String {
    let mut m = mac(key);
    put(&mut m, b"grotius-audit-head-v1");
    put(&mut m, &seq.to_be_bytes());
    put(&mut m, hash.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// A keyed seal over a record's fields (length-prefixed, under a label naming the kind of
/// record), kept in the record's audit entry so that a record rewritten in the database no longer
/// matches what the keyed chain recorded.
pub fn seal(key: &[u8], label: &str, fields: &[&[u8]]) -> String {
    let mut m = mac(key);
    put(&mut m, label.as_bytes());
    for f in fields {
        put(&mut m, f);
    }
    hex::encode(m.finalize().into_bytes())
}

/// The authentication code of an anchor: a high-water mark (sequence number and entry hash) of the
/// chain kept outside the database, bound to the instance, so that a database rolled back to an
/// older state — entries deleted from the end with the head rewritten, an older backup's head
/// replayed, every entry and the head deleted — no longer verifies.
pub fn anchor_mac(key: &[u8], instance_id: &str, seq: i64, hash: &str) -> String {
    let mut m = mac(key);
    put(&mut m, b"grotius-audit-anchor-v1");
    put(&mut m, instance_id.as_bytes());
    put(&mut m, &seq.to_be_bytes());
    put(&mut m, hash.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// A high-water mark of the chain recorded outside the database (see [`anchor_mac`]): the log
/// must hold entry `seq` with exactly this hash; it may hold more (the anchor lags at most by
/// the commits not yet anchored), never less.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

/// Why verification failed; the message names the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error(
        "audit entry {seq}: expected sequence number {expected} (entries deleted, inserted or reordered)"
    )]
    Sequence { seq: i64, expected: i64 },
    #[error(
        "audit entry {seq}: its link to entry {prev} is broken (an entry was deleted, inserted or reordered)"
    )]
    Link { seq: i64, prev: i64 },
    #[error(
        "audit head: the log ends at entry {last} but the head records entry {head} (entries deleted from the end, or the head was edited)"
    )]
    Head { last: i64, head: i64 },
    #[error("audit head: its authentication code is wrong (the head record was edited)")]
    HeadForged,
    #[error(
        "audit log truncated: the log ends at entry {last} but the anchor outside the database records entry {anchored} (entries {first_missing} to {anchored} were deleted, or an older backup or head was put back)"
    )]
    Truncated {
        last: i64,
        anchored: i64,
        first_missing: i64,
    },
    #[error(
        "audit log rewritten: entry {seq} differs from the entry the anchor outside the database recorded (the log was replaced up to and beyond entry {seq})"
    )]
    AnchorMismatch { seq: i64 },
}

/// Incremental verifier: feed entries in ascending sequence order, then call [`Verifier::finish`].
pub struct Verifier<'k> {
    key: &'k [u8],
    expected_seq: i64,
    prev_hash: String,
    anchor: Option<Anchor>,
}

impl<'k> Verifier<'k> {
    pub fn new(key: &'k [u8]) -> Self {
        Verifier {
            key,
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            anchor: None,
        }
    }

    /// A verifier that also holds the log against an anchor kept outside the database.
    pub fn anchored(key: &'k [u8], anchor: Anchor) -> Self {
        Verifier {
            anchor: Some(anchor),
            ..Verifier::new(key)
        }
    }

    pub fn check(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        let seq = e.record.seq;
        if seq != self.expected_seq {
            return Err(ChainBreak::Sequence {
                seq,
                expected: self.expected_seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Link { seq, prev: seq - 1 });
        }
        if entry_hash(self.key, &e.prev_hash, &e.record) != e.hash {
            return Err(ChainBreak::Edited { seq });
        }
        if let Some(a) = &self.anchor
            && a.seq == seq
            && a.hash != e.hash
        {
            return Err(ChainBreak::AnchorMismatch { seq });
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Number of entries checked so far.
    pub fn count(&self) -> i64 {
        self.expected_seq - 1
    }

    /// Checks that the log reaches the anchor (when there is one): a log that ends before it was
    /// cut short, whatever its head says. Call before [`Verifier::finish`], also when the head
    /// record is gone.
    pub fn reaches_anchor(&self) -> Result<(), ChainBreak> {
        let last = self.expected_seq - 1;
        match &self.anchor {
            Some(a) if a.seq > last => Err(ChainBreak::Truncated {
                last,
                anchored: a.seq,
                first_missing: last + 1,
            }),
            _ => Ok(()),
        }
    }

    /// Compares the end of the chain with the stored head (and the anchor, when there is one).
    pub fn finish(
        self,
        head_seq: i64,
        head_hash: &str,
        head_code: &str,
    ) -> Result<i64, ChainBreak> {
        self.reaches_anchor()?;
        if head_mac(self.key, head_seq, head_hash) != head_code {
            return Err(ChainBreak::HeadForged);
        }
        let last = self.expected_seq - 1;
        if head_seq != last || head_hash != self.prev_hash {
            return Err(ChainBreak::Head {
                last,
                head: head_seq,
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test key";

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let record = AuditRecord {
                    seq,
                    at_micros: 1_700_000_000_000_000 + seq,
                    actor_id: "u1".into(),
                    actor_name: "alice".into(),
                    action: "process.update".into(),
                    resource_kind: "process".into(),
                    resource_id: format!("p{seq}"),
                    outcome: "ok".into(),
                    detail: "{}".into(),
                };
                let hash = entry_hash(KEY, &prev, &record);
                let e = AuditEntry {
                    record,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let mut v = Verifier::new(KEY);
        for e in entries {
            v.check(e)?;
        }
        v.finish(head.0, head.1, &head_mac(KEY, head.0, head.1))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, (5, &c[4].hash)), Ok(5));
    }

    #[test]
    fn edit_delete_reorder_and_truncation_are_named() {
        let c = chain(5);
        let head = (5, c[4].hash.as_str());

        let mut edited = c.clone();
        edited[2].record.outcome = "denied".into();
        assert_eq!(verify(&edited, head), Err(ChainBreak::Edited { seq: 3 }));

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, head),
            Err(ChainBreak::Sequence {
                seq: 3,
                expected: 2
            })
        );

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert_eq!(
            verify(&swapped, head),
            Err(ChainBreak::Sequence {
                seq: 3,
                expected: 2
            })
        );

        // Reorder by swapping contents but keeping sequence numbers.
        let mut reordered = c.clone();
        let (a, b) = (reordered[1].clone(), reordered[2].clone());
        reordered[1] = AuditEntry {
            record: AuditRecord { seq: 2, ..b.record },
            ..b
        };
        reordered[2] = AuditEntry {
            record: AuditRecord { seq: 3, ..a.record },
            ..a
        };
        assert!(matches!(
            verify(&reordered, head),
            Err(ChainBreak::Link { seq: 2, .. })
        ));

        let truncated = &c[..4];
        assert_eq!(
            verify(truncated, head),
            Err(ChainBreak::Head { last: 4, head: 5 })
        );
        let mut v = Verifier::new(KEY);
        truncated.iter().for_each(|e| v.check(e).unwrap());
        assert_eq!(
            v.finish(4, &c[3].hash, "forged"),
            Err(ChainBreak::HeadForged)
        );
    }

    #[test]
    fn the_anchor_names_truncation_replay_and_rewrite() {
        let c = chain(6);
        let anchor = Anchor {
            seq: 5,
            hash: c[4].hash.clone(),
        };
        let run = |entries: &[AuditEntry], head: (i64, &str)| {
            let mut v = Verifier::anchored(KEY, anchor.clone());
            for e in entries {
                v.check(e)?;
            }
            v.finish(head.0, head.1, &head_mac(KEY, head.0, head.1))
        };
        // Ahead of the anchor (the last commit not anchored yet): intact.
        assert_eq!(run(&c, (6, &c[5].hash)), Ok(6));
        assert_eq!(run(&c[..5], (5, &c[4].hash)), Ok(5));
        // The last entries deleted and a consistent (older) head put back.
        assert_eq!(
            run(&c[..3], (3, &c[2].hash)),
            Err(ChainBreak::Truncated {
                last: 3,
                anchored: 5,
                first_missing: 4
            })
        );
        // Everything deleted and a fresh head.
        assert_eq!(
            run(&[], (0, GENESIS)),
            Err(ChainBreak::Truncated {
                last: 0,
                anchored: 5,
                first_missing: 1
            })
        );
        // A chain rebuilt by someone with the key up to the anchor's length still differs.
        let other: Vec<AuditEntry> = {
            let mut prev = GENESIS.to_string();
            c.iter()
                .map(|e| {
                    let mut r = e.record.clone();
                    r.detail = "{\"rewritten\":true}".into();
                    let hash = entry_hash(KEY, &prev, &r);
                    let out = AuditEntry {
                        record: r,
                        prev_hash: prev.clone(),
                        hash: hash.clone(),
                    };
                    prev = hash;
                    out
                })
                .collect()
        };
        assert_eq!(
            run(&other, (6, &other[5].hash)),
            Err(ChainBreak::AnchorMismatch { seq: 5 })
        );
        assert_ne!(
            anchor_mac(KEY, "instance-a", 5, &c[4].hash),
            anchor_mac(KEY, "instance-b", 5, &c[4].hash)
        );
    }

    #[test]
    fn a_different_key_cannot_extend_the_chain() {
        let c = chain(2);
        assert_ne!(entry_hash(b"other", &c[0].hash, &c[1].record), c[1].hash);
    }
}
