//! Fund reports: the yearly figures, IATI export and reporting flags.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;
