use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Kinds of bearer secrets, told apart by their prefix so a leaked one is recognisable.
#[derive(Debug, Clone, Copy)]
pub enum TokenKind {
    /// Personal API token: `grt_…`.
    Api,
    /// Browser session: `grs_…`.
    Session,
    /// CSRF token bound to a session.
    Csrf,
}

/// A new random token with 256 bits of entropy.
pub fn new_token(kind: TokenKind) -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let prefix = match kind {
        TokenKind::Api => "grt_",
        TokenKind::Session => "grs_",
        TokenKind::Csrf => "",
    };
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(b))
}

/// Tokens are stored only as their SHA-256 (they carry 256 bits of entropy, so no slow hash is
/// needed), hex-encoded.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Ten one-time recovery codes such as `k7qd-2m4x-9fzt`.
pub fn recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..10)
        .map(|_| {
            let mut s = String::new();
            for group in 0..3 {
                if group > 0 {
                    s.push('-');
                }
                for _ in 0..4 {
                    s.push(ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char);
                }
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_hashed() {
        let a = new_token(TokenKind::Api);
        let b = new_token(TokenKind::Api);
        assert!(a.starts_with("grt_") && a.len() > 40);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 14));
    }
}
