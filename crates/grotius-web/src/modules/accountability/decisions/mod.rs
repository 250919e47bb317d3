//! Access decisions between the mediation and evidence sides.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;
