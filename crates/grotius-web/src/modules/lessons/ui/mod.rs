//! The pages of debriefs (lessons learned) and of trainings.

pub(crate) mod lessons;
pub(crate) mod trainings;
