//! The list layer: every list of records runs the same skeleton here — the policy's Read right
//! on the kind, the subject's visibility in SQL (for records of a process, the inherited-label
//! rule, [`Where::visible_under_process`]), the caller's filters, the sort, one query for the
//! count and one for the page, the row mapper, the per-row re-check with `decide()` and the
//! audit entry for the listing. A list function describes its list as a [`List`] and hands it
//! to [`Access::list_page`] (paged) or [`Access::list_all`] (the records of one process).

use grotius_domain::process::Process;
use grotius_domain::{Action, Labels, Resource, ResourceKind};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Bind, Where};
use crate::{Access, Page, Result, StoreError};

/// A record a list returns: its id and what the policy re-checks.
pub(crate) trait Listed {
    fn id(&self) -> &str;
    fn labels(&self) -> &Labels;
    /// The resource the per-row re-check asks about (organisation-bound kinds name their
    /// organisation).
    fn resource(&self, kind: ResourceKind) -> Resource<'_> {
        Resource::labelled(kind, self.labels())
    }
}

/// Implements [`Listed`] for records with `id: String` and `labels: Labels` fields.
macro_rules! listed {
    ($($t:ty),* $(,)?) => {
        $(impl crate::list::Listed for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn labels(&self) -> &grotius_domain::Labels {
                &self.labels
            }
        })*
    };
}
pub(crate) use listed;

/// The audit entry of a listing (`<kind>.list`): the ids of the confidential and secret records
/// listed.
#[derive(Debug, Clone)]
enum ListAudit {
    /// No entry (a kind whose reads are not audited).
    Never,
    /// An entry `<kind>.list` on the kind, without an id (the default).
    Kind,
    /// An entry `<kind>.list` on the parent record the list belongs to (a process).
    Parent { kind: &'static str, id: String },
}

/// One list: which records (table, visibility, filters), in what order, which columns, how
/// the listing is audited. Built by [`Access::list`] or [`Access::list_of_process`].
#[derive(Debug)]
pub(crate) struct List {
    kind: ResourceKind,
    /// The action each row is re-checked for (Read).
    action: Action,
    /// `table` or `table alias`.
    from: String,
    columns: String,
    order: String,
    max_limit: i64,
    audit: ListAudit,
    /// The visibility clause and the caller's filters.
    pub(crate) filter: Where,
}

impl List {
    /// The selected columns (for a table with an alias, qualified by it).
    pub(crate) fn columns(mut self, columns: &str) -> List {
        self.columns = columns.to_string();
        self
    }

    /// The `ORDER BY` expression (ending in a unique column, so pages are stable).
    pub(crate) fn order(mut self, order: &str) -> List {
        self.order = order.to_string();
        self
    }

    /// The largest page (500 unless a kind allows more).
    pub(crate) fn max_limit(mut self, max: i64) -> List {
        self.max_limit = max;
        self
    }

    /// Lists without an audit entry.
    pub(crate) fn unaudited(mut self) -> List {
        self.audit = ListAudit::Never;
        self
    }

    /// The clamped page size and offset.
    pub(crate) fn page(&self, limit: i64, offset: i64) -> (i64, i64) {
        (limit.clamp(1, self.max_limit), offset.max(0))
    }
}

impl Access {
    /// Starts a list of `kind` from `table` (with `alias` for its columns, or `""`): asks the
    /// policy for Read on the kind and restricts the rows to the subject's visibility.
    pub(crate) async fn list(&self, kind: ResourceKind, table: &str, alias: &str) -> Result<List> {
        self.authorize(Action::Read, Resource::kind(kind), None)
            .await?;
        let mut filter = Where::default();
        filter.visibility(self, alias);
        Ok(List {
            kind,
            action: Action::Read,
            from: match alias {
                "" => table.to_string(),
                a => format!("{table} {a}"),
            },
            columns: "*".into(),
            order: "id".into(),
            max_limit: 500,
            audit: ListAudit::Kind,
            filter,
        })
    }

    /// Starts a list of the records of `kind` in `table` that belong to processes: the policy
    /// must allow `action` on the kind, and the rows are filtered by the inherited-label rule
    /// ([`Where::visible_under_process`]). Not audited unless narrowed to one process
    /// ([`Access::list_of_process`]).
    pub(crate) async fn list_under_processes(
        &self,
        kind: ResourceKind,
        table: &str,
        action: Action,
    ) -> Result<List> {
        self.authorize(action, Resource::kind(kind), None).await?;
        let mut filter = Where::default();
        filter.visible_under_process(self, table);
        Ok(List {
            kind,
            action: Action::Read,
            from: table.to_string(),
            columns: "*".into(),
            order: "id".into(),
            max_limit: 500,
            audit: ListAudit::Never,
            filter,
        })
    }

    /// Starts the list of the records of `kind` in `table` that belong to `process` (which the
    /// caller has read, so it is visible): [`Access::list_under_processes`] narrowed to it, the
    /// listing audited as `<kind>.list` on the process.
    pub(crate) async fn list_of_process(
        &self,
        kind: ResourceKind,
        table: &str,
        process: &Process,
        action: Action,
    ) -> Result<List> {
        let mut list = self.list_under_processes(kind, table, action).await?;
        list.filter.push(
            &format!("{table}.process_id = ?"),
            Bind::Text(process.id.clone()),
        );
        list.audit = ListAudit::Parent {
            kind: "process",
            id: process.id.clone(),
        };
        Ok(list)
    }

    /// Counts and fetches one page, re-checks each row and audits the listing.
    pub(crate) async fn list_page<T: Listed>(
        &self,
        list: List,
        limit: i64,
        offset: i64,
        map: impl Fn(&AnyRow) -> Result<T>,
    ) -> Result<Page<T>> {
        let page = self.fetch_page(&list, limit, offset, map).await?;
        self.audit_list(&list, &page.items).await?;
        Ok(page)
    }

    /// Every row of the list (the records of one process), re-checked, the listing audited.
    pub(crate) async fn list_all<T: Listed>(
        &self,
        list: List,
        map: impl Fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let items = self.fetch_rows(&list, None, map).await?;
        self.audit_list(&list, &items).await?;
        Ok(items)
    }

    /// [`Access::list_page`] without the audit entry, for lists that complete their items
    /// (hide links the reader may not follow) before [`Access::audit_list`].
    pub(crate) async fn fetch_page<T: Listed>(
        &self,
        list: &List,
        limit: i64,
        offset: i64,
        map: impl Fn(&AnyRow) -> Result<T>,
    ) -> Result<Page<T>> {
        let (limit, offset) = list.page(limit, offset);
        let total: i64 = list
            .filter
            .query(format!(
                "SELECT COUNT(*) AS n FROM {}{}",
                list.from,
                list.filter.sql()
            ))
            .fetch_one(&self.store.pool)
            .await?
            .try_get("n")?;
        let items = self.fetch_rows(list, Some((limit, offset)), map).await?;
        Ok(Page {
            items,
            total,
            limit,
            offset,
        })
    }

    /// The rows of the list (one page of an already clamped size, or all), mapped and
    /// re-checked with the policy engine: a row the SQL filter returned that the policy denies
    /// fails the request instead of leaking.
    pub(crate) async fn fetch_rows<T: Listed>(
        &self,
        list: &List,
        page: Option<(i64, i64)>,
        map: impl Fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let page = match page {
            Some((limit, offset)) => format!(" LIMIT {limit} OFFSET {offset}"),
            None => String::new(),
        };
        let rows = list
            .filter
            .query(format!(
                "SELECT {} FROM {}{} ORDER BY {}{page}",
                list.columns,
                list.from,
                list.filter.sql(),
                list.order
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let item = map(row)?;
            if !self.may(list.action, item.resource(list.kind)) {
                return Err(StoreError::Integrity(format!(
                    "visibility filter returned {} {} that the policy denies",
                    list.kind.as_str(),
                    item.id()
                )));
            }
            items.push(item);
        }
        Ok(items)
    }

    /// Audits the listing of confidential and secret records (by id), as the list says.
    pub(crate) async fn audit_list<T: Listed>(&self, list: &List, items: &[T]) -> Result<()> {
        let (kind, id) = match &list.audit {
            ListAudit::Never => return Ok(()),
            ListAudit::Kind => (list.kind.as_str(), ""),
            ListAudit::Parent { kind, id } => (*kind, id.as_str()),
        };
        let action = format!("{}.list", list.kind.as_str());
        let audited: Vec<&str> = items
            .iter()
            .filter(|i| i.labels().classification.read_is_audited())
            .map(|i| i.id())
            .collect();
        if !audited.is_empty() {
            let detail = serde_json::json!({ "listed": audited }).to_string();
            self.audit_now(&action, kind, id, "ok", &detail).await?;
        }
        Ok(())
    }
}
