//! The get layer, counterpart of the list layer for one record: fetch the row by id, answer
//! "not found" the same way everywhere (after asking the policy for Read on the kind, so a role
//! without the kind learns it is forbidden, as for lists), decode it and check the action on the
//! record's own labels (a denial on an existing record is audited by [`Access::authorize`]).

use grotius_domain::{Action, Resource, ResourceKind};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::list::Listed;
use crate::process::record_change;
use crate::{Access, Result, StoreError};

impl Access {
    /// The row `sql` selects with `id` bound to `$1`, or not found (see the module).
    pub(crate) async fn fetch_row(
        &self,
        kind: ResourceKind,
        sql: String,
        id: &str,
    ) -> Result<AnyRow> {
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.store.pool)
            .await?;
        match row {
            Some(row) => Ok(row),
            None => self.missing(kind).await,
        }
    }

    /// The answer for a record of `kind` that does not exist: forbidden for a role without Read
    /// on the kind, not found for everybody else.
    pub(crate) async fn missing<T>(&self, kind: ResourceKind) -> Result<T> {
        self.authorize(Action::Read, Resource::kind(kind), None)
            .await?;
        Err(StoreError::NotFound)
    }

    /// The record `sql` selects with `id`, decoded by `decode`, if the subject may perform
    /// `action` on it; not found otherwise.
    pub(crate) async fn get_checked<T: Listed>(
        &self,
        kind: ResourceKind,
        action: Action,
        sql: String,
        id: &str,
        decode: impl FnOnce(&AnyRow) -> Result<T>,
    ) -> Result<T> {
        let row = self.fetch_row(kind, sql, id).await?;
        let record = decode(&row)?;
        self.authorize(action, record.resource(kind), Some(id))
            .await?;
        Ok(record)
    }
}

impl Access {
    /// Deletes the row `id` of `table` in the transaction, feeds the change to the search index
    /// and audits `<kind>.delete` with `detail` — after the caller has checked Delete on it.
    pub(crate) async fn delete_row(
        &self,
        conn: &mut AnyConnection,
        table: &'static str,
        kind: &str,
        id: &str,
        detail: &str,
    ) -> Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE id = $1"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
        record_change(&mut *conn, kind, id, "delete").await?;
        let action = format!("{kind}.delete");
        self.audit_in(conn, &action, kind, id, "ok", detail).await?;
        Ok(())
    }
}
