//! Analysis without I/O. Every question is answered under a [`Visibility`]: what a subject may
//! not see is not in the graph it is asked about, so no path, neighbour, count or score can
//! reveal or hint at it.

pub mod dialogue;
pub mod network;
pub mod synthetic;

pub use network::{EdgeRow, Ego, NetworkGraph, NodeRow, Visibility};
