//! `/healthz` and `/metrics` (Prometheus text format), and the layer that counts requests.
//!
//! `/metrics` tells who uses which route how often and how slowly: it is served only to a
//! connection from a configured address range (default: loopback) that no proxy forwarded, or to
//! a request carrying the configured metrics token (`Authorization: Bearer …`).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
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

/// A range of client addresses in CIDR notation (`10.0.0.0/8`, `::1/128`; a bare address is
/// the range of that one address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressRangeError {
    #[error("{0:?} is not an IP address (expected e.g. 10.0.0.0/8 or ::1/128)")]
    Address(String),
    #[error("{0:?} is not a prefix length of {1} (0 to {2})")]
    Prefix(String, &'static str, u8),
}

impl AddressRange {
    pub const fn new_v4(a: Ipv4Addr, prefix: u8) -> AddressRange {
        AddressRange {
            network: IpAddr::V4(a),
            prefix,
        }
    }

    pub const fn new_v6(a: Ipv6Addr, prefix: u8) -> AddressRange {
        AddressRange {
            network: IpAddr::V6(a),
            prefix,
        }
    }

    /// The loopback ranges (127.0.0.0/8 and ::1/128).
    pub fn loopback() -> Vec<AddressRange> {
        vec![
            AddressRange::new_v4(Ipv4Addr::new(127, 0, 0, 0), 8),
            AddressRange::new_v6(Ipv6Addr::LOCALHOST, 128),
        ]
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for AddressRange {
    type Err = AddressRangeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| AddressRangeError::Address(addr.to_string()))?;
        let (family, max) = match network {
            IpAddr::V4(_) => ("IPv4", 32),
            IpAddr::V6(_) => ("IPv6", 128),
        };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| AddressRangeError::Prefix(p.to_string(), family, max))?,
        };
        Ok(AddressRange { network, prefix })
    }
}

impl std::fmt::Display for AddressRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// Who may read `/metrics`: connections from `allow` (not forwarded by a proxy), and requests
/// with `Authorization: Bearer <token>` when a token is set.
#[derive(Clone, Debug)]
pub struct MetricsAccess {
    pub allow: Vec<AddressRange>,
    pub token: Option<String>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess {
            allow: AddressRange::loopback(),
            token: None,
        }
    }
}

/// Headers a reverse proxy adds: a forwarded request's peer is the proxy, not the client.
const FORWARDING_HEADERS: &[&str] = &["forwarded", "x-forwarded-for", "x-real-ip"];

impl MetricsAccess {
    /// Whether a request from `peer` (unknown: `None`) with `headers` may read the metrics.
    pub fn admits(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
        if let Some(token) = self.token.as_deref().filter(|t| !t.is_empty()) {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            if presented.is_some_and(|p| crate::middleware::subtle_eq::eq(p.trim(), token)) {
                return true;
            }
        }
        let forwarded = FORWARDING_HEADERS.iter().any(|h| headers.contains_key(*h));
        !forwarded && peer.is_some_and(|ip| self.allow.iter().any(|r| r.contains(ip)))
    }
}

pub async fn prometheus(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if !state.config.metrics.admits(peer, req.headers()) {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "metrics are served only to the configured addresses (serve --metrics-allow) or with the metrics token (serve --metrics-token)\n",
        )
            .into_response();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> AddressRange {
        s.parse().unwrap()
    }

    #[test]
    fn address_ranges_parse_and_match() {
        assert!(range("10.0.0.0/8").contains("10.200.3.4".parse().unwrap()));
        assert!(!range("10.0.0.0/8").contains("11.0.0.1".parse().unwrap()));
        assert!(range("192.168.1.7").contains("192.168.1.7".parse().unwrap()));
        assert!(!range("192.168.1.7").contains("192.168.1.8".parse().unwrap()));
        assert!(range("0.0.0.0/0").contains("8.8.8.8".parse().unwrap()));
        assert!(range("::1/128").contains("::1".parse().unwrap()));
        assert!(range("fd00::/8").contains("fd12::1".parse().unwrap()));
        assert!(!range("fd00::/8").contains("10.0.0.1".parse().unwrap()));
        assert!(range("127.0.0.0/8").contains("::ffff:127.0.0.1".parse().unwrap()));
        assert_eq!(
            "10.0.0.0/33".parse::<AddressRange>(),
            Err(AddressRangeError::Prefix("33".into(), "IPv4", 32))
        );
        assert_eq!(
            "localhost/8".parse::<AddressRange>(),
            Err(AddressRangeError::Address("localhost".into()))
        );
        assert_eq!(range("fd00::/8").to_string(), "fd00::/8");
    }

    #[test]
    fn metrics_default_to_loopback_peers_that_no_proxy_forwarded() {
        let access = MetricsAccess::default();
        let none = HeaderMap::new();
        assert!(access.admits(Some("127.0.0.1".parse().unwrap()), &none));
        assert!(access.admits(Some("::1".parse().unwrap()), &none));
        assert!(!access.admits(Some("192.0.2.1".parse().unwrap()), &none));
        assert!(!access.admits(None, &none));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", "192.0.2.1".parse().unwrap());
        assert!(!access.admits(Some("127.0.0.1".parse().unwrap()), &proxied));
        let mut bearer = HeaderMap::new();
        bearer.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(
            !access.admits(Some("192.0.2.1".parse().unwrap()), &bearer),
            "no token is configured: none is accepted"
        );
    }
}
