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
