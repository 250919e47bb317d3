//! The keyring: field-encryption keys (XChaCha20-Poly1305) and the audit-chain key, kept in a
//! file in the data directory, never in the database.
//!
//! An encrypted field is stored as text `enc:v1:<key id>:<base64(nonce ‖ ciphertext)>`, with
//! associated data naming the table, column and row, so a ciphertext moved to another row does
//! not decrypt. Rotation adds a key and makes it active; old keys stay to read old values until
//! the store has re-encrypted them (`grotius keys rotate`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::SecurityError;

pub const KEYRING_FILE: &str = "keyring.json";

#[derive(Clone, Serialize, Deserialize)]
struct FieldKey {
    id: String,
    key: String,
    created_at: i64,
}

#[derive(Clone, Serialize, Deserialize)]
struct KeyringFile {
    version: u32,
    active: String,
    field_keys: Vec<FieldKey>,
    audit_key: String,
}

/// Loaded keys. Cheap to clone.
#[derive(Clone)]
pub struct Keyring {
    path: PathBuf,
    file: KeyringFile,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("path", &self.path)
            .field("active", &self.file.active)
            .finish()
    }
}

fn random_key() -> String {
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    STANDARD.encode(k)
}

fn key_err(path: &Path, reason: impl Into<String>) -> SecurityError {
    SecurityError::KeyFile {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

impl Keyring {
    /// Creates a new keyring file in `dir`; fails if one exists (keys are never overwritten).
    pub fn create(dir: &Path) -> Result<Keyring, SecurityError> {
        let path = dir.join(KEYRING_FILE);
        if path.exists() {
            return Err(key_err(&path, "already exists; refusing to overwrite keys"));
        }
        let file = KeyringFile {
            version: 1,
            active: "k1".into(),
            field_keys: vec![FieldKey {
                id: "k1".into(),
                key: random_key(),
                created_at: crate::now_secs(),
            }],
            audit_key: random_key(),
        };
        let ring = Keyring { path, file };
        ring.save()?;
        Ok(ring)
    }

    pub fn load(dir: &Path) -> Result<Keyring, SecurityError> {
        let path = dir.join(KEYRING_FILE);
        let text = fs::read_to_string(&path).map_err(|e| {
            key_err(&path, format!("{e}; run `grotius init --data DIR` to create an instance, or restore the key file from your key backup"))
        })?;
        let file: KeyringFile = serde_json::from_str(&text)
            .map_err(|e| key_err(&path, format!("not a Grotius keyring: {e}")))?;
        let ring = Keyring { path, file };
        for k in &ring.file.field_keys {
            ring.cipher(&k.id)?;
        }
        ring.cipher(&ring.file.active)?;
        ring.audit_key()?;
        Ok(ring)
    }

    fn save(&self) -> Result<(), SecurityError> {
        let text = serde_json::to_string_pretty(&self.file)
            .map_err(|e| key_err(&self.path, e.to_string()))?;
        replace_key_file(&self.path, &text)
    }

    fn cipher(&self, id: &str) -> Result<XChaCha20Poly1305, SecurityError> {
        let k = self
            .file
            .field_keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| {
                SecurityError::Decrypt(format!(
                    "key '{id}' is not in the keyring {}",
                    self.path.display()
                ))
            })?;
        let bytes = STANDARD
            .decode(&k.key)
            .map_err(|e| key_err(&self.path, e.to_string()))?;
        if bytes.len() != 32 {
            return Err(key_err(
                &self.path,
                format!(
                    "field key '{id}' has {} bytes, not 32: the file is damaged; restore it from your key backup",
                    bytes.len()
                ),
            ));
        }
        XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| key_err(&self.path, format!("key '{id}' has the wrong length")))
    }

    /// The key of the audit chain's HMAC.
    pub fn audit_key(&self) -> Result<Vec<u8>, SecurityError> {
        let key = STANDARD
            .decode(&self.file.audit_key)
            .map_err(|e| key_err(&self.path, format!("audit key: {e}")))?;
        if key.len() != 32 {
            return Err(key_err(
                &self.path,
                format!(
                    "the audit key has {} bytes, not 32: the file is damaged; restore it from your key backup",
                    key.len()
                ),
            ));
        }
        Ok(key)
    }

    /// The key directory (where the keyring file, and the evidence key file beside it, live).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }

    pub fn active_key_id(&self) -> &str {
        &self.file.active
    }

    pub fn key_ids(&self) -> Vec<String> {
        self.file.field_keys.iter().map(|k| k.id.clone()).collect()
    }

    /// Encrypts `plaintext`; `aad` binds it to its place (e.g. `processes.notes:<id>`).
    pub fn encrypt(&self, aad: &str, plaintext: &str) -> Result<String, SecurityError> {
        self.encrypt_bytes(aad, plaintext.as_bytes())
    }

    /// Encrypts bytes (a file) into the same text form as [`Keyring::encrypt`], so that one
    /// column type and the same rotation check serve both.
    pub fn encrypt_bytes(&self, aad: &str, plaintext: &[u8]) -> Result<String, SecurityError> {
        let cipher = self.cipher(&self.file.active)?;
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SecurityError::Decrypt("encryption failed".into()))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!(
            "enc:v1:{}:{}",
            self.file.active,
            STANDARD.encode(blob)
        ))
    }

    /// Decrypts a value written by [`Keyring::encrypt`] with the same `aad`.
    pub fn decrypt(&self, aad: &str, stored: &str) -> Result<String, SecurityError> {
        String::from_utf8(self.decrypt_bytes(aad, stored)?)
            .map_err(|_| SecurityError::Decrypt("not UTF-8".into()))
    }

    /// Decrypts a value written by [`Keyring::encrypt_bytes`] (or `encrypt`) with the same `aad`.
    pub fn decrypt_bytes(&self, aad: &str, stored: &str) -> Result<Vec<u8>, SecurityError> {
        let mut parts = stored.splitn(4, ':');
        let (Some("enc"), Some("v1"), Some(id), Some(b64)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SecurityError::Decrypt("not an encrypted value".into()));
        };
        let blob = STANDARD
            .decode(b64)
            .map_err(|_| SecurityError::Decrypt("corrupt ciphertext".into()))?;
        if blob.len() < 24 + 16 {
            return Err(SecurityError::Decrypt("ciphertext too short".into()));
        }
        let (nonce, ct) = blob.split_at(24);
        self.cipher(id)?
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| {
                SecurityError::Decrypt(format!(
                    "authentication failed for {aad} (wrong key, moved or altered value)"
                ))
            })
    }

    /// Whether a stored value is encrypted under a key other than the active one.
    pub fn needs_rotation(&self, stored: &str) -> bool {
        stored
            .split(':')
            .nth(2)
            .is_some_and(|id| id != self.file.active)
    }

    /// Adds a new field key, makes it active and saves the file. Returns the new key's id.
    pub fn rotate(&mut self) -> Result<String, SecurityError> {
        let n = self
            .file
            .field_keys
            .iter()
            .filter_map(|k| k.id.strip_prefix('k').and_then(|n| n.parse::<u32>().ok()))
            .max()
            .unwrap_or(0)
            + 1;
        let id = format!("k{n}");
        self.file.field_keys.push(FieldKey {
            id: id.clone(),
            key: random_key(),
            created_at: crate::now_secs(),
        });
        self.file.active = id.clone();
        self.save()?;
        Ok(id)
    }

    /// Removes every key but the active one (after all values were re-encrypted).
    pub fn retire_old_keys(&mut self) -> Result<Vec<String>, SecurityError> {
        let active = self.file.active.clone();
        let old: Vec<String> = self
            .file
            .field_keys
            .iter()
            .filter(|k| k.id != active)
            .map(|k| k.id.clone())
            .collect();
        self.file.field_keys.retain(|k| k.id == active);
        self.save()?;
        Ok(old)
    }
}

/// Replaces a key file atomically: written beside it (mode 0600), synced, renamed over it, the
/// directory synced. A crash leaves the old file or the new one, never a mix.
pub(crate) fn replace_key_file(path: &Path, text: &str) -> Result<(), SecurityError> {
    let tmp = path.with_extension("json.tmp");
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(|e| key_err(&tmp, e.to_string()))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| key_err(&tmp, e.to_string()))?;
    drop(f);
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        key_err(path, e.to_string())
    })?;
    if let Some(dir) = path.parent()
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_bind_rotate() {
        let dir = std::env::temp_dir().join(format!("grotius-keyring-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let mut ring = Keyring::create(&dir).unwrap();
        assert!(Keyring::create(&dir).is_err(), "never overwrites keys");
        let c = ring
            .encrypt("processes.notes:p1", "meet in Geneva")
            .unwrap();
        assert!(c.starts_with("enc:v1:k1:"));
        assert!(!c.contains("Geneva"));
        assert_eq!(
            ring.decrypt("processes.notes:p1", &c).unwrap(),
            "meet in Geneva"
        );
        assert!(
            ring.decrypt("processes.notes:p2", &c).is_err(),
            "bound to its row"
        );
        // Change one character of the ciphertext to a different one (the ciphertext is random:
        // the replacement must depend on the character replaced, not on another one).
        let mut tampered = c.clone();
        let at = c.len() - 3;
        tampered.replace_range(at..at + 1, if &c[at..at + 1] == "A" { "B" } else { "A" });
        assert_ne!(tampered, c);
        assert!(ring.decrypt("processes.notes:p1", &tampered).is_err());

        assert_eq!(ring.rotate().unwrap(), "k2");
        assert!(ring.needs_rotation(&c));
        let reloaded = Keyring::load(&dir).unwrap();
        assert_eq!(reloaded.active_key_id(), "k2");
        assert_eq!(
            reloaded.decrypt("processes.notes:p1", &c).unwrap(),
            "meet in Geneva"
        );
        ring.retire_old_keys().unwrap();
        assert!(
            ring.decrypt("processes.notes:p1", &c)
                .unwrap_err()
                .to_string()
                .contains("'k1' is not in the keyring")
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
