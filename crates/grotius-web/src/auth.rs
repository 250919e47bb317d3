//! Who is calling: resolved once per request by [`crate::middleware::csrf`] into an
//! [`Identity`], then taken by handlers through the [`Viewer`] (UI) and [`Caller`] (API)
//! extractors. These are the only ways a handler obtains an [`Access`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use grotius_store::{Access, SessionInfo, SessionStage, Store, StoreError};

use crate::error::ApiError;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "grotius_session";
/// Double-submit token for forms shown before login.
pub const PRE_COOKIE: &str = "grotius_pre";
pub const LANG_COOKIE: &str = "grotius_lang";

/// The caller of a request, resolved by the middleware and stored in the request extensions.
#[derive(Clone)]
pub enum Identity {
    Anonymous,
    /// A browser session (possibly still awaiting its second factor).
    Session {
        token: String,
        info: SessionInfo,
    },
    /// A valid bearer token.
    Bearer(Access),
    /// A bearer token was sent but is unknown, expired or revoked.
    BadBearer,
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

pub fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// A `Set-Cookie` value with the attributes every Grotius cookie carries.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The language of the page: the language cookie, else the browser's preference.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .unwrap_or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or_default()
        })
}

/// A signed-in user of the HTML UI.
pub struct Viewer {
    pub access: Access,
    pub csrf: String,
    pub lang: Lang,
    /// Path and query of this request (for the language switch and redirects).
    pub here: String,
    /// How many things wait for the viewer (the number beside "Inbox" in the navigation),
    /// counted for pages read with GET by those who have an inbox.
    pub waiting: Option<usize>,
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let lang = lang_of(&parts.headers);
        match parts.extensions.get::<Identity>() {
            Some(Identity::Session { info, .. }) => match (&info.stage, &info.access) {
                (SessionStage::Full, Some(access)) => {
                    let waiting = if parts.method == axum::http::Method::GET
                        && access.may(
                            grotius_domain::Action::Read,
                            grotius_domain::Resource::kind(
                                grotius_domain::ResourceKind::Assignment,
                            ),
                        ) {
                        // A failure to count leaves the number out; the page itself answers.
                        access.waiting_count().await.ok()
                    } else {
                        None
                    };
                    Ok(Viewer {
                        access: access.clone(),
                        csrf: info.csrf.clone(),
                        lang,
                        here,
                        waiting,
                    })
                }
                _ => Err(Redirect::to("/login/totp").into_response()),
            },
            _ => {
                let next = url_encode(&here);
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
        }
    }
}

/// An authenticated caller of the JSON API (bearer token, or a session cookie with the CSRF
/// header on state-changing requests — checked by the middleware).
pub struct Caller(pub Access);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Identity>() {
            Some(Identity::Bearer(a)) => Ok(Caller(a.clone())),
            Some(Identity::Session { info, .. }) if info.stage == SessionStage::Full => info
                .access
                .clone()
                .map(Caller)
                .ok_or_else(ApiError::unauthenticated),
            _ => Err(ApiError::unauthenticated()),
        }
    }
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local paths may be redirect targets (no `//host` or `https://…`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.starts_with("/login") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Requests per key (a client address, a participant) in a fixed one-minute window, in this
/// node's memory: the participants' votes and statements. (Login attempts are counted in the
/// database instead, see [`LoginLimiter`].)
pub struct RateLimiter<K> {
    per_minute: u32,
    hits: Mutex<Hits<K>>,
}

struct Hits<K> {
    by_key: HashMap<K, (Instant, u32)>,
    /// When the expired keys were last dropped (at most once a second, so that a map of more
    /// than 10,000 live keys — a large consultation — is not scanned on every request).
    pruned: Instant,
}

impl<K: std::hash::Hash + Eq> RateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            hits: Mutex::new(Hits {
                by_key: HashMap::new(),
                pruned: Instant::now(),
            }),
        }
    }

    /// Counts an attempt; `false` when the key is over its budget.
    pub fn allow(&self, key: K) -> bool {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.by_key.len() > 10_000 && now.duration_since(hits.pruned) >= Duration::from_secs(1) {
            hits.by_key
                .retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
            hits.pruned = now;
        }
        let e = hits.by_key.entry(key).or_insert((now, 0));
        if now.duration_since(e.0) >= Duration::from_secs(60) {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= self.per_minute
    }
}

/// Login attempts per client address (an IPv6 address by its /64), counted in the database
/// ([`Store::count_login_attempt`]): every node of one database enforces one budget, so a client
/// behind a round-robin load balancer gets it once, not once per node.
pub struct LoginLimiter {
    per_minute: u32,
    /// The time in Unix seconds (the system clock; tests move their own).
    clock: Box<dyn Fn() -> i64 + Send + Sync>,
}

impl LoginLimiter {
    pub fn new(per_minute: u32) -> Self {
        LoginLimiter::with_clock(per_minute, grotius_security::now_secs)
    }

    /// A limiter that reads the time from `clock` (Unix seconds).
    pub fn with_clock(per_minute: u32, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        LoginLimiter {
            per_minute,
            clock: Box::new(clock),
        }
    }

    /// Counts an attempt from `ip`; `Ok(false)` when the address is over its budget. An error
    /// of the database is returned, never taken for "allowed": the caller answers it as the
    /// store error it is, and the attempt does not go on.
    pub async fn allow(&self, store: &Store, ip: IpAddr) -> Result<bool, StoreError> {
        store
            .count_login_attempt(ip, self.per_minute, (self.clock)())
            .await
    }
}

/// Like [`safe_next`] but also allows returning to the login page (for the language switch).
pub fn safe_next_any(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// The client's address: the connection's (loopback when unknown, e.g. in in-process tests) —
/// or, when the connection comes from a trusted proxy, the one its `X-Forwarded-For` names (see
/// [`client_ip`]). Sign-in limits and the participants' rate limits count by it.
pub struct ClientIp(pub IpAddr);

/// The proxies whose `X-Forwarded-For` is believed (`WebConfig::trusted_proxies`), as a request
/// extension.
#[derive(Clone, Default)]
pub struct TrustedProxies(pub std::sync::Arc<Vec<crate::metrics::AddressRange>>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        let trusted = parts
            .extensions
            .get::<TrustedProxies>()
            .cloned()
            .unwrap_or_default();
        Ok(ClientIp(client_ip(peer, &parts.headers, &trusted.0)))
    }
}

/// The client behind a chain of proxies. A connection from a trusted proxy is read from
/// `X-Forwarded-For` right to left: each address a trusted proxy appended is skipped, and the
/// first one that is not a trusted proxy is the client (addresses further left were written by
/// the client itself and prove nothing). A connection from anywhere else is its own client; so
/// is one whose header is missing or unreadable.
pub fn client_ip(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[crate::metrics::AddressRange],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        for item in text.split(',') {
            match item.trim().parse::<IpAddr>() {
                Ok(ip) => hops.push(ip),
                Err(_) => return peer,
            }
        }
    }
    let mut client = peer;
    for ip in hops.into_iter().rev() {
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_stay_local() {
        assert_eq!(safe_next(Some("/processes?x=1")), "/processes?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_client_behind_trusted_proxies_is_the_first_untrusted_hop_from_the_right() {
        let trusted: Vec<crate::metrics::AddressRange> = vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.1/32".parse().unwrap(),
        ];
        let h = |v: &[&str]| {
            let mut m = axum::http::HeaderMap::new();
            for x in v {
                m.append("x-forwarded-for", x.parse().unwrap());
            }
            m
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let lb = ip("10.0.0.5");
        // Through the balancer: the address it appended.
        assert_eq!(
            client_ip(lb, &h(&["198.51.100.7"]), &trusted),
            ip("198.51.100.7")
        );
        // A client that forges a header gains nothing: the proxy's own entry is on the right.
        assert_eq!(
            client_ip(lb, &h(&["203.0.113.1, 198.51.100.7"]), &trusted),
            ip("198.51.100.7")
        );
        // Two trusted hops (TLS proxy, then balancer), headers split over two lines.
        assert_eq!(
            client_ip(lb, &h(&["198.51.100.7", "127.0.0.1"]), &trusted),
            ip("198.51.100.7")
        );
        // From an untrusted peer the header is ignored.
        assert_eq!(
            client_ip(ip("192.0.2.9"), &h(&["198.51.100.7"]), &trusted),
            ip("192.0.2.9")
        );
        // No header, or garbage: the peer.
        assert_eq!(client_ip(lb, &h(&[]), &trusted), lb);
        assert_eq!(client_ip(lb, &h(&["not-an-address"]), &trusted), lb);
        // Nothing trusted (the default): always the peer.
        assert_eq!(client_ip(lb, &h(&["198.51.100.7"]), &[]), lb);
    }

    #[test]
    fn limiter_blocks_after_budget() {
        let l = RateLimiter::<IpAddr>::new(3);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(l.allow(ip) && l.allow(ip) && l.allow(ip));
        assert!(!l.allow(ip));
        assert!(l.allow("127.0.0.2".parse().unwrap()));
    }
}
