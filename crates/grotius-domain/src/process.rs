//! Mediation and dialogue processes: the first labelled record kind, on which the modules build.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, DUTCH_ROLES, PHASES, PROCESS_STATUSES, THEMES, TRACKS};
use crate::security::{Classification, CompartmentId};

/// A process as stored and shown. `notes` is confidential text, encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub id: String,
    pub title: String,
    pub codename: Option<String>,
    pub countries: Vec<String>,
    pub phase: String,
    pub tracks: Vec<String>,
    pub dutch_role: String,
    pub status: String,
    pub themes: Vec<String>,
    pub summary: String,
    pub notes: String,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a user submits to create or change a process, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessInput {
    pub title: String,
    #[serde(default)]
    pub codename: Option<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    pub phase: String,
    #[serde(default)]
    pub tracks: Vec<String>,
    pub dutch_role: String,
    pub status: String,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub notes: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

/// A validated input, with normalised values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProcess {
    pub title: String,
    pub codename: Option<String>,
    pub countries: Vec<String>,
    pub phase: String,
    pub tracks: Vec<String>,
    pub dutch_role: String,
    pub status: String,
    pub themes: Vec<String>,
    pub summary: String,
    pub notes: String,
    pub labels: Labels,
}

fn codes(
    vocab: &'static [reference::Term],
    what: &'static str,
    values: &[String],
) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        let t = reference::term(vocab, what, v)?;
        if !out.iter().any(|o| o == t.code) {
            out.push(t.code.to_string());
        }
    }
    Ok(out)
}

impl ProcessInput {
    /// Checks every field; the first problem is returned with the field's name.
    pub fn validate(&self) -> Result<ValidProcess, DomainError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(DomainError::invalid("title", "a title is required"));
        }
        if title.chars().count() > 200 {
            return Err(DomainError::invalid("title", "at most 200 characters"));
        }
        if self.summary.len() > 20_000 || self.notes.len() > 100_000 {
            return Err(DomainError::invalid(
                "summary",
                "text too long (summary 20,000, notes 100,000 bytes)",
            ));
        }
        let codename = self
            .codename
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let tracks = codes(TRACKS, "track", &self.tracks)?;
        if tracks.is_empty() {
            return Err(DomainError::invalid("tracks", "choose at least one track"));
        }
        let compartment = match self.compartment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(CompartmentId::parse(c)?),
        };
        Ok(ValidProcess {
            title: title.to_string(),
            codename: codename.map(str::to_string),
            countries: reference::parse_countries(&self.countries)?,
            phase: reference::term(PHASES, "phase", self.phase.trim())?
                .code
                .to_string(),
            tracks,
            dutch_role: reference::term(DUTCH_ROLES, "Dutch role", self.dutch_role.trim())?
                .code
                .to_string(),
            status: reference::term(PROCESS_STATUSES, "status", self.status.trim())?
                .code
                .to_string(),
            themes: codes(THEMES, "theme", &self.themes)?,
            summary: self.summary.trim().to_string(),
            notes: self.notes.trim().to_string(),
            labels: Labels {
                classification: self.classification.trim().parse::<Classification>()?,
                compartment,
            },
        })
    }
}

impl Process {
    /// The name to show to someone: the codename where one is set (quiet diplomacy).
    pub fn display_name(&self) -> &str {
        self.codename.as_deref().unwrap_or(&self.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProcessInput {
        ProcessInput {
            title: " Jeddah talks ".into(),
            countries: vec!["SDN".into()],
            phase: "negotiation".into(),
            tracks: vec!["I".into(), "1.5".into(), "I".into()],
            dutch_role: "support".into(),
            status: "active".into(),
            themes: vec!["wps".into()],
            classification: "confidential".into(),
            compartment: Some("horn-of-africa".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_is_normalised() {
        let v = input().validate().unwrap();
        assert_eq!(v.title, "Jeddah talks");
        assert_eq!(v.countries, vec!["SD"]);
        assert_eq!(v.tracks, vec!["I", "1.5"]);
        assert_eq!(v.labels.classification, Classification::Confidential);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Case = (fn(&mut ProcessInput), &'static str);
        let cases: Vec<Case> = vec![
            (|i| i.title = "  ".into(), "title"),
            (|i| i.countries = vec!["ZZ".into()], "countries"),
            (|i| i.phase = "war".into(), "phase"),
            (|i| i.tracks = vec![], "tracks"),
            (|i| i.tracks = vec!["IV".into()], "track"),
            (|i| i.dutch_role = "boss".into(), "Dutch role"),
            (|i| i.classification = "top-secret".into(), "classification"),
            (|i| i.compartment = Some("Bad Name".into()), "compartment"),
        ];
        for (mutate, field) in cases {
            let mut i = input();
            mutate(&mut i);
            let err = i.validate().unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }
}
