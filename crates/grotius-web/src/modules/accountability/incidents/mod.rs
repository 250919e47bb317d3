//! Incidents (HURIDOCS events), their acts and persons under pseudonyms.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;
