#![allow(clippy::unwrap_used)]
//! One integration-test binary (one link of the world). Every test here runs against the backend
//! named by `GROTIUS_TEST_DATABASE_URL` (a PostgreSQL server; each test gets a fresh database) or,
//! when it is unset, against a fresh SQLite file.

mod agreements;
mod analyses;
mod audit_tamper;
mod audit_view;
mod authz_matrix;
mod cli;
mod coherence;
mod crash;
mod dialogues;
mod documents;
mod early_warning;
mod engagements;
mod evidence;
mod failure;
mod follow_up;
mod fund;
mod fund_reports;
mod harness;
mod http;
mod incidents;
mod inherited_labels;
mod lessons;
mod linked_ids;
mod login_limits;
mod memberships;
mod metrics_access;
mod multinode;
mod network;
mod notifications;
mod participation;
mod roster;
mod route_coverage;
mod schema;
mod search;
mod search_sources;
mod separation;
mod store;
mod ui_pages;
mod work;
