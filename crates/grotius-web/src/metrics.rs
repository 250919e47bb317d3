//! `/healthz` and `/metrics` (Prometheus text format), and the layer that counts requests.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Request counters by (method, route, status) and latency sums by route.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, (f64, u64)>>,
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    if let Ok(mut m) = state.metrics.requests.lock() {
        *m.entry((method, route.clone(), status)).or_default() += 1;
    }
    if let Ok(mut l) = state.metrics.latency.lock() {
        let e = l.entry(route).or_default();
        e.0 += secs;
        e.1 += 1;
    }
    res
}

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.health().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub async fn prometheus(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP grotius_http_requests_total HTTP requests by method, route and status.\n");
    out.push_str("# TYPE grotius_http_requests_total counter\n");
    if let Ok(m) = state.metrics.requests.lock() {
        for ((method, route, status), n) in m.iter() {
            out.push_str(&format!(
                "grotius_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}\n",
                esc(method),
                esc(route)
            ));
        }
    }
    out.push_str(
        "# HELP grotius_http_request_duration_seconds Time spent answering requests, by route.\n",
    );
    out.push_str("# TYPE grotius_http_request_duration_seconds summary\n");
    if let Ok(l) = state.metrics.latency.lock() {
        for (route, (sum, count)) in l.iter() {
            out.push_str(&format!(
                "grotius_http_request_duration_seconds_sum{{route=\"{}\"}} {sum}\n",
                esc(route)
            ));
            out.push_str(&format!(
                "grotius_http_request_duration_seconds_count{{route=\"{}\"}} {count}\n",
                esc(route)
            ));
        }
    }
    out.push_str("# HELP grotius_up_seconds Seconds since the server started.\n# TYPE grotius_up_seconds gauge\n");
    out.push_str(&format!(
        "grotius_up_seconds {}\n",
        state.started.elapsed().as_secs_f64()
    ));
    let db_up = i32::from(state.store.health().await.is_ok());
    out.push_str("# HELP grotius_database_up 1 when the database answers.\n# TYPE grotius_database_up gauge\n");
    out.push_str(&format!("grotius_database_up {db_up}\n"));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
