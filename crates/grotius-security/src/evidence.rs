//! Keys of the evidence vault, kept in their own file next to the keyring (`evidence-keys.json`
//! in the key directory, mode 0600), never in the database:
//!
//! * the **master key** (XChaCha20-Poly1305) wraps the random key of each stored file;
//! * the instance's **Ed25519 signing key** signs every custody event, the head of each custody
//!   chain and the manifests of transfer packages. Its public half is what a recipient uses to
//!   verify a package offline (`grotius evidence pubkey`).
//!
//! Files are encrypted in segments of [`SEGMENT_SIZE`] bytes of plaintext, each sealed with
//! XChaCha20-Poly1305 under the file's key with a random 24-byte nonce and the segment's index as
//! associated data, so a segment cannot be altered, moved or swapped without detection; a cut-off
//! tail is caught by the segment count and the SHA-256 kept with the blob.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::SecurityError;

pub const EVIDENCE_KEYS_FILE: &str = "evidence-keys.json";

/// Plaintext bytes per encrypted segment.
pub const SEGMENT_SIZE: usize = 64 * 1024;
/// Bytes a segment's ciphertext adds to its plaintext: nonce and tag.
pub const SEGMENT_OVERHEAD: usize = 24 + 16;

#[derive(Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    master_key: String,
    /// Master keys replaced by `keys rotate` (newest first): they still unwrap file keys that
    /// were not re-wrapped yet, until `keys rotate --retire` removes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    previous_master_keys: Vec<String>,
    signing_key: String,
    created_at: i64,
}

/// The loaded evidence keys. Cheap to clone.
#[derive(Clone)]
pub struct EvidenceKeys {
    path: PathBuf,
    master: [u8; 32],
    previous: Vec<[u8; 32]>,
    signing: SigningKey,
}

impl std::fmt::Debug for EvidenceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceKeys")
            .field("path", &self.path)
            .field("public_key", &self.public_key_hex())
            .finish()
    }
}

fn key_err(path: &Path, reason: impl Into<String>) -> SecurityError {
    SecurityError::KeyFile {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

fn decode32(path: &Path, what: &str, b64: &str) -> Result<[u8; 32], SecurityError> {
    let v = STANDARD
        .decode(b64)
        .map_err(|e| key_err(path, format!("{what}: {e}")))?;
    v.try_into()
        .map_err(|_| key_err(path, format!("{what} has the wrong length")))
}

impl EvidenceKeys {
    /// Creates the evidence keys of a new instance in the key directory `dir` (`grotius init`
    /// and `demo` only). Creation is exclusive: existing keys are never replaced.
    pub fn create(dir: &Path) -> Result<EvidenceKeys, SecurityError> {
        let path = dir.join(EVIDENCE_KEYS_FILE);
        if path.exists() {
            return Err(key_err(&path, "already exists; refusing to overwrite keys"));
        }
        {
            let mut master = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut master);
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            let file = KeyFile {
                version: 1,
                master_key: STANDARD.encode(master),
                previous_master_keys: Vec::new(),
                signing_key: STANDARD.encode(seed),
                created_at: crate::now_secs(),
            };
            let text =
                serde_json::to_string_pretty(&file).map_err(|e| key_err(&path, e.to_string()))?;
            let mut opts = fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            // Written to a private temporary name, then linked into place exclusively.
            let tmp = dir.join(format!(".{EVIDENCE_KEYS_FILE}.{}.tmp", std::process::id()));
            let _ = fs::remove_file(&tmp);
            let mut f = opts.open(&tmp).map_err(|e| key_err(&tmp, e.to_string()))?;
            f.write_all(text.as_bytes())
                .and_then(|_| f.sync_all())
                .map_err(|e| key_err(&tmp, e.to_string()))?;
            drop(f);
            let linked = fs::hard_link(&tmp, &path);
            let _ = fs::remove_file(&tmp);
            if let Err(e) = linked {
                return Err(key_err(&path, e.to_string()));
            }
        }
        EvidenceKeys::load(dir)
    }

    /// Loads existing evidence keys; fails when there are none.
    pub fn load(dir: &Path) -> Result<EvidenceKeys, SecurityError> {
        let path = dir.join(EVIDENCE_KEYS_FILE);
        let text = fs::read_to_string(&path).map_err(|e| {
            key_err(
                &path,
                format!(
                    "{e}; evidence keys are created only by `grotius init`: restore this file from your key backup (an instance created before evidence keys existed gets them with `grotius keys add-missing`)"
                ),
            )
        })?;
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|e| key_err(&path, format!("not a Grotius evidence key file: {e}")))?;
        let master = decode32(&path, "master key", &file.master_key)?;
        let previous = file
            .previous_master_keys
            .iter()
            .map(|k| decode32(&path, "previous master key", k))
            .collect::<Result<Vec<_>, _>>()?;
        let seed = decode32(&path, "signing key", &file.signing_key)?;
        Ok(EvidenceKeys {
            path,
            master,
            previous,
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// Replaces the master key by a new random one (`grotius keys rotate`); the old one is kept
    /// as a previous key, so every file key still unwraps until it is re-wrapped. The file is
    /// replaced atomically (written beside it, synced, renamed over it, directory synced): a
    /// crash leaves the old file or the new one, never a mix. The signing key does not change.
    pub fn rotate_master(dir: &Path) -> Result<EvidenceKeys, SecurityError> {
        let old = EvidenceKeys::load(dir)?;
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        let mut previous = vec![old.master];
        previous.extend(old.previous.iter().copied());
        old.write(fresh, &previous)?;
        EvidenceKeys::load(dir)
    }

    /// Forgets the previous master keys (`grotius keys rotate --retire`): call it only once
    /// every file key unwraps with the current one ([`EvidenceKeys::unwraps_with_current`]).
    /// Returns how many were removed.
    pub fn retire_previous(dir: &Path) -> Result<usize, SecurityError> {
        let keys = EvidenceKeys::load(dir)?;
        let n = keys.previous.len();
        if n > 0 {
            keys.write(keys.master, &[])?;
        }
        Ok(n)
    }

    /// How many previous master keys the file still holds.
    pub fn previous_count(&self) -> usize {
        self.previous.len()
    }

    fn write(&self, master: [u8; 32], previous: &[[u8; 32]]) -> Result<(), SecurityError> {
        let file = KeyFile {
            version: 1,
            master_key: STANDARD.encode(master),
            previous_master_keys: previous.iter().map(|k| STANDARD.encode(k)).collect(),
            signing_key: STANDARD.encode(self.signing.to_bytes()),
            created_at: crate::now_secs(),
        };
        let text =
            serde_json::to_string_pretty(&file).map_err(|e| key_err(&self.path, e.to_string()))?;
        crate::keyring::replace_key_file(&self.path, &text)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The instance's Ed25519 public key, hex (64 characters).
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    /// Signs `message`; the signature as hex (128 characters).
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.signing.sign(message).to_bytes())
    }

    fn master(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.master).into())
    }

    /// Whether `wrapped` unwraps with the current master key (not only with a previous one).
    pub fn unwraps_with_current(&self, aad: &str, wrapped: &str) -> bool {
        unwrap_with(&self.master, aad, wrapped).is_ok()
    }

    /// Wraps a file key under the master key, bound to `aad` (e.g. `evidence.blob:<sha256>`).
    pub fn wrap(&self, aad: &str, file_key: &FileKey) -> Result<String, SecurityError> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .master()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &file_key.0,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SecurityError::Decrypt("key wrapping failed".into()))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("ev1:{}", STANDARD.encode(blob)))
    }

    /// Unwraps a file key written by [`EvidenceKeys::wrap`] with the same `aad`, by the current
    /// master key or, after a rotation not yet re-wrapped everywhere, a previous one.
    pub fn unwrap(&self, aad: &str, wrapped: &str) -> Result<FileKey, SecurityError> {
        let first = unwrap_with(&self.master, aad, wrapped);
        if first.is_ok() || self.previous.is_empty() {
            return first;
        }
        self.previous
            .iter()
            .find_map(|k| unwrap_with(k, aad, wrapped).ok())
            .ok_or_else(|| {
                first
                    .err()
                    .unwrap_or_else(|| SecurityError::Decrypt(aad.into()))
            })
    }
}

fn unwrap_with(master: &[u8; 32], aad: &str, wrapped: &str) -> Result<FileKey, SecurityError> {
    let b64 = wrapped
        .strip_prefix("ev1:")
        .ok_or_else(|| SecurityError::Decrypt("not a wrapped evidence key".into()))?;
    let blob = STANDARD
        .decode(b64)
        .map_err(|_| SecurityError::Decrypt("corrupt wrapped key".into()))?;
    if blob.len() != 24 + 32 + 16 {
        return Err(SecurityError::Decrypt(
            "wrapped key has the wrong length".into(),
        ));
    }
    let (nonce, ct) = blob.split_at(24);
    let key = XChaCha20Poly1305::new(master.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| {
            SecurityError::Decrypt(format!(
                "the file key for {aad} does not unwrap (wrong master key, moved or altered)"
            ))
        })?;
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| SecurityError::Decrypt("file key has the wrong length".into()))?;
    Ok(FileKey(key))
}

/// Verifies an Ed25519 signature (hex) of `message` by the public key `public_hex`.
pub fn verify_signature(public_hex: &str, message: &[u8], signature_hex: &str) -> bool {
    let Some(pk) = hex::decode(public_hex.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
    else {
        return false;
    };
    let Some(sig) = hex::decode(signature_hex.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
    else {
        return false;
    };
    pk.verify(message, &sig).is_ok()
}

/// SHA-256 of a stream, compiled (and optimised) here rather than in each caller.
#[derive(Clone, Default)]
pub struct ContentHasher(sha2::Sha256);

impl ContentHasher {
    pub fn new() -> ContentHasher {
        ContentHasher::default()
    }

    pub fn update(&mut self, data: &[u8]) {
        sha2::Digest::update(&mut self.0, data);
    }

    /// The hex digest so far (the hasher can go on).
    pub fn hex(&self) -> String {
        hex::encode(sha2::Digest::finalize(self.0.clone()))
    }
}

/// The random key of one stored file.
#[derive(Clone)]
pub struct FileKey([u8; 32]);

impl FileKey {
    pub fn random() -> FileKey {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        FileKey(k)
    }

    /// The segment cipher of this file.
    pub fn cipher(&self) -> SegmentCipher {
        SegmentCipher(XChaCha20Poly1305::new((&self.0).into()))
    }
}

/// Seals and opens the segments of one file.
pub struct SegmentCipher(XChaCha20Poly1305);

impl SegmentCipher {
    /// `nonce ‖ ciphertext ‖ tag` of segment `index`.
    pub fn seal(&self, index: u64, plaintext: &[u8]) -> Result<Vec<u8>, SecurityError> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &index.to_be_bytes(),
                },
            )
            .map_err(|_| SecurityError::Decrypt("segment encryption failed".into()))?;
        let mut out = Vec::with_capacity(24 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens segment `index`; fails when it was altered, moved or belongs to another file.
    pub fn open(&self, index: u64, sealed: &[u8]) -> Result<Vec<u8>, SecurityError> {
        if sealed.len() < SEGMENT_OVERHEAD {
            return Err(SecurityError::Decrypt(format!(
                "segment {index} is too short"
            )));
        }
        let (nonce, ct) = sealed.split_at(24);
        self.0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: &index.to_be_bytes(),
                },
            )
            .map_err(|_| {
                SecurityError::Decrypt(format!(
                    "segment {index} fails authentication (altered, moved or wrong key)"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_wrap_segments_and_signatures() {
        let dir = std::env::temp_dir().join(format!("grotius-evkeys-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        assert!(
            EvidenceKeys::load(&dir)
                .unwrap_err()
                .to_string()
                .contains(EVIDENCE_KEYS_FILE),
            "a missing key file is an error naming it, never replaced"
        );
        let k = EvidenceKeys::create(&dir).unwrap();
        assert!(EvidenceKeys::create(&dir).is_err(), "never overwrites keys");
        let again = EvidenceKeys::load(&dir).unwrap();
        assert_eq!(k.public_key_hex(), again.public_key_hex(), "created once");
        let fk = FileKey::random();
        let w = k.wrap("evidence.blob:ab", &fk).unwrap();
        assert!(
            k.unwrap("evidence.blob:cd", &w).is_err(),
            "bound to its blob"
        );
        let fk2 = k.unwrap("evidence.blob:ab", &w).unwrap();
        let c = fk2.cipher();
        let sealed = fk.cipher().seal(7, b"segment").unwrap();
        assert_eq!(c.open(7, &sealed).unwrap(), b"segment");
        assert!(c.open(8, &sealed).is_err(), "bound to its index");
        let mut bad = sealed.clone();
        bad[30] ^= 1;
        assert!(c.open(7, &bad).is_err());
        let sig = k.sign(b"hello");
        assert!(verify_signature(&k.public_key_hex(), b"hello", &sig));
        assert!(!verify_signature(&k.public_key_hex(), b"hellp", &sig));

        // Rotation: a new master key; old wraps still open until retired; signing unchanged.
        let rotated = EvidenceKeys::rotate_master(&dir).unwrap();
        assert_eq!(rotated.previous_count(), 1);
        assert_eq!(rotated.public_key_hex(), k.public_key_hex());
        assert!(!rotated.unwraps_with_current("evidence.blob:ab", &w));
        let old = rotated.unwrap("evidence.blob:ab", &w).unwrap();
        let w2 = rotated.wrap("evidence.blob:ab", &old).unwrap();
        assert!(rotated.unwraps_with_current("evidence.blob:ab", &w2));
        assert!(
            k.unwrap("evidence.blob:ab", &w2).is_err(),
            "the old key cannot open new wraps"
        );
        assert_eq!(EvidenceKeys::retire_previous(&dir).unwrap(), 1);
        let retired = EvidenceKeys::load(&dir).unwrap();
        assert_eq!(retired.previous_count(), 0);
        assert!(
            retired.unwrap("evidence.blob:ab", &w).is_err(),
            "retired: old wraps are gone"
        );
        assert!(retired.unwrap("evidence.blob:ab", &w2).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }
}
