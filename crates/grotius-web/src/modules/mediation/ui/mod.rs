//! The pages of processes (with their engagements journal) and the reference page.

pub(crate) mod processes;
pub(crate) mod reference;
