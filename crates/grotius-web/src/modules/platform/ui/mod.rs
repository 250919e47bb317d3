//! The platform's pages: sign-in, account, administration, audit, the overview, the language
//! switch and the static assets.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod audit;
pub(crate) mod dashboard;
pub(crate) mod login;

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth;
use crate::i18n::Lang;
use crate::routes::{Routes, get, post};
use crate::ui::not_found;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/", get(dashboard::dashboard))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/lang/{lang}", get(set_lang))
        .route("/healthz", get(crate::metrics::healthz))
        .route("/metrics", get(crate::metrics::prometheus))
        .route("/login", get(login::login_form).post(login::login_submit))
        .route(
            "/login/totp",
            get(login::totp_form).post(login::totp_submit),
        )
        .route("/logout", post(login::logout))
        .route("/account", get(account::page))
        .route("/account/totp/enrol", post(account::totp_enrol))
        .route("/account/totp/confirm", post(account::totp_confirm))
        .route("/account/password", post(account::change_password))
        .route("/account/notifications", post(account::save_notifications))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin", get(admin::page))
        .route("/admin/users", post(admin::create_user))
        .route(
            "/admin/users/{id}",
            get(admin::user_page).post(admin::update_user),
        )
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/totp-reset", post(admin::reset_totp))
        .route("/admin/compartments", post(admin::create_compartment))
        .route("/admin/compartments/{id}", get(admin::compartment_page))
        .route("/admin/compartments/{id}/members", post(admin::add_member))
        .route(
            "/admin/compartments/{id}/members/{user}/remove",
            post(admin::remove_member),
        )
        .route("/audit", get(audit::page))
        .route("/audit.csv", get(audit::export_csv));
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../../assets/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../../assets/app.js"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Sets the language cookie and returns to the page (GET: a preference, not a state change).
async fn set_lang(
    Path(lang): Path<String>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(l) = Lang::parse(&lang) else {
        return not_found(headers).await;
    };
    let next = auth::safe_next_any(q.next.as_deref());
    let cookie = auth::set_cookie(auth::LANG_COOKIE, l.code(), 365 * 86400, false);
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}
