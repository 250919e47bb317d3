//! The search service: each app node keeps its own full-text index (`DATA/index/`, derived
//! data) and follows the change feed before answering, so several nodes on one PostgreSQL each
//! stay current without coordination.
//!
//! *Invariant — the system reader.* Indexing must read every record whatever its labels, so the
//! loaders here (`search_docs`, and `document_search_docs` in `document/`) read the database
//! without a subject. They are private to the crate and return only the *indexable view* of a
//! record: its stored fields are the columns kept in plaintext, never a column encrypted at rest
//! (notes, debrief narratives). The one exception is a document's extracted text, which is the
//! thing people search: it goes into `private_body`, which the index analyses into terms and
//! never stores — the index holds terms of encrypted text, never its readable text; a document
//! hit's snippet is made from the decrypted text after the per-hit re-check. The only ways out
//! of this module are [`Access::search`], [`Access::search_similar`] and
//! [`Access::search_suggest`], which run every query inside the subject's scope (hits are
//! re-checked with `decide()`), and [`Store::reindex_search`] (command line), which returns counts.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use grotius_domain::{
    Action, Classification, CompartmentId, Decision, Labels, Resource, ResourceKind, decide,
};
use grotius_search::{
    Change, Hit, Position, SOURCES, Scope, SearchDoc, SearchError, SearchIndex, SearchRequest,
    SearchResults,
};
use sqlx::Row;

use crate::{Access, Result, Store, StoreError};

/// Rows of a search export at most (the first hits in the order asked).
pub const SEARCH_EXPORT_ROWS: usize = 1_000;

/// A change-feed gap younger than this may be a transaction that has not committed yet
/// (PostgreSQL hands out sequence numbers before commit): the watermark waits for it. Older
/// gaps are rolled-back transactions.
const GAP_GRACE_MICROS: i64 = 30_000_000;

/// The index of this node, opened on first use.
#[derive(Default)]
pub(crate) struct SearchState {
    pub(crate) dir: PathBuf,
    index: Option<Arc<SearchIndex>>,
    instance: Option<String>,
}

impl SearchState {
    pub(crate) fn new(dir: PathBuf) -> SearchState {
        SearchState {
            dir,
            index: None,
            instance: None,
        }
    }
}

fn search_err(e: SearchError) -> StoreError {
    match e {
        SearchError::Recheck => StoreError::Integrity(e.to_string()),
        other => StoreError::Config(other.to_string()),
    }
}

/// What `grotius reindex` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReindexReport {
    pub documents: u64,
    pub seq: i64,
    pub dir: PathBuf,
}

use crate::db::json_list as list;

fn labels_at(row: &sqlx::any::AnyRow, prefix: &str) -> Result<Labels> {
    let comp: Option<String> = row.try_get(format!("{prefix}compartment_id").as_str())?;
    Ok(Labels {
        classification: Classification::from_level(
            row.try_get(format!("{prefix}classification").as_str())?,
        )?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year and Unix micros of an ISO date ("2019-03-14"); `None` when it is not one.
pub(crate) fn iso_date(s: &str) -> Option<(u64, i64)> {
    let mut parts = s.get(..10)?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    Some((
        u64::try_from(y).ok()?,
        days_from_civil(y, m, d) * 86_400_000_000,
    ))
}

/// The year of Unix micros.
fn year_of_micros(us: i64) -> u64 {
    let days = us.div_euclid(86_400_000_000);
    // Civil from days (Howard Hinnant), year only.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    u64::try_from(y).unwrap_or(0)
}

const PROCESS_SQL: &str = "SELECT id, title, codename, countries, themes, summary, classification, compartment_id, created_at FROM processes";
const ENGAGEMENT_SQL: &str = "SELECT e.id, e.process_id, e.date, e.kind, e.place, e.summary, e.classification, e.compartment_id,
        p.countries, p.themes, p.classification AS p_classification, p.compartment_id AS p_compartment_id
    FROM engagements e JOIN processes p ON p.id = e.process_id";
const ACTOR_SQL: &str = "SELECT id, name, kind, category, country, description, classification, compartment_id, created_at FROM actors";
const DEBRIEF_SQL: &str =
    "SELECT d.id, d.process_id, d.moment, d.date, d.case_title, d.dutch_role, d.parties, d.themes,
        d.classification, d.compartment_id, p.countries, p.classification AS p_classification,
        p.compartment_id AS p_compartment_id
    FROM debriefs d JOIN processes p ON p.id = d.process_id";
const AGREEMENT_SQL: &str =
    "SELECT id, name, date, year, country_text, countries, region, agreement_type, stage,
        status, conflict_type, peace_process, parties, third_parties, women, water, human_rights,
        transitional_justice, classification, compartment_id FROM agreements";

/// The unit's themes of a PA-X agreement, from its provision facets: water → water,
/// women/gender → wps, transitional justice and human rights → rule-of-law.
fn agreement_themes(r: &sqlx::any::AnyRow) -> Result<Vec<String>> {
    let mut themes = Vec::new();
    let on = |c: &str| -> Result<bool> { Ok(r.try_get::<i64, _>(c)? == 1) };
    if on("water")? {
        themes.push("water".to_string());
    }
    if on("women")? {
        themes.push("wps".to_string());
    }
    if on("transitional_justice")? || on("human_rights")? {
        themes.push("rule-of-law".to_string());
    }
    Ok(themes)
}

/// Incidents: only plaintext columns (never the encrypted description, never identities).
const INCIDENT_SQL: &str = "SELECT id, title, date, year, place, admin_area, country, context, violations, classification, compartment_id FROM incidents";

impl Store {
    /// The system reader of the index: the indexable view of every record of `kind`, or of the
    /// one with `id`. Private to this module (see the invariant above).
    async fn search_docs(&self, kind: ResourceKind, id: Option<&str>) -> Result<Vec<SearchDoc>> {
        let (base, by_id) = match kind {
            ResourceKind::Process => (PROCESS_SQL, " WHERE id = $1"),
            ResourceKind::Engagement => (ENGAGEMENT_SQL, " WHERE e.id = $1"),
            ResourceKind::Actor => (ACTOR_SQL, " WHERE id = $1"),
            ResourceKind::Debrief => (DEBRIEF_SQL, " WHERE d.id = $1"),
            ResourceKind::Document => return self.document_search_docs(id).await,
            ResourceKind::Incident => (INCIDENT_SQL, " WHERE id = $1"),
            ResourceKind::Agreement => (AGREEMENT_SQL, " WHERE id = $1"),
            _ => return Ok(Vec::new()),
        };
        let rows = match id {
            Some(id) => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{base}{by_id}")))
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => sqlx::query(base).fetch_all(&self.pool).await?,
        };
        rows.iter().map(|r| doc_of(kind, r)).collect()
    }

    /// Ids of the engagements and debriefs of a process: they carry its countries and themes.
    async fn search_children(&self, process_id: &str) -> Result<Vec<(ResourceKind, String)>> {
        let mut out = Vec::new();
        for (kind, sql) in [
            (
                ResourceKind::Engagement,
                "SELECT id FROM engagements WHERE process_id = $1",
            ),
            (
                ResourceKind::Debrief,
                "SELECT id FROM debriefs WHERE process_id = $1",
            ),
        ] {
            let ids: Vec<String> = sqlx::query_scalar(sql)
                .bind(process_id)
                .fetch_all(&self.pool)
                .await?;
            out.extend(ids.into_iter().map(|i| (kind, i)));
        }
        Ok(out)
    }

    async fn search_feed_head(&self) -> Result<(String, i64)> {
        let instance: String = sqlx::query_scalar("SELECT instance_id FROM instance WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM change_feed")
            .fetch_one(&self.pool)
            .await?;
        Ok((instance, max.unwrap_or(0)))
    }

    async fn search_rebuild(&self, index: &SearchIndex, instance: &str, seq: i64) -> Result<u64> {
        let mut docs = Vec::new();
        for s in SOURCES {
            docs.extend(self.search_docs(s.kind, None).await?);
        }
        let n = docs.len() as u64;
        index
            .rebuild(
                docs,
                &Position {
                    instance: instance.to_string(),
                    seq,
                },
            )
            .map_err(search_err)?;
        index
            .merge_into(SearchIndex::search_threads())
            .map_err(search_err)?;
        Ok(n)
    }

    /// Brings this node's index up to the change feed and returns it.
    pub(crate) async fn search_current(&self) -> Result<Arc<SearchIndex>> {
        let mut state = self.search.lock().await;
        let index = match &state.index {
            Some(i) => i.clone(),
            None => {
                let i = Arc::new(SearchIndex::open(&state.dir).map_err(search_err)?);
                state.index = Some(i.clone());
                i
            }
        };
        let (instance, head) = self.search_feed_head().await?;
        state.instance = Some(instance.clone());
        let at = index.position().map_err(search_err)?;
        match at {
            Some(p) if p.instance == instance && p.seq <= head => {
                if p.seq < head {
                    self.search_follow(&index, &instance, p.seq).await?;
                } else {
                    index.refresh().map_err(search_err)?;
                }
            }
            // A new index, another database, or a feed that went back (a restored backup).
            _ => {
                self.search_rebuild(&index, &instance, head).await?;
            }
        }
        Ok(index)
    }

    /// Applies the feed entries after `from`. Each entry re-reads the record's current state
    /// (or finds it gone), so applying an entry twice or out of order is harmless.
    async fn search_follow(&self, index: &SearchIndex, instance: &str, from: i64) -> Result<()> {
        let rows = sqlx::query(
            "SELECT seq, resource_kind, resource_id, at FROM change_feed WHERE seq > $1 ORDER BY seq LIMIT 10000",
        )
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        let now = grotius_security::now_micros();
        let mut watermark = from;
        let mut waiting = false;
        let mut touched: BTreeSet<(&'static str, String)> = BTreeSet::new();
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            let at: i64 = r.try_get("at")?;
            if !waiting {
                if seq == watermark + 1 || now - at > GAP_GRACE_MICROS {
                    watermark = seq;
                } else {
                    waiting = true;
                }
            }
            let kind: String = r.try_get("resource_kind")?;
            let id: String = r.try_get("resource_id")?;
            if let Some(src) = grotius_search::source(&kind) {
                if src.kind == ResourceKind::Process {
                    touched.extend(
                        self.search_children(&id)
                            .await?
                            .into_iter()
                            .map(|(k, i)| (k.as_str(), i)),
                    );
                }
                touched.insert((src.kind.as_str(), id));
            }
        }
        let mut changes = Vec::with_capacity(touched.len());
        let mut upserts = Vec::new();
        for (kind, id) in touched {
            let Some(kind) = grotius_search::source(kind).map(|s| s.kind) else {
                continue;
            };
            match self.search_docs(kind, Some(&id)).await?.pop() {
                Some(doc) => upserts.push(Change::Upsert(doc)),
                None => {
                    if kind == ResourceKind::Process {
                        // Its engagements went with it (ON DELETE CASCADE, no feed entries).
                        changes.push(Change::DeleteChildren { parent: id.clone() });
                    }
                    changes.push(Change::Delete { kind, id });
                }
            }
        }
        changes.extend(upserts);
        index
            .apply(
                &changes,
                &Position {
                    instance: instance.to_string(),
                    seq: watermark,
                },
            )
            .map_err(search_err)
    }

    /// Rebuilds this node's index from the database (`grotius reindex`).
    pub async fn reindex_search(&self) -> Result<ReindexReport> {
        let mut state = self.search.lock().await;
        let index = match &state.index {
            Some(i) => i.clone(),
            None => {
                let i = Arc::new(SearchIndex::open(&state.dir).map_err(search_err)?);
                state.index = Some(i.clone());
                i
            }
        };
        let (instance, head) = self.search_feed_head().await?;
        let documents = self.search_rebuild(&index, &instance, head).await?;
        Ok(ReindexReport {
            documents,
            seq: head,
            dir: state.dir.clone(),
        })
    }
}

fn doc_of(kind: ResourceKind, r: &sqlx::any::AnyRow) -> Result<SearchDoc> {
    let id: String = r.try_get("id")?;
    Ok(match kind {
        ResourceKind::Process => {
            let created: i64 = r.try_get("created_at")?;
            let codename: Option<String> = r.try_get("codename")?;
            let summary: String = r.try_get("summary")?;
            SearchDoc {
                kind,
                parent: String::new(),
                title: r.try_get("title")?,
                body: match codename {
                    Some(c) if !c.is_empty() => format!("{summary}\n{c}"),
                    _ => summary,
                },
                private_body: String::new(),
                lang: None,
                countries: list(&r.try_get::<String, _>("countries")?),
                year: Some(year_of_micros(created)),
                date: created,
                themes: list(&r.try_get::<String, _>("themes")?),
                labels: labels_at(r, "")?,
                id,
            }
        }
        ResourceKind::Engagement => {
            let date: String = r.try_get("date")?;
            let (year, micros) = iso_date(&date).map_or((None, 0), |(y, m)| (Some(y), m));
            let kind_s: String = r.try_get("kind")?;
            let place: String = r.try_get("place")?;
            SearchDoc {
                kind,
                parent: r.try_get("process_id")?,
                title: format!("{kind_s} — {place}, {date}"),
                body: r.try_get("summary")?,
                private_body: String::new(),
                lang: None,
                countries: list(&r.try_get::<String, _>("countries")?),
                year,
                date: micros,
                themes: list(&r.try_get::<String, _>("themes")?),
                labels: labels_at(r, "")?.under(&labels_at(r, "p_")?),
                id,
            }
        }
        ResourceKind::Actor => {
            let created: i64 = r.try_get("created_at")?;
            let country: Option<String> = r.try_get("country")?;
            SearchDoc {
                kind,
                parent: String::new(),
                title: r.try_get("name")?,
                body: r.try_get("description")?,
                private_body: String::new(),
                lang: None,
                countries: country.into_iter().filter(|c| !c.is_empty()).collect(),
                year: None,
                date: created,
                themes: Vec::new(),
                labels: labels_at(r, "")?,
                id,
            }
        }
        ResourceKind::Incident => {
            let date: String = r.try_get("date")?;
            let year: i64 = r.try_get("year")?;
            let micros =
                iso_date(&date).map_or(days_from_civil(year, 1, 1) * 86_400_000_000, |(_, m)| m);
            let country: Option<String> = r.try_get("country")?;
            let place: String = r.try_get("place")?;
            let admin: String = r.try_get("admin_area")?;
            let context: String = r.try_get("context")?;
            let violations: String = r.try_get("violations")?;
            SearchDoc {
                kind,
                parent: String::new(),
                title: r.try_get("title")?,
                body: format!(
                    "{context}. {place}, {admin}. {}",
                    violations.trim_matches('|').replace(['|', '-'], " ")
                ),
                private_body: String::new(),
                lang: None,
                countries: country.into_iter().filter(|c| !c.is_empty()).collect(),
                year: u64::try_from(year).ok(),
                date: micros,
                themes: Vec::new(),
                labels: labels_at(r, "")?,
                id,
            }
        }
        ResourceKind::Agreement => {
            // Public PA-X data: the name and every descriptive text column (PA-X ships no
            // agreement text), the countries, the year and the themes of its provisions.
            let date: String = r.try_get("date")?;
            let micros = iso_date(&date).map_or(0, |(_, m)| m);
            let year: i64 = r.try_get("year")?;
            let text = |c: &str| -> Result<String> { Ok(r.try_get::<String, _>(c)?) };
            let body = [
                text("peace_process")?,
                text("country_text")?,
                text("region")?,
                text("agreement_type")?,
                text("stage")?,
                text("status")?,
                text("conflict_type")?,
                text("parties")?,
                text("third_parties")?,
            ]
            .into_iter()
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>()
            .join(". ");
            SearchDoc {
                kind,
                parent: String::new(),
                title: r.try_get("name")?,
                body,
                private_body: String::new(),
                lang: Some(grotius_search::Lang::En),
                countries: list(&r.try_get::<String, _>("countries")?),
                year: u64::try_from(year).ok(),
                date: micros,
                themes: agreement_themes(r)?,
                labels: labels_at(r, "")?,
                id,
            }
        }
        _ => {
            // Debriefs: only the plaintext columns; the narrative fields are encrypted.
            let date: String = r.try_get("date")?;
            let (year, micros) = iso_date(&date).map_or((None, 0), |(y, m)| (Some(y), m));
            let moment: String = r.try_get("moment")?;
            let parties = list(&r.try_get::<String, _>("parties")?).join(", ");
            let role: String = r.try_get("dutch_role")?;
            SearchDoc {
                kind,
                parent: r.try_get("process_id")?,
                title: r.try_get("case_title")?,
                body: format!("{moment}, {date}. {parties}. {role}"),
                private_body: String::new(),
                lang: None,
                countries: list(&r.try_get::<String, _>("countries")?),
                year,
                date: micros,
                themes: list(&r.try_get::<String, _>("themes")?),
                labels: labels_at(r, "")?.under(&labels_at(r, "p_")?),
                id,
            }
        }
    })
}

impl Access {
    /// Re-checks every hit with the policy engine; a hit the scope let through but `decide()`
    /// refuses means the index and the policy disagree: fail closed, answer nothing.
    fn search_recheck(&self, hits: &[Hit]) -> Result<()> {
        for h in hits {
            let allowed = decide(
                &self.subject,
                Action::Read,
                Resource::labelled(h.kind, &h.labels),
            ) == Decision::Allow;
            if !allowed {
                tracing::error!(
                    kind = h.kind.as_str(),
                    "search hit refused by the policy re-check"
                );
                return Err(search_err(SearchError::Recheck));
            }
        }
        Ok(())
    }

    /// Audits a search that showed confidential or secret records (their ids, not the query).
    async fn search_audit(&self, hits: &[Hit]) -> Result<()> {
        let shown: Vec<String> = hits
            .iter()
            .filter(|h| h.labels.classification >= Classification::Confidential)
            .map(|h| format!("{}/{}", h.kind.as_str(), h.id))
            .collect();
        if !shown.is_empty() {
            let detail = serde_json::json!({ "shown": shown }).to_string();
            self.audit_now("search.read", "search", "-", "ok", &detail)
                .await?;
        }
        Ok(())
    }

    /// Full-text search over every source the subject may read. Hits, total, facet counts and
    /// snippets are computed only over records the subject may read.
    pub async fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let index = self.store.search_current().await?;
        let scope = Scope::for_subject(&self.subject);
        let results = index.search(&scope, req).map_err(search_err)?;
        self.search_recheck(&results.hits)?;
        let mut results = results;
        for h in results
            .hits
            .iter_mut()
            .filter(|h| h.kind == ResourceKind::Document)
        {
            // After the re-check: the snippet comes from the decrypted text.
            h.snippet = self.document_snippet(&index, &req.q, &h.id).await?;
        }
        self.search_audit(&results.hits).await?;
        Ok(results)
    }

    /// Whether the subject may export search hits: Export on some kind the index holds.
    pub fn may_export_search(&self) -> bool {
        SOURCES
            .iter()
            .any(|s| self.may(Action::Export, Resource::kind(s.kind)))
    }

    /// The hits of a search as CSV — kind, title, address, relevance and snippet — the first
    /// [`SEARCH_EXPORT_ROWS`] in the order asked, only of records the subject may export (Export
    /// on each hit's labels; refused when it may export none of the kinds the index holds).
    /// Audited `search.export` with the number of rows and the confidential or secret records in
    /// it.
    pub async fn search_export_csv(&self, q: &str, sort: grotius_search::Sort) -> Result<String> {
        if let Some(first) = SOURCES.first()
            && !self.may_export_search()
        {
            self.authorize(Action::Export, Resource::kind(first.kind), None)
                .await?;
        }
        let index = self.store.search_current().await?;
        let scope = Scope::for_subject(&self.subject);
        let req = SearchRequest {
            q: q.to_string(),
            limit: SEARCH_EXPORT_ROWS,
            offset: 0,
            sort,
        };
        let mut results = index.search(&scope, &req).map_err(search_err)?;
        self.search_recheck(&results.hits)?;
        results
            .hits
            .retain(|h| self.may(Action::Export, Resource::labelled(h.kind, &h.labels)));
        for h in results
            .hits
            .iter_mut()
            .filter(|h| h.kind == ResourceKind::Document)
        {
            h.snippet = self.document_snippet(&index, &req.q, &h.id).await?;
        }
        let mut out = String::from("kind,title,url,relevance,snippet,classification\n");
        for h in &results.hits {
            let cells = [
                h.kind.as_str().to_string(),
                h.title.clone(),
                h.url.clone(),
                format!("{:.3}", h.score),
                h.snippet.text.clone(),
                h.labels.classification.as_str().to_string(),
            ];
            let line: Vec<String> = cells.iter().map(|c| crate::incident::csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        let shown: Vec<String> = results
            .hits
            .iter()
            .filter(|h| h.labels.classification >= Classification::Confidential)
            .map(|h| format!("{}/{}", h.kind.as_str(), h.id))
            .collect();
        let detail = serde_json::json!({ "rows": results.hits.len(), "shown": shown }).to_string();
        self.audit_now("search.export", "search", "-", "ok", &detail)
            .await?;
        Ok(out)
    }

    /// Completions of the query typed so far, taken only from titles of records the subject may
    /// read (the scope is inside the query that finds them).
    pub async fn search_suggest(&self, q: &str, limit: usize) -> Result<Vec<String>> {
        let index = self.store.search_current().await?;
        let scope = Scope::for_subject(&self.subject);
        index.suggest(&scope, q, limit).map_err(search_err)
    }

    /// Records like `kind`/`id`, among those the subject may read; not found when the record
    /// itself is not readable.
    pub async fn search_similar(&self, kind: &str, id: &str, limit: usize) -> Result<Vec<Hit>> {
        let src = grotius_search::source(kind).ok_or(StoreError::NotFound)?;
        let index = self.store.search_current().await?;
        let scope = Scope::for_subject(&self.subject);
        // A document's text is not stored in the index: its terms come from the decrypted
        // text (only when the subject may read the document; `similar` checks the scope too).
        let text = match src.kind {
            ResourceKind::Document => self
                .readable_document_text(id)
                .await?
                .map(|(_, t)| t)
                .unwrap_or_default(),
            _ => String::new(),
        };
        let hits = index
            .similar(&scope, src.kind, id, &text, limit)
            .map_err(search_err)?
            .ok_or(StoreError::NotFound)?;
        self.search_recheck(&hits)?;
        self.search_audit(&hits).await?;
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso_date("2019-03-14").map(|d| d.0), Some(2019));
        assert_eq!(year_of_micros(0), 1970);
        let (_, us) = iso_date("2024-02-29").unwrap_or_default();
        assert_eq!(year_of_micros(us), 2024);
        assert_eq!(iso_date("nope"), None);
    }
}
