//! Roles, classification levels and compartments.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The roles of the brief. A user holds one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Users, compartments, vocabularies, keys, backups. Reads compartment content only as a member.
    Admin,
    /// Mediation support unit: processes, requests, roster, deployments, lessons.
    Coordinator,
    /// Desk officer or embassy staff: field reports, engagements, contacts.
    DeskOfficer,
    /// Conflict data, early warning, country profiles, knowledge search.
    Analyst,
    FundOfficer,
    FundApprover,
    Controller,
    Documenter,
    Custodian,
    LegalAdviser,
    /// WPS / MHPSS / water adviser: thematic views across everything.
    Adviser,
    /// External partner organisation: its own applications and reports, nothing else.
    Partner,
    /// Read-only audit trail.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::Admin,
        Role::Coordinator,
        Role::DeskOfficer,
        Role::Analyst,
        Role::FundOfficer,
        Role::FundApprover,
        Role::Controller,
        Role::Documenter,
        Role::Custodian,
        Role::LegalAdviser,
        Role::Adviser,
        Role::Partner,
        Role::Auditor,
    ];

    /// The stable name used in the CLI, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::DeskOfficer => "desk-officer",
            Role::Analyst => "analyst",
            Role::FundOfficer => "fund-officer",
            Role::FundApprover => "fund-approver",
            Role::Controller => "controller",
            Role::Documenter => "documenter",
            Role::Custodian => "custodian",
            Role::LegalAdviser => "legal-adviser",
            Role::Adviser => "adviser",
            Role::Partner => "partner",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a comma-separated list of role names (as stored).
    pub fn parse_list(s: &str) -> Result<Vec<Role>, DomainError> {
        let mut roles: Vec<Role> = s
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(Role::from_str)
            .collect::<Result<_, _>>()?;
        roles.sort();
        roles.dedup();
        Ok(roles)
    }

    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "role",
                value: s.to_string(),
                expected: Role::ALL
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Classification levels, ordered: a clearance of a level may read that level and below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Classification {
    Public = 0,
    Internal = 1,
    Confidential = 2,
    Secret = 3,
}

impl Classification {
    pub const ALL: [Classification; 4] = [
        Classification::Public,
        Classification::Internal,
        Classification::Confidential,
        Classification::Secret,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Confidential => "confidential",
            Classification::Secret => "secret",
        }
    }

    /// The level as stored in the database (ordered, so SQL can compare it).
    pub fn level(self) -> i64 {
        self as i64
    }

    pub fn from_level(level: i64) -> Result<Self, DomainError> {
        Classification::ALL
            .into_iter()
            .find(|c| c.level() == level)
            .ok_or_else(|| DomainError::invalid("classification", format!("unknown level {level}")))
    }

    /// Reads of material at this level or above are written to the audit log.
    pub fn read_is_audited(self) -> bool {
        self >= Classification::Confidential
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Classification {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Classification::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "classification",
                value: s.to_string(),
                expected: "public, internal, confidential, secret".to_string(),
            })
    }
}

/// A compartment (need-to-know group) is named by a short slug such as `horn-of-africa`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CompartmentId(String);

impl CompartmentId {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = (2..=48).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(CompartmentId(s.to_string()))
        } else {
            Err(DomainError::invalid(
                "compartment",
                format!(
                    "'{s}' is not a compartment name: use 2-48 lower-case letters, digits and dashes"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CompartmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_reject_unknown() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        let err = "superuser".parse::<Role>().unwrap_err();
        assert!(
            err.to_string()
                .contains("expected one of: admin, coordinator")
        );
        assert_eq!(
            Role::parse_list("analyst, admin,analyst"),
            Ok(vec![Role::Admin, Role::Analyst])
        );
    }

    #[test]
    fn classification_is_ordered() {
        assert!(Classification::Secret > Classification::Confidential);
        assert!(Classification::Internal > Classification::Public);
        assert!(Classification::Confidential.read_is_audited());
        assert!(!Classification::Internal.read_is_audited());
        assert_eq!(
            Classification::from_level(2),
            Ok(Classification::Confidential)
        );
        assert!(Classification::from_level(9).is_err());
    }

    #[test]
    fn compartment_names() {
        assert!(CompartmentId::parse("horn-of-africa").is_ok());
        assert!(CompartmentId::parse("Horn").is_err());
        assert!(CompartmentId::parse("-x").is_err());
        assert!(CompartmentId::parse("a").is_err());
        assert!(CompartmentId::parse("a'; drop table").is_err());
    }
}
