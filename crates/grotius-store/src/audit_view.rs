//! What the reader of the audit log is shown of each entry.
//!
//! *Rule:* an entry about a record above the reader's clearance or outside her compartments
//! shows what happened — sequence, time, actor, action, kind, outcome and hashes — but not
//! which record or its particulars: its record id reads [`WITHHELD_ID`] and its detail
//! [`WITHHELD_DETAIL`]. The labels are derived when the log is read: from the record the entry
//! names (its current labels, with its parent's for records kept under a process, application
//! or incident), from every record id in the detail, and from labels the detail records itself
//! (`classification`, `compartment`). An id that names no record any more (deleted) fails
//! closed: only a reader cleared for everything (secret, a member of every compartment) sees
//! it. Entries are never changed in the database, so the chain still verifies. A reader with
//! the clearance and compartments of a record sees its entries in full.

use std::collections::BTreeSet;
use std::str::FromStr;

use grotius_domain::audit::AuditEntry;
use grotius_domain::{Classification, CompartmentId, Labels};

use crate::linked::{Resolved, ids_in_text};
use crate::{Access, Result};

/// What an entry's record id reads when the reader may not know it.
pub const WITHHELD_ID: &str = "withheld";
/// What an entry's detail reads when the reader may not know it.
pub const WITHHELD_DETAIL: &str =
    r#"{"withheld":"about a record above your clearance or outside your compartments"}"#;

/// The labels an entry's detail records about its record, if it records any.
fn labels_in_detail(detail: &serde_json::Value) -> Option<Labels> {
    let o = detail.as_object()?;
    let classification = o
        .get("classification")
        .and_then(|c| c.as_str())
        .and_then(|c| Classification::from_str(c).ok());
    let compartment = o
        .get("compartment")
        .and_then(|c| c.as_str())
        .and_then(|c| CompartmentId::parse(c).ok());
    if classification.is_none() && compartment.is_none() {
        return None;
    }
    Some(Labels {
        classification: classification.unwrap_or(Classification::Public),
        compartment,
    })
}

/// The record ids an entry names: its record and every id in its detail.
/// Read as text, so that ids inside longer strings and details that are not JSON count too.
fn ids_of(entry: &AuditEntry) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    ids_in_text(&entry.record.resource_id, &mut ids);
    ids_in_text(&entry.record.detail, &mut ids);
    ids
}

impl Access {
    /// Whether the subject holds the highest clearance and every compartment.
    async fn cleared_for_everything(&self) -> Result<bool> {
        if self.subject.clearance != Classification::Secret {
            return Ok(false);
        }
        let all: Vec<String> = sqlx::query_scalar("SELECT id FROM compartments")
            .fetch_all(&self.store.pool)
            .await?;
        Ok(all
            .iter()
            .all(|c| self.subject.compartments.iter().any(|m| m.as_str() == c)))
    }

    fn may_know(&self, ids: &BTreeSet<String>, resolved: &Resolved, cleared_all: bool) -> bool {
        ids.iter().all(|id| match resolved.records.get(id) {
            Some(r) => r.visible_to(&self.subject),
            None => resolved.is_unlabelled(id) || cleared_all,
        })
    }

    /// Whether the subject may know which record an id names in the audit log (used for the
    /// log's record filter, so that filtering by a hidden id finds nothing).
    pub(crate) async fn may_know_record(&self, id: &str) -> Result<bool> {
        let mut ids = BTreeSet::new();
        ids_in_text(id, &mut ids);
        if ids.is_empty() {
            return Ok(true);
        }
        let resolved = self.store.record_refs(&ids).await?;
        let cleared_all = self.cleared_for_everything().await?;
        Ok(self.may_know(&ids, &resolved, cleared_all))
    }

    /// Applies the rule of this module to a page of entries.
    pub(crate) async fn audit_view(&self, mut entries: Vec<AuditEntry>) -> Result<Vec<AuditEntry>> {
        let details: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| serde_json::from_str(&e.record.detail).unwrap_or(serde_json::Value::Null))
            .collect();
        let named: Vec<BTreeSet<String>> = entries.iter().map(ids_of).collect();
        let all: BTreeSet<String> = named.iter().flatten().cloned().collect();
        let resolved = self.store.record_refs(&all).await?;
        let cleared_all = self.cleared_for_everything().await?;
        for ((entry, detail), ids) in entries.iter_mut().zip(&details).zip(&named) {
            let labels_ok = labels_in_detail(detail).is_none_or(|l| self.subject.can_see(&l));
            if !(labels_ok && self.may_know(ids, &resolved, cleared_all)) {
                if !entry.record.resource_id.is_empty() {
                    entry.record.resource_id = WITHHELD_ID.to_string();
                }
                entry.record.detail = WITHHELD_DETAIL.to_string();
            }
        }
        Ok(entries)
    }
}
