//! Actors (persons and organisations) and their typed, dated relationships.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, Term};
use crate::security::{Classification, CompartmentId};

use crate::reference::t;

pub const ACTOR_KINDS: &[Term] = &[
    t("person", "Person", "Persoon"),
    t("organisation", "Organisation", "Organisatie"),
];

pub const ACTOR_CATEGORIES: &[Term] = &[
    t("ours", "Our unit or mission", "Eigen eenheid of post"),
    t("conflict-party", "Conflict party", "Conflictpartij"),
    t("mediator", "Mediator", "Bemiddelaar"),
    t("envoy", "Envoy", "Gezant"),
    t("state", "State", "Staat"),
    t("un-body", "UN body", "VN-orgaan"),
    t("eu-body", "EU body", "EU-orgaan"),
    t("ngo", "NGO", "ngo"),
    t(
        "civil-society",
        "Civil society",
        "Maatschappelijk middenveld",
    ),
    t("academic", "Academic", "Academicus"),
];

pub const RELATIONSHIP_KINDS: &[Term] = &[
    t("member-of", "member of", "lid van"),
    t("represents", "represents", "vertegenwoordigt"),
    t("advises", "advises", "adviseert"),
    t("funds", "funds", "financiert"),
    t("negotiates-with", "negotiates with", "onderhandelt met"),
    t("knows", "knows", "kent"),
];

pub const CHANNELS: &[Term] = &[
    t("in-person", "In person", "Persoonlijk"),
    t("phone", "Phone", "Telefoon"),
    t(
        "secure-messaging",
        "Secure messaging",
        "Beveiligde berichten",
    ),
    t("email", "E-mail", "E-mail"),
    t(
        "intermediary",
        "Through an intermediary",
        "Via een tussenpersoon",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub country: Option<String>,
    pub description: String,
    /// Confidential notes, encrypted at rest.
    pub notes: String,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorInput {
    pub name: String,
    pub kind: String,
    pub category: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub notes: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    pub id: String,
    pub from_actor: String,
    pub to_actor: String,
    pub kind: String,
    /// ISO 8601 dates.
    pub since: Option<String>,
    pub until: Option<String>,
    /// The colleague who holds the relationship (a user name).
    pub holder: Option<String>,
    pub last_contact: Option<String>,
    pub channel: Option<String>,
    pub source: String,
    /// Sensitivity of the relationship itself.
    pub labels: Labels,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationshipInput {
    pub from_actor: String,
    pub to_actor: String,
    pub kind: String,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub holder: Option<String>,
    #[serde(default)]
    pub last_contact: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub source: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn labels(classification: &str, compartment: &Option<String>) -> Result<Labels, DomainError> {
    Ok(Labels {
        classification: classification.trim().parse::<Classification>()?,
        compartment: opt(compartment).map(CompartmentId::parse).transpose()?,
    })
}

/// Checks an ISO 8601 calendar date (`YYYY-MM-DD`) and returns it.
pub fn parse_date(field: &'static str, s: &str) -> Result<String, DomainError> {
    let bad = || DomainError::invalid(field, format!("'{s}' is not a date; write YYYY-MM-DD"));
    let parts: Vec<&str> = s.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d): (u32, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if s.trim().len() != 10
        || !(1900..=2200).contains(&y)
        || !(1..=12).contains(&m)
        || d == 0
        || d > days[(m - 1) as usize]
    {
        return Err(bad());
    }
    Ok(s.trim().to_string())
}

impl ActorInput {
    pub fn validate(&self) -> Result<(ActorInput, Labels), DomainError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(DomainError::invalid(
                "name",
                "a name of 1 to 200 characters is required",
            ));
        }
        let kind = reference::term(ACTOR_KINDS, "actor kind", self.kind.trim())?.code;
        let category =
            reference::term(ACTOR_CATEGORIES, "actor category", self.category.trim())?.code;
        let country = match opt(&self.country) {
            None => None,
            Some(c) => Some(
                reference::country(c)
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "country",
                            format!("'{c}' is not an ISO 3166-1 country code"),
                        )
                    })?
                    .alpha2
                    .clone(),
            ),
        };
        let l = labels(&self.classification, &self.compartment)?;
        Ok((
            ActorInput {
                name: name.into(),
                kind: kind.into(),
                category: category.into(),
                country,
                description: self.description.trim().into(),
                notes: self.notes.trim().into(),
                classification: l.classification.as_str().into(),
                compartment: l.compartment.as_ref().map(|c| c.to_string()),
            },
            l,
        ))
    }
}

impl RelationshipInput {
    pub fn validate(&self) -> Result<(RelationshipInput, Labels), DomainError> {
        if self.from_actor.trim().is_empty() || self.to_actor.trim().is_empty() {
            return Err(DomainError::invalid("to_actor", "choose the two actors"));
        }
        if self.from_actor.trim() == self.to_actor.trim() {
            return Err(DomainError::invalid(
                "to_actor",
                "a relationship links two different actors",
            ));
        }
        let kind = reference::term(RELATIONSHIP_KINDS, "relationship kind", self.kind.trim())?.code;
        let since = opt(&self.since)
            .map(|d| parse_date("since", d))
            .transpose()?;
        let until = opt(&self.until)
            .map(|d| parse_date("until", d))
            .transpose()?;
        if let (Some(s), Some(u)) = (&since, &until)
            && s > u
        {
            return Err(DomainError::invalid(
                "until",
                "the end date is before the start date",
            ));
        }
        let last_contact = opt(&self.last_contact)
            .map(|d| parse_date("last_contact", d))
            .transpose()?;
        let channel = opt(&self.channel)
            .map(|c| reference::term(CHANNELS, "channel", c).map(|t| t.code.to_string()))
            .transpose()?;
        let l = labels(&self.classification, &self.compartment)?;
        Ok((
            RelationshipInput {
                from_actor: self.from_actor.trim().into(),
                to_actor: self.to_actor.trim().into(),
                kind: kind.into(),
                since,
                until,
                holder: opt(&self.holder).map(str::to_string),
                last_contact,
                channel,
                source: self.source.trim().into(),
                classification: l.classification.as_str().into(),
                compartment: l.compartment.as_ref().map(|c| c.to_string()),
            },
            l,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_and_relationship_validation_names_fields() {
        let a = ActorInput {
            name: " Envoy X ".into(),
            kind: "person".into(),
            category: "envoy".into(),
            country: Some("CHE".into()),
            classification: "internal".into(),
            ..Default::default()
        };
        let (v, l) = a.validate().unwrap();
        assert_eq!(
            (v.name.as_str(), v.country.as_deref(), l.classification),
            ("Envoy X", Some("CH"), Classification::Internal)
        );
        let bad = ActorInput {
            category: "spy".into(),
            ..a.clone()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("unknown actor category 'spy'")
        );

        let r = RelationshipInput {
            from_actor: "a".into(),
            to_actor: "b".into(),
            kind: "knows".into(),
            since: Some("2024-02-29".into()),
            until: Some("2025-01-01".into()),
            classification: "confidential".into(),
            ..Default::default()
        };
        assert!(r.validate().is_ok());
        for (m, field) in [
            (
                RelationshipInput {
                    to_actor: "a".into(),
                    ..r.clone()
                },
                "to_actor",
            ),
            (
                RelationshipInput {
                    since: Some("2023-02-29".into()),
                    ..r.clone()
                },
                "since",
            ),
            (
                RelationshipInput {
                    since: Some("2026-01-01".into()),
                    ..r.clone()
                },
                "until",
            ),
            (
                RelationshipInput {
                    last_contact: Some("yesterday".into()),
                    ..r.clone()
                },
                "last_contact",
            ),
            (
                RelationshipInput {
                    channel: Some("pigeon".into()),
                    ..r.clone()
                },
                "channel",
            ),
        ] {
            assert!(
                m.validate().unwrap_err().to_string().contains(field),
                "{field}"
            );
        }
    }
}
