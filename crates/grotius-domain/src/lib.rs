//! The domain of Grotius: pure types and rules, no I/O.
//!
//! Everything that decides *whether* something may happen lives here — roles, classification
//! levels, compartments, the policy engine, the audit chain — so that storage and the web edge can
//! only ask, never decide for themselves.

pub mod agreement;
pub mod analysis;
pub mod audit;
pub mod dialogue;
pub mod dialogue_attributes;
pub mod document;
pub mod early_warning;
pub mod evidence;
pub mod fund;
pub mod incident;
pub mod lessons;
pub mod network;
pub mod participation;
pub mod policy;
pub mod process;
pub mod reference;
pub mod roster;
pub mod security;
pub mod separation;
pub mod training;
pub mod ucdp;
pub mod water;
pub mod work;

pub use policy::{
    Action, Decision, Denial, Labels, Resource, ResourceKind, Subject, decide, organisation_bound,
};
pub use security::{Classification, CompartmentId, Role};

/// Errors raised by domain rules (validation of values coming from outside).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("unknown {what} '{value}'; expected one of: {expected}")]
    UnknownValue {
        what: &'static str,
        value: String,
        expected: String,
    },
    #[error("{field} is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl DomainError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
