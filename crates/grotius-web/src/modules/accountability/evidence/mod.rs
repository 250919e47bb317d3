//! The evidence vault: items, chain of custody and transfer packages.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;
