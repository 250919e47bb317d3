//! Linked records: what a reader may be shown of the records another record points to.
//!
//! Records name other records: an application its processes, a request its experts, a custody
//! event a transfer package, an audit entry the record it is about. *Rule:* no answer carries the
//! id (or the identifying detail) of a record its reader may not read. [`Store::record_refs`]
//! resolves ids to the kind and effective labels of the records they name, over every labelled
//! table (children carry their parent's labels too); [`Access::readable_ids`] keeps the linked
//! ids the reader may read (labels *and* role, through `decide()`), and
//! [`Access::withhold_unreadable_particulars`] withholds particulars (custody events) that name
//! any record the reader may not read.

use std::collections::{BTreeSet, HashMap};

use grotius_domain::{
    Action, Classification, CompartmentId, Labels, Resource, ResourceKind, Subject, decide,
};
use sqlx::Row;

use crate::{Access, Result, Store};

/// A stored record named by an id: its kind, every label set that guards it (its own and,
/// for records kept under a process, application or incident, the parent's), and the
/// organisation it belongs to (fund records).
#[derive(Debug, Clone)]
pub(crate) struct RecordRef {
    pub kind: ResourceKind,
    pub labels: Vec<Labels>,
    pub organisation: Option<String>,
}

impl RecordRef {
    /// Whether the subject may read the record (labels, role and organisation).
    pub(crate) fn readable_by(&self, subject: &Subject) -> bool {
        self.labels.iter().all(|l| {
            let resource = Resource {
                kind: self.kind,
                labels: Some(l),
                owner: None,
                organisation: self.organisation.as_deref(),
            };
            decide(subject, Action::Read, resource).is_allowed()
        })
    }

    /// Whether the subject's clearance and compartments cover every label of the record (the
    /// question for oversight roles such as the auditor, who read about records, not records).
    pub(crate) fn visible_to(&self, subject: &Subject) -> bool {
        self.labels.iter().all(|l| subject.can_see(l))
    }
}

/// Every table whose rows are labelled records (or children of one), as a query returning
/// `id, classification, compartment_id, parent_classification, parent_compartment,
/// organisation` for the ids bound at `{ids}`. A new labelled table adds a row here.
const SOURCES: &[(ResourceKind, &str)] = &[
    (
        ResourceKind::Process,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM processes WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Engagement,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM engagements c JOIN processes p ON p.id = c.process_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::Analysis,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM analyses c JOIN processes p ON p.id = c.process_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::Debrief,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM debriefs c JOIN processes p ON p.id = c.process_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::Participation,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM participation c JOIN processes p ON p.id = c.process_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::Actor,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM actors WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Alert,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM alerts WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Relationship,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM relationships WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Expert,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM experts WHERE id IN ({ids})",
    ),
    (
        ResourceKind::SupportRequest,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM support_requests WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Training,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM trainings WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Training,
        "SELECT c.id, p.classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM training_participants c JOIN trainings p ON p.id = c.training_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::FundApplication,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, partner AS organisation FROM fund_applications WHERE id IN ({ids})",
    ),
    (
        ResourceKind::FundTransaction,
        "SELECT c.id, COALESCE(p.classification, 0) AS classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, p.partner AS organisation FROM ledger_transactions c LEFT JOIN fund_applications p ON p.id = c.application_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::Evidence,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM evidence_items WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Evidence,
        "SELECT c.id, p.classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM custody_events c JOIN evidence_items p ON p.id = c.item_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::TransferPackage,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM transfer_packages WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Agreement,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM agreements WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Document,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM documents WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Incident,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM incidents WHERE id IN ({ids})",
    ),
    (
        ResourceKind::Incident,
        "SELECT c.id, p.classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM incident_persons c JOIN incidents p ON p.id = c.incident_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::Incident,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM incident_imports WHERE id IN ({ids})",
    ),
    // Comments and assignments carry the labels of the record they are about (`work`).
    (
        ResourceKind::Comment,
        "SELECT c.id, x.classification, x.compartment_id, NULL AS p_classification, NULL AS p_compartment, x.organisation FROM comments c JOIN (SELECT id, classification, compartment_id, NULL AS organisation FROM processes UNION ALL SELECT id, classification, compartment_id, NULL FROM support_requests UNION ALL SELECT id, classification, compartment_id, partner FROM fund_applications UNION ALL SELECT id, classification, compartment_id, NULL FROM alerts UNION ALL SELECT id, classification, compartment_id, NULL FROM incidents UNION ALL SELECT id, classification, compartment_id, NULL FROM evidence_items UNION ALL SELECT id, classification, compartment_id, NULL FROM documents) x ON x.id = c.record_id WHERE c.id IN ({ids})",
    ),
    (
        ResourceKind::Assignment,
        "SELECT c.id, x.classification, x.compartment_id, NULL AS p_classification, NULL AS p_compartment, x.organisation FROM assignments c JOIN (SELECT id, classification, compartment_id, NULL AS organisation FROM processes UNION ALL SELECT id, classification, compartment_id, NULL FROM support_requests UNION ALL SELECT id, classification, compartment_id, partner FROM fund_applications UNION ALL SELECT id, classification, compartment_id, NULL FROM alerts UNION ALL SELECT id, classification, compartment_id, NULL FROM incidents UNION ALL SELECT id, classification, compartment_id, NULL FROM evidence_items UNION ALL SELECT id, classification, compartment_id, NULL FROM documents) x ON x.id = c.record_id WHERE c.id IN ({ids})",
    ),
];

/// What replaces particulars that name a record the reader may not read.
pub const WITHHELD: &str = r#"{"withheld":"names a record above your clearance, outside your compartments or your roles"}"#;

/// Ids of things that carry no labels (accounts, tokens, sessions, jobs' owners, instruments):
/// naming them reveals no labelled record.
const UNLABELLED: &[&str] = &[
    "SELECT id FROM users WHERE id IN ({ids})",
    "SELECT id FROM api_tokens WHERE id IN ({ids})",
    "SELECT id FROM fund_instruments WHERE id IN ({ids})",
    "SELECT id FROM compartments WHERE id IN ({ids})",
    "SELECT id FROM agreement_imports WHERE id IN ({ids})",
];

/// Whether a string has the shape of a record id (a UUID).
pub(crate) fn is_record_id(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

/// Every id inside a text, also where it is part of a longer string (`process/…`).
pub(crate) fn ids_in_text(text: &str, out: &mut BTreeSet<String>) {
    for token in text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
        if token.len() < 36 {
            continue;
        }
        for i in 0..=token.len() - 36 {
            let candidate = &token[i..i + 36];
            if is_record_id(candidate) {
                out.insert(candidate.to_ascii_lowercase());
            }
        }
    }
}

/// What became of ids asked about: labelled records found, and ids known to name nothing
/// labelled (users, tokens, …). Ids in neither were not found (deleted, or never existed).
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub records: HashMap<String, RecordRef>,
    pub unlabelled: BTreeSet<String>,
}

impl Resolved {
    pub(crate) fn is_unlabelled(&self, id: &str) -> bool {
        self.unlabelled.contains(id)
    }
}

fn labels_of(class: i64, compartment: Option<String>) -> Result<Labels> {
    Ok(Labels {
        classification: Classification::from_level(class)?,
        compartment: compartment.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

impl Store {
    /// Resolves ids to the labelled records they name (see [`SOURCES`]).
    pub(crate) async fn record_refs(&self, ids: &BTreeSet<String>) -> Result<Resolved> {
        let mut out = Resolved::default();
        let ids: Vec<&String> = ids.iter().collect();
        for chunk in ids.chunks(400) {
            let params = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            for (kind, sql) in SOURCES {
                let sql = sql.replace("{ids}", &params);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                for row in q.fetch_all(&self.pool).await? {
                    let mut labels = vec![labels_of(
                        row.try_get("classification")?,
                        row.try_get("compartment_id")?,
                    )?];
                    if let Some(pc) = row.try_get::<Option<i64>, _>("p_classification")? {
                        labels.push(labels_of(pc, row.try_get("p_compartment")?)?);
                    }
                    out.records.insert(
                        row.try_get("id")?,
                        RecordRef {
                            kind: *kind,
                            labels,
                            organisation: row.try_get("organisation")?,
                        },
                    );
                }
            }
            for sql in UNLABELLED {
                let sql = sql.replace("{ids}", &params);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                for row in q.fetch_all(&self.pool).await? {
                    out.unlabelled.insert(row.try_get("id")?);
                }
            }
        }
        Ok(out)
    }
}

impl Access {
    /// The linked ids of `kind` the reader may read, in their order; ids of records the reader
    /// may not read — or that name no record of that kind — are dropped. Every DTO that embeds
    /// the ids of other records takes them through here.
    pub(crate) async fn readable_ids(
        &self,
        kind: ResourceKind,
        ids: &[String],
    ) -> Result<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let asked: BTreeSet<String> = ids.iter().cloned().collect();
        let resolved = self.store.record_refs(&asked).await?;
        Ok(ids
            .iter()
            .filter(|id| {
                resolved
                    .records
                    .get(id.as_str())
                    .is_some_and(|r| r.kind == kind && r.readable_by(&self.subject))
            })
            .cloned()
            .collect())
    }

    /// The links a writer submits, plus the stored links of `kind` the writer may not read:
    /// what a reader was never shown stays as it was when she saves.
    pub(crate) async fn with_unreadable_kept(
        &self,
        kind: ResourceKind,
        stored: &[String],
        mut submitted: Vec<String>,
    ) -> Result<Vec<String>> {
        let readable = self.readable_ids(kind, stored).await?;
        for id in stored {
            if !readable.contains(id) && !submitted.contains(id) {
                submitted.push(id.clone());
            }
        }
        Ok(submitted)
    }

    /// Replaces every particulars object (custody event details) that names a record the
    /// reader may not read — or one no longer found, which fails closed — by [`WITHHELD`]. Ids
    /// of unlabelled things (users, tokens) are fine. Details are read as text, so an id inside
    /// a longer string counts too.
    pub(crate) async fn withhold_unreadable_particulars<'a>(
        &self,
        details: impl Iterator<Item = &'a mut String>,
    ) -> Result<()> {
        let details: Vec<(&'a mut String, BTreeSet<String>)> = details
            .map(|d| {
                let mut ids = BTreeSet::new();
                ids_in_text(d, &mut ids);
                (d, ids)
            })
            .collect();
        let all: BTreeSet<String> = details.iter().flat_map(|(_, i)| i.clone()).collect();
        if all.is_empty() {
            return Ok(());
        }
        let resolved = self.store.record_refs(&all).await?;
        for (d, ids) in details {
            let unreadable = ids.iter().any(|id| match resolved.records.get(id) {
                Some(r) => !r.readable_by(&self.subject),
                None => !resolved.is_unlabelled(id),
            });
            if unreadable {
                *d = WITHHELD.to_string();
            }
        }
        Ok(())
    }
}
