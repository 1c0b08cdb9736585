//! The temporary password the playbook sets: generated from the operating
//! system's CSPRNG, strong enough for Entra's default policy, and wrapped
//! so that `{:?}` and `{}` never print it.
//!
//! Entra's rules for cloud accounts: 8 to 256 characters, at least three
//! of upper case, lower case, digits and symbols, and only characters from
//! its allowed set. We always use all four classes and 20 characters, and
//! leave out look-alikes (`I`, `O`, `l`, `0`, `1`) and symbols that are
//! awkward to read out or paste (quotes, backslash, space).

use rand::rngs::OsRng;
use rand::seq::SliceRandom;

/// Length of a generated password.
pub const LENGTH: usize = 20;

const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#$%&*+-=?@^_";

/// Every symbol Entra accepts in a password (besides letters and digits).
const ENTRA_SYMBOLS: &str = "@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<> ";

/// A password shown once to the analyst and never stored or logged.
pub struct TemporaryPassword(String);

impl TemporaryPassword {
    /// A fresh random password (see the module docs).
    pub fn generate() -> Self {
        let mut rng = OsRng;
        let classes = [UPPER, LOWER, DIGITS, SYMBOLS];
        let all: Vec<u8> = classes.concat();
        // One of each class first, so every class is present, then the
        // rest from all of them; the shuffle hides where the first four went.
        let mut chars: Vec<u8> = classes
            .iter()
            .map(|class| *class.choose(&mut rng).expect("class is not empty"))
            .collect();
        while chars.len() < LENGTH {
            chars.push(*all.choose(&mut rng).expect("alphabet is not empty"));
        }
        chars.shuffle(&mut rng);
        TemporaryPassword(chars.into_iter().map(char::from).collect())
    }

    /// The password itself, for the request body and the one-time report.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Hands the password over (to the one-time report).
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for TemporaryPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TemporaryPassword([redacted])")
    }
}

/// True when `password` meets Entra's default complexity rule for cloud
/// accounts (length, three of four classes, allowed characters).
pub fn meets_entra_policy(password: &str) -> bool {
    let length = password.chars().count();
    if !(8..=256).contains(&length) {
        return false;
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || ENTRA_SYMBOLS.contains(c);
    if !password.chars().all(allowed) {
        return false;
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| ENTRA_SYMBOLS.contains(c)),
    ];
    classes.iter().filter(|present| **present).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_use_all_four_classes_and_meet_entra_policy() {
        for _ in 0..500 {
            let password = TemporaryPassword::generate();
            let text = password.expose();

            assert_eq!(text.chars().count(), LENGTH);
            assert!(meets_entra_policy(text), "{text}");
            assert!(text.bytes().any(|b| SYMBOLS.contains(&b)), "{text}");
            assert!(text.bytes().any(|b| DIGITS.contains(&b)), "{text}");
        }
    }

    #[test]
    fn generated_passwords_differ() {
        let a = TemporaryPassword::generate();
        let b = TemporaryPassword::generate();

        assert_ne!(a.expose(), b.expose());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = TemporaryPassword::generate();

        let shown = format!("{password:?}");

        assert!(!shown.contains(password.expose()));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn weak_or_odd_passwords_fail_the_policy() {
        assert!(!meets_entra_policy("short1A"));
        assert!(!meets_entra_policy("alllowercaseletters"));
        assert!(!meets_entra_policy("Password1\u{e9}xx"));
        assert!(meets_entra_policy("Spring2025!"));
    }
}
