//! API keys: `orca_<kind>_<32 hex digits>` (128 random bits from the operating system's CSPRNG via
//! `rand`'s thread generator), stored only as a hex SHA-256.

use orca_store::PrincipalKind;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Every ORCA key starts with this, so a leaked one is easy to recognise (and to scan for).
pub const KEY_PREFIX: &str = "orca_";

/// A freshly generated key: the public id to log and show in listings, and the secret to hand to
/// its holder once.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key_id: String,
    pub secret: SecretString,
}

/// Hex SHA-256 of a key, the only form in which ORCA keeps it.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A new random key for `subject` (a retailer id, force slug or analyst name). The key id is the
/// subject (reduced to `a-z`, `0-9` and `-`) followed by 8 random hex digits, e.g. `northmart-3fa2b1c0`.
pub fn generate_key(kind: PrincipalKind, subject: &str) -> IssuedKey {
    let mut rng = rand::rng();
    let mut secret = [0u8; 16];
    rng.fill_bytes(&mut secret);
    let mut suffix = [0u8; 4];
    rng.fill_bytes(&mut suffix);
    let slug: String =
        subject.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = slug.trim_matches('-');
    let slug = if slug.is_empty() { kind.as_str() } else { slug };
    IssuedKey {
        key_id: format!("{slug}-{}", hex::encode(suffix)),
        secret: SecretString::from(format!("{KEY_PREFIX}{}_{}", kind.as_str(), hex::encode(secret))),
    }
}

impl IssuedKey {
    /// The hash under which the key is registered.
    pub fn key_hash(&self) -> String {
        hash_key(self.secret.expose_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hashed_with_sha256_in_hex() {
        assert_eq!(hash_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn generated_keys_say_their_kind_and_are_unique() {
        let first = generate_key(PrincipalKind::Retailer, "northmart");
        let second = generate_key(PrincipalKind::Retailer, "northmart");
        let secret = first.secret.expose_secret();
        let random = secret.strip_prefix("orca_retailer_").expect("prefixed with the kind");
        assert_eq!(random.len(), 32);
        assert!(random.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(secret, second.secret.expose_secret());
        assert!(first.key_id.starts_with("northmart-"));
        assert_ne!(first.key_id, second.key_id);
        assert_eq!(first.key_hash(), hash_key(secret));
    }

    #[test]
    fn key_ids_are_safe_to_log_whatever_the_subject() {
        let analyst = generate_key(PrincipalKind::Analyst, "Jo Bloggs (OPAL)");
        assert!(analyst.key_id.starts_with("jo-bloggs--opal-"), "{}", analyst.key_id);
        let nameless = generate_key(PrincipalKind::Force, "  ");
        assert!(nameless.key_id.starts_with("force-"), "{}", nameless.key_id);
    }

    #[test]
    fn secrets_never_print() {
        let issued = generate_key(PrincipalKind::Force, "kent");
        let printed = format!("{issued:?}");
        assert!(!printed.contains(issued.secret.expose_secret()), "{printed}");
        assert!(printed.contains(&issued.key_id));
    }
}
