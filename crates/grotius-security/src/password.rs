use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;

use crate::SecurityError;

/// Minimum rules for a new password. Long passphrases beat composition rules (NIST SP 800-63B).
pub struct PasswordPolicy;

impl PasswordPolicy {
    pub const MIN_LEN: usize = 12;
    pub const MAX_LEN: usize = 256;

    pub fn check(password: &str, username: &str) -> Result<(), SecurityError> {
        let n = password.chars().count();
        if n < Self::MIN_LEN {
            return Err(SecurityError::WeakPassword(format!(
                "use at least {} characters (a passphrase of several words is easiest)",
                Self::MIN_LEN
            )));
        }
        if n > Self::MAX_LEN {
            return Err(SecurityError::WeakPassword(format!(
                "use at most {} characters",
                Self::MAX_LEN
            )));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(SecurityError::WeakPassword(
                "it must not contain the user name".into(),
            ));
        }
        Ok(())
    }
}

/// Hashes a password with Argon2id (RFC 9106 second recommended parameters: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> Result<String, SecurityError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| SecurityError::Hashing(e.to_string()))
}

/// Checks a password against a stored PHC string. A malformed hash verifies as false.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn policy() {
        assert!(PasswordPolicy::check("short", "bob").is_err());
        assert!(PasswordPolicy::check("bob-is-my-name-ok", "bob").is_err());
        assert!(PasswordPolicy::check("a long enough passphrase", "bob").is_ok());
    }
}
