use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::SecurityError;

/// A TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps), as authenticator apps
/// expect.
pub struct Totp {
    secret: Vec<u8>,
}

const STEP: u64 = 30;

impl Totp {
    /// A new random 160-bit secret.
    pub fn generate() -> Totp {
        let mut secret = vec![0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Totp { secret }
    }

    pub fn from_base32(s: &str) -> Result<Totp, SecurityError> {
        let cleaned: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let secret = Secret::Encoded(cleaned)
            .to_bytes()
            .map_err(|e| SecurityError::Totp(format!("bad secret: {e:?}")))?;
        Ok(Totp { secret })
    }

    pub fn base32(&self) -> String {
        match Secret::Raw(self.secret.clone()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!("to_encoded returns Encoded"),
        }
    }

    /// The secret in groups of four, easier to type into an authenticator app.
    pub fn base32_grouped(&self) -> String {
        let s = self.base32();
        s.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `otpauth://` URI for authenticator apps.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        fn enc(s: &str) -> String {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect()
        }
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
            enc(issuer),
            enc(account),
            self.base32(),
            enc(issuer)
        )
    }

    fn totp(&self) -> TOTP {
        TOTP::new_unchecked(Algorithm::SHA1, 6, 1, STEP, self.secret.clone())
    }

    /// The code for a Unix time.
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.totp().generate(unix_secs)
    }

    /// Checks a code against the steps around `unix_secs` (one step of clock skew either way)
    /// and returns the matching step, which the caller records so a code is never accepted
    /// twice.
    pub fn verify(&self, code: &str, unix_secs: u64) -> Option<i64> {
        let code = code.trim().replace(' ', "");
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let t = self.totp();
        let now_step = unix_secs / STEP;
        [now_step, now_step.saturating_sub(1), now_step + 1]
            .into_iter()
            .find(|s| constant_eq(&t.generate(s * STEP), &code))
            .map(|s| s as i64)
    }

    pub fn secret_bytes(&self) -> &[u8] {
        &self.secret
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector_and_skew() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T=59 → 94287082 (8 digits).
        let t = Totp {
            secret: b"12345678901234567890".to_vec(),
        };
        assert_eq!(t.code_at(59), "287082");
        assert_eq!(t.verify("287082", 59), Some(1));
        assert_eq!(t.verify("287082", 59 + 30), Some(1));
        assert_eq!(t.verify("287082", 59 + 90), None);
        assert_eq!(t.verify("28708", 59), None);
        let round = Totp::from_base32(&t.base32_grouped()).unwrap();
        assert_eq!(round.secret_bytes(), t.secret_bytes());
        assert!(
            t.otpauth_uri("Grotius", "ana lyst")
                .contains("Grotius:ana%20lyst?secret=")
        );
    }
}
