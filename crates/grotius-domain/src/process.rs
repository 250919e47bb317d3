//! Mediation and dialogue processes: the first labelled record kind, on which the modules build.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, DUTCH_ROLES, PHASES, PROCESS_STATUSES, THEMES, TRACKS};
use crate::security::{Classification, CompartmentId};

/// Who else is engaged in a process, and in what role (e.g. "UN Personal Envoy", "lead").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagedParty {
    pub party: String,
    /// A code of [`DUTCH_ROLES`] (the EU mediation vocabulary serves for everyone).
    pub role: String,
}

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
    pub engaged: Vec<EngagedParty>,
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
    pub engaged: Vec<EngagedParty>,
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
    pub engaged: Vec<EngagedParty>,
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
            engaged: self
                .engaged
                .iter()
                .filter(|e| !e.party.trim().is_empty())
                .map(|e| {
                    let party = e.party.trim();
                    if party.chars().count() > 120 {
                        return Err(DomainError::invalid(
                            "engaged",
                            format!("'{party}' is longer than 120 characters"),
                        ));
                    }
                    let role =
                        reference::term(DUTCH_ROLES, "role of an engaged party", e.role.trim())?;
                    Ok(EngagedParty {
                        party: party.to_string(),
                        role: role.code.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
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
            engaged: vec![
                EngagedParty {
                    party: " UN Personal Envoy ".into(),
                    role: "lead".into(),
                },
                EngagedParty::default(),
            ],
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
        assert_eq!(
            v.engaged,
            vec![EngagedParty {
                party: "UN Personal Envoy".into(),
                role: "lead".into()
            }]
        );
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
            (
                |i| {
                    i.engaged = vec![EngagedParty {
                        party: "Qatar".into(),
                        role: "boss".into(),
                    }]
                },
                "role of an engaged party",
            ),
        ];
        for (mutate, field) in cases {
            let mut i = input();
            mutate(&mut i);
            let err = i.validate().unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }
}

/// Kinds of engagement in a process's journal.
pub const ENGAGEMENT_KINDS: &[crate::reference::Term] = &[
    crate::reference::Term {
        code: "meeting",
        en: "Meeting",
        nl: "Bijeenkomst",
    },
    crate::reference::Term {
        code: "call",
        en: "Call",
        nl: "Gesprek (telefoon/video)",
    },
    crate::reference::Term {
        code: "workshop",
        en: "Workshop or dialogue session",
        nl: "Workshop of dialoogsessie",
    },
    crate::reference::Term {
        code: "visit",
        en: "Visit",
        nl: "Bezoek",
    },
    crate::reference::Term {
        code: "message",
        en: "Message",
        nl: "Bericht",
    },
];

/// An entry of a process's engagements journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    pub id: String,
    pub process_id: String,
    /// ISO 8601 date.
    pub date: String,
    pub kind: String,
    pub track: String,
    pub place: String,
    /// Actor ids (only those the reader may see are shown).
    pub participants: Vec<String>,
    pub summary: String,
    /// Confidential notes, encrypted at rest.
    pub notes: String,
    pub labels: Labels,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementInput {
    pub date: String,
    pub kind: String,
    pub track: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub participants: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub notes: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl EngagementInput {
    /// Checks the fields, and that the entry is labelled at least as strictly as its process:
    /// the same compartment, and a classification no lower — so that an entry never reveals a
    /// process its reader may not see.
    pub fn validate(&self, process: &Labels) -> Result<(EngagementInput, Labels), DomainError> {
        let date = crate::network::parse_date("date", &self.date)?;
        let kind = reference::term(ENGAGEMENT_KINDS, "engagement kind", self.kind.trim())?.code;
        let track = reference::term(TRACKS, "track", self.track.trim())?.code;
        if self.summary.trim().is_empty() {
            return Err(DomainError::invalid("summary", "summarise the engagement"));
        }
        let labels = Labels {
            classification: self.classification.trim().parse::<Classification>()?,
            compartment: self
                .compartment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(CompartmentId::parse)
                .transpose()?,
        };
        if labels.classification < process.classification {
            return Err(DomainError::invalid(
                "classification",
                format!(
                    "an entry is classified at least as high as its process ({})",
                    process.classification
                ),
            ));
        }
        if labels.compartment != process.compartment {
            return Err(DomainError::invalid(
                "compartment",
                "an entry lives in the compartment of its process",
            ));
        }
        let mut participants: Vec<String> = Vec::new();
        for p in self
            .participants
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            if !participants.iter().any(|x| x == p) {
                participants.push(p.to_string());
            }
        }
        Ok((
            EngagementInput {
                date,
                kind: kind.into(),
                track: track.into(),
                place: self.place.trim().into(),
                participants,
                summary: self.summary.trim().into(),
                notes: self.notes.trim().into(),
                classification: labels.classification.as_str().into(),
                compartment: labels.compartment.as_ref().map(|c| c.to_string()),
            },
            labels,
        ))
    }
}

#[cfg(test)]
mod engagement_tests {
    use super::*;

    #[test]
    fn entries_are_labelled_at_least_like_their_process() {
        let process = Labels {
            classification: Classification::Confidential,
            compartment: Some(CompartmentId::parse("yemen").unwrap()),
        };
        let input = EngagementInput {
            date: "2026-10-02".into(),
            kind: "meeting".into(),
            track: "1.5".into(),
            summary: "Met both delegations in Muscat.".into(),
            participants: vec!["a1".into(), "a1".into(), " ".into()],
            classification: "secret".into(),
            compartment: Some("yemen".into()),
            ..Default::default()
        };
        let (v, l) = input.validate(&process).unwrap();
        assert_eq!(
            (v.participants, l.classification),
            (vec!["a1".to_string()], Classification::Secret)
        );
        let low = EngagementInput {
            classification: "internal".into(),
            ..input.clone()
        };
        assert!(
            low.validate(&process)
                .unwrap_err()
                .to_string()
                .contains("classification")
        );
        let elsewhere = EngagementInput {
            compartment: None,
            ..input.clone()
        };
        assert!(
            elsewhere
                .validate(&process)
                .unwrap_err()
                .to_string()
                .contains("compartment")
        );
        let bad_date = EngagementInput {
            date: "02/10/2026".into(),
            ..input
        };
        assert!(
            bad_date
                .validate(&process)
                .unwrap_err()
                .to_string()
                .contains("date")
        );
    }
}
