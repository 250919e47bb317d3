//! Cryptographic building blocks: Argon2id password hashes, TOTP second factor and recovery
//! codes, bearer and session tokens, and the keyring that encrypts confidential fields.
//!
//! Nothing here touches the database; the keyring reads and writes its own key file, which lives
//! in the data directory and never in the database.

mod evidence;
mod keyring;
mod password;
mod token;
mod totp;

pub use evidence::{
    ContentHasher, EVIDENCE_KEYS_FILE, EvidenceKeys, FileKey, SEGMENT_OVERHEAD, SEGMENT_SIZE,
    SegmentCipher, verify_signature,
};
pub use keyring::{KEYRING_FILE, Keyring};
pub use password::{PasswordPolicy, hash_password, verify_password};
pub use token::{TokenKind, hash_token, new_token, recovery_codes};
pub use totp::Totp;

#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    #[error("password rejected: {0}")]
    WeakPassword(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("key file {path}: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("encrypted field cannot be read: {0}")]
    Decrypt(String),
    #[error("second factor: {0}")]
    Totp(String),
}

/// The directory of the identity keyring inside a key directory.
pub const IDENTITY_DIR: &str = "identity";

/// Creates every key file of a new instance in the key directory `dir` — the keyring
/// (`keyring.json`), the evidence keys (`evidence-keys.json`) and the identity keyring
/// (`identity/keyring.json`) — and returns the keyring. Only `grotius init` and the demo create
/// keys; everything else loads them and fails, naming the file, when one is missing or damaged.
/// Refuses when any of them exists.
pub fn create_instance_keys(dir: &std::path::Path) -> Result<Keyring, SecurityError> {
    let identity = dir.join(IDENTITY_DIR);
    for path in [
        dir.join(KEYRING_FILE),
        dir.join(EVIDENCE_KEYS_FILE),
        identity.join(KEYRING_FILE),
    ] {
        if path.exists() {
            return Err(SecurityError::KeyFile {
                path: path.display().to_string(),
                reason: "already exists; refusing to overwrite keys".into(),
            });
        }
    }
    std::fs::create_dir_all(&identity).map_err(|e| SecurityError::KeyFile {
        path: identity.display().to_string(),
        reason: e.to_string(),
    })?;
    let ring = Keyring::create(dir)?;
    EvidenceKeys::create(dir)?;
    Keyring::create(&identity)?;
    Ok(ring)
}

/// Loads every key file of an instance (see [`create_instance_keys`]) and returns the keyring;
/// the error names the missing or damaged file.
pub fn load_instance_keys(dir: &std::path::Path) -> Result<Keyring, SecurityError> {
    let ring = Keyring::load(dir)?;
    EvidenceKeys::load(dir)?;
    let identity = dir.join(IDENTITY_DIR);
    if !identity.join(KEYRING_FILE).exists() {
        return Err(SecurityError::KeyFile {
            path: identity.join(KEYRING_FILE).display().to_string(),
            reason: "missing; the identity keyring is created only by `grotius init`: restore it from your key backup (an instance created before it existed gets it with `grotius keys add-missing`)".into(),
        });
    }
    Keyring::load(&identity)?;
    Ok(ring)
}

/// Current Unix time in seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Current Unix time in microseconds.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}
