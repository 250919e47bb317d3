//! Dutch and English for every string of the UI. Each module keeps its table (`strings.rs` of its
//! folder); keys are looked up across all of them, and a test checks that every key used in the
//! source exists, has both languages and is defined once.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Nl,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            _ => None,
        }
    }

    /// From an `Accept-Language` header: Dutch if it comes before English, else English.
    pub fn from_accept_language(h: &str) -> Lang {
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("nl") {
                return Lang::Nl;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::En
    }
}

/// One i18n entry: `(key, English, Dutch)`.
pub type Entry = (&'static str, &'static str, &'static str);

/// Every entry of every module's tables; keys are unique across all tables.
fn entries() -> impl Iterator<Item = &'static Entry> {
    crate::modules::MODULES
        .iter()
        .flat_map(|m| m.strings.iter())
        .flat_map(|table| table.iter())
}

fn lookup(key: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    entries().find(|(k, _, _)| *k == key)
}

/// Looks a key up; an unknown key is returned as is (and fails the i18n test).
pub fn t(lang: Lang, key: &str) -> &'static str {
    match lookup(key) {
        Some((_, en, nl)) => match lang {
            Lang::En => en,
            Lang::Nl => nl,
        },
        None => "⚠missing-translation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_complete() {
        let mut seen = std::collections::HashSet::new();
        for (k, en, nl) in entries() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!en.is_empty() && !nl.is_empty(), "{k} lacks a language");
        }
    }

    /// Every `t(…, "key")` in the crate's source names a key of the table.
    #[test]
    fn every_used_key_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let src = std::fs::read_to_string(&path).unwrap();
                for (i, _) in src.match_indices("t(l, \"") {
                    let rest = &src[i + 6..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if lookup(key).is_none() {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    #[test]
    fn accept_language() {
        assert_eq!(
            Lang::from_accept_language("nl-NL,nl;q=0.9,en;q=0.8"),
            Lang::Nl
        );
        assert_eq!(Lang::from_accept_language("en-GB,nl;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
    }
}
