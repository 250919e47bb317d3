//! Layers every request passes: identity resolution with CSRF protection, and security headers.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle_eq::eq;

use crate::AppState;
use crate::auth::{self, Identity};
use crate::error::ApiError;

pub(crate) mod subtle_eq {
    /// Constant-time comparison of two tokens.
    pub fn eq(a: &str, b: &str) -> bool {
        a.len() == b.len()
            && a.bytes()
                .zip(b.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }
}

fn csrf_failure(api: bool, lang: crate::i18n::Lang) -> Response {
    if api {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "state-changing API requests authenticated by the session cookie need the X-CSRF-Token header; scripts should use a bearer token",
        )
        .into_response()
    } else {
        crate::ui::error_page(
            lang,
            StatusCode::FORBIDDEN,
            crate::i18n::t(lang, "err.csrf"),
        )
    }
}

/// Resolves the caller (session cookie or bearer token) into an [`Identity`] extension, and
/// refuses any state-changing request authenticated by a cookie whose CSRF token does not
/// match: form posts carry `_csrf`, API calls the `X-CSRF-Token` header. Bearer-token requests
/// carry no ambient authority and need no CSRF token.
pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = auth::lang_of(&parts.headers);
    let path = parts.uri.path().to_string();
    let api = path.starts_with("/api/");

    let identity = if let Some(token) = auth::bearer(&parts.headers) {
        match state.store.token_access(&token).await {
            Ok(Some(a)) => Identity::Bearer(a),
            Ok(None) => Identity::BadBearer,
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(token) = auth::cookie(&parts.headers, auth::SESSION_COOKIE) {
        match state.store.session(&token).await {
            Ok(Some(info)) => Identity::Session { token, info },
            Ok(None) => Identity::Anonymous,
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        Identity::Anonymous
    };

    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let cookie_authenticated = !matches!(identity, Identity::Bearer(_) | Identity::BadBearer);
    let exempt = path == "/api/v1/auth/token";
    let mut body = body;
    if !safe && cookie_authenticated && !exempt {
        let expected = match &identity {
            Identity::Session { info, .. } => Some(info.csrf.clone()),
            _ => auth::cookie(&parts.headers, auth::PRE_COOKIE),
        };
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        // A file upload form cannot send a header, and its body is too large to buffer here:
        // its token travels in the query string (`?_csrf=`) of the form's action.
        let is_multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        let presented = if api {
            header_token
        } else if is_multipart {
            parts
                .uri
                .query()
                .and_then(|q| form_urlencoded_field(q.as_bytes(), "_csrf"))
                .or(header_token)
        } else if is_form {
            let bytes = match to_bytes(body, state.config.body_limit).await {
                Ok(b) => b,
                Err(_) => {
                    return crate::ui::error_page(
                        lang,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        crate::i18n::t(lang, "err.toolarge"),
                    );
                }
            };
            let token = form_urlencoded_field(&bytes, "_csrf");
            body = Body::from(bytes);
            token.or(header_token)
        } else {
            header_token
        };
        let ok = matches!((&expected, &presented), (Some(e), Some(p)) if eq(e, p));
        if !ok {
            return csrf_failure(api, lang);
        }
    }
    parts.extensions.insert(identity);
    next.run(Request::from_parts(parts, body)).await
}

fn form_urlencoded_field(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The Content-Security-Policy: no inline script or style, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                       connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response; HSTS and `Secure` cookies under TLS.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let forwarded_tls = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.tls || forwarded_tls {
        h.insert(
            "strict-transport-security",
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
        // Mark every cookie Secure.
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            let s = c.to_str().unwrap_or_default();
            let v = if s.contains("; Secure") {
                s.to_string()
            } else {
                format!("{s}; Secure")
            };
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.append(header::SET_COOKIE, v);
            }
        }
    }
    res
}
