//! Strings of the network module: actors, relationships, network questions.

pub const STRINGS: &[(&str, &str, &str)] = &[];
