//! Strings of the roster module: experts, requests for support, matching.

pub const STRINGS: &[(&str, &str, &str)] = &[];
