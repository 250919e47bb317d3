//! The audit log for auditors: browse with filters, export as CSV.

use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::AuditFilter;
use maud::html;
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::t;
use crate::ui::{fmt_micros, page as shell, parse_date_micros, store_error};

const PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    kind: Option<String>,
    id: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
    offset: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor: self.actor.clone(),
            action: self.action.clone(),
            resource_kind: self.kind.clone(),
            resource_id: self.id.clone(),
            outcome: self.outcome.clone(),
            from: self.from.as_deref().and_then(parse_date_micros),
            // "until" a date includes that whole day.
            to: self
                .to
                .as_deref()
                .and_then(parse_date_micros)
                .map(|m| m + 86_400_000_000),
        }
    }

    fn query_string(&self) -> String {
        let f = |v: &Option<String>| url_encode(v.as_deref().unwrap_or(""));
        format!(
            "actor={}&action={}&kind={}&id={}&outcome={}&from={}&to={}",
            f(&self.actor),
            f(&self.action),
            f(&self.kind),
            f(&self.id),
            f(&self.outcome),
            f(&self.from),
            f(&self.to)
        )
    }
}

pub async fn page(v: Viewer, Query(q): Query<AuditQuery>) -> Response {
    let l = v.lang;
    let offset = q.offset.unwrap_or(0).max(0);
    let log = match v.access.audit_log(&q.filter(), PAGE, offset).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let val = |o: &Option<String>| o.clone().unwrap_or_default();
    let content = html! {
        h1 { (t(l, "audit.title")) }
        p.muted { (t(l, "audit.help")) }
        form.filters method="get" action="/audit" {
            label for="actor" { (t(l, "audit.actor")) input #actor type="text" name="actor" value=(val(&q.actor)); }
            label for="action" { (t(l, "audit.action")) input #action type="text" name="action" value=(val(&q.action)) placeholder="process."; }
            label for="kind" { (t(l, "audit.resource")) input #kind type="text" name="kind" value=(val(&q.kind)) placeholder="process"; }
            label for="outcome" { (t(l, "audit.outcome"))
                select #outcome name="outcome" { @for o in ["", "ok", "denied", "failed"] { option value=(o) selected[q.outcome.as_deref() == Some(o)] { (if o.is_empty() { t(l, "proc.any") } else { o }) } } }
            }
            label for="from" { (t(l, "audit.from")) input #from type="date" name="from" value=(val(&q.from)); }
            label for="to" { (t(l, "audit.to")) input #to type="date" name="to" value=(val(&q.to)); }
            button type="submit" { (t(l, "proc.filter")) }
            a href={ "/audit.csv?" (q.query_string()) } { (t(l, "audit.export")) }
        }
        table {
            thead { tr { th { (t(l, "audit.seq")) } th { (t(l, "audit.at")) } th { (t(l, "audit.actor")) } th { (t(l, "audit.action")) } th { (t(l, "audit.resource")) } th { (t(l, "audit.outcome")) } th { (t(l, "audit.detail")) } } }
            tbody { @for e in &log.items { tr {
                td { (e.record.seq) } td { (fmt_micros(e.record.at_micros)) } td { (e.record.actor_name) } td { code { (e.record.action) } }
                td { (e.record.resource_kind) " " code { (e.record.resource_id) } } td { (e.record.outcome) }
                td { pre.detail { (e.record.detail) } }
            } } }
        }
        div.pager {
            @if offset > 0 { a href={ "/audit?" (q.query_string()) "&offset=" ((offset - PAGE).max(0)) } rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + log.items.len() as i64) " " (t(l, "pager.of")) " " (log.total) }
            @if offset + PAGE < log.total { a href={ "/audit?" (q.query_string()) "&offset=" (offset + PAGE) } rel="next" { (t(l, "pager.next")) } }
        }
    };
    shell(&v, t(l, "audit.title"), content)
}

fn csv_field(s: &str) -> String {
    // Quote every field; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// CSV of the filtered log (up to 100,000 entries), HXL-tagged; the export itself is audited.
pub async fn export_csv(v: Viewer, Query(q): Query<AuditQuery>) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Export, Resource::kind(ResourceKind::AuditLog))
        .await
    {
        return store_error(l, e);
    }
    let mut out =
        String::from("seq,at_utc,actor,action,resource_kind,resource_id,outcome,detail,hash\n");
    out.push_str("#meta +seq,#date +utc,#contact +name,#activity +code,#meta +type,#meta +id,#status,#description,#meta +hash\n");
    let filter = q.filter();
    let mut offset = 0;
    let mut n = 0;
    while n < 100_000 {
        let page = match v.access.audit_log(&filter, 500, offset).await {
            Ok(p) => p,
            Err(e) => return store_error(l, e),
        };
        if page.items.is_empty() {
            break;
        }
        for e in &page.items {
            let r = &e.record;
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                r.seq,
                csv_field(&fmt_micros(r.at_micros)),
                csv_field(&r.actor_name),
                csv_field(&r.action),
                csv_field(&r.resource_kind),
                csv_field(&r.resource_id),
                csv_field(&r.outcome),
                csv_field(&r.detail),
                csv_field(&e.hash)
            ));
        }
        n += page.items.len();
        offset += page.items.len() as i64;
    }
    if let Err(e) = v
        .access
        .record_event(
            "audit-log.export",
            "audit-log",
            "",
            &serde_json::json!({"rows": n}).to_string(),
        )
        .await
    {
        return store_error(l, e);
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"grotius-audit.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}
