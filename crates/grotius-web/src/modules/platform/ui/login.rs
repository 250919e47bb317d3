//! Login (password, then second factor) and logout.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use grotius_security::{TokenKind, new_token};
use grotius_store::{LoginOutcome, SessionStage};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, Identity};
use crate::i18n::{Lang, t};
use crate::ui::FormPairs;

/// The shell of pages shown before login: brand, language switch, content.
fn bare_page(
    l: Lang,
    here: &str,
    title: &str,
    content: Markup,
    status: StatusCode,
    pre_csrf: Option<&str>,
    secure: bool,
) -> Response {
    let here = auth::url_encode(here);
    let body = html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Grotius" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header.top {
                    a.brand href="/" { "Grotius" }
                    span.tagline { (t(l, "app.tagline")) }
                    div.who { span.langs {
                        a hreflang="nl" lang="nl" href={ "/lang/nl?next=" (here) } aria-current=[(l == Lang::Nl).then_some("true")] { "Nederlands" }
                        " | "
                        a hreflang="en" lang="en" href={ "/lang/en?next=" (here) } aria-current=[(l == Lang::En).then_some("true")] { "English" }
                    } }
                }
                main #main { (content) }
            }
        }
    };
    let mut res = (status, Html(body.into_string())).into_response();
    if let Some(pre) = pre_csrf
        && let Ok(v) = auth::set_cookie(auth::PRE_COOKIE, pre, 3600, secure).parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn login_markup(l: Lang, pre: &str, next: &str, error: Option<&str>) -> Markup {
    html! {
        h1 { (t(l, "login.title")) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form #login.stack method="post" action="/login" {
            input type="hidden" name="_csrf" value=(pre);
            input type="hidden" name="next" value=(next);
            label for="username" { (t(l, "login.username")) }
            input #username type="text" name="username" autocomplete="username" required autofocus;
            label for="password" { (t(l, "login.password")) }
            input #password type="password" name="password" autocomplete="current-password" required;
            div.actions { button type="submit" { (t(l, "login.submit")) } }
        }
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let l = auth::lang_of(&headers);
    let pre =
        auth::cookie(&headers, auth::PRE_COOKIE).unwrap_or_else(|| new_token(TokenKind::Csrf));
    let next = auth::safe_next(q.next.as_deref());
    let here = format!("/login?next={}", auth::url_encode(&next));
    bare_page(
        l,
        &here,
        t(l, "login.title"),
        login_markup(l, &pre, &next, None),
        StatusCode::OK,
        Some(&pre),
        state.config.tls,
    )
}

pub async fn login_submit(
    State(state): State<AppState>,
    auth::ClientIp(ip): auth::ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Response {
    let l = auth::lang_of(&headers);
    let pre = auth::cookie(&headers, auth::PRE_COOKIE).unwrap_or_default();
    let next = auth::safe_next(form.get("next"));
    let fail = |msg: &str, status| {
        bare_page(
            l,
            "/login",
            t(l, "login.title"),
            login_markup(l, &pre, &next, Some(msg)),
            status,
            None,
            state.config.tls,
        )
    };
    match state.limiter.allow(&state.store, ip).await {
        Ok(true) => {}
        Ok(false) => return fail(t(l, "login.rate"), StatusCode::TOO_MANY_REQUESTS),
        Err(e) => return crate::ui::store_error(l, e),
    }
    match state
        .store
        .login(&form.text("username"), &form.text("password"))
        .await
    {
        Ok(LoginOutcome::Session { token, stage }) => {
            let cookie = auth::set_cookie(
                auth::SESSION_COOKIE,
                &token,
                grotius_store::SESSION_MAX_AGE,
                state.config.tls,
            );
            let to = if stage == SessionStage::Full {
                next
            } else {
                format!("/login/totp?next={}", auth::url_encode(&next))
            };
            ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
        }
        Ok(LoginOutcome::Failed) => fail(t(l, "login.failed"), StatusCode::UNAUTHORIZED),
        Err(e) => crate::ui::store_error(l, e),
    }
}

fn totp_markup(l: Lang, csrf: &str, next: &str, error: Option<&str>) -> Markup {
    html! {
        h1 { (t(l, "login.totp.title")) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        p { (t(l, "login.totp.help")) }
        form #totp.stack method="post" action="/login/totp" {
            input type="hidden" name="_csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label for="code" { (t(l, "login.totp.code")) }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus;
            div.actions { button type="submit" { (t(l, "login.totp.submit")) } }
        }
    }
}

fn pending_session(ext: Option<&Identity>) -> Option<(String, String)> {
    match ext {
        Some(Identity::Session { token, info }) if info.stage == SessionStage::SecondFactor => {
            Some((token.clone(), info.csrf.clone()))
        }
        _ => None,
    }
}

pub async fn totp_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
    ident: Option<axum::Extension<Identity>>,
) -> Response {
    let l = auth::lang_of(&headers);
    let Some((_, csrf)) = pending_session(ident.as_ref().map(|e| &e.0)) else {
        return Redirect::to("/login").into_response();
    };
    let next = auth::safe_next(q.next.as_deref());
    bare_page(
        l,
        "/login/totp",
        t(l, "login.totp.title"),
        totp_markup(l, &csrf, &next, None),
        StatusCode::OK,
        None,
        state.config.tls,
    )
}

pub async fn totp_submit(
    State(state): State<AppState>,
    auth::ClientIp(ip): auth::ClientIp,
    headers: HeaderMap,
    ident: Option<axum::Extension<Identity>>,
    form: FormPairs,
) -> Response {
    let l = auth::lang_of(&headers);
    let Some((token, csrf)) = pending_session(ident.as_ref().map(|e| &e.0)) else {
        return Redirect::to("/login").into_response();
    };
    let next = auth::safe_next(form.get("next"));
    let allowed = match state.limiter.allow(&state.store, ip).await {
        Ok(allowed) => allowed,
        Err(e) => return crate::ui::store_error(l, e),
    };
    if !allowed {
        return bare_page(
            l,
            "/login/totp",
            t(l, "login.totp.title"),
            totp_markup(l, &csrf, &next, Some(t(l, "login.rate"))),
            StatusCode::TOO_MANY_REQUESTS,
            None,
            state.config.tls,
        );
    }
    match state
        .store
        .login_second_factor(&token, &form.text("code"))
        .await
    {
        Ok(Some(new_token)) => {
            let cookie = auth::set_cookie(
                auth::SESSION_COOKIE,
                &new_token,
                grotius_store::SESSION_MAX_AGE,
                state.config.tls,
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Ok(None) => bare_page(
            l,
            "/login/totp",
            t(l, "login.totp.title"),
            totp_markup(l, &csrf, &next, Some(t(l, "login.totp.failed"))),
            StatusCode::UNAUTHORIZED,
            None,
            state.config.tls,
        ),
        Err(e) => crate::ui::store_error(l, e),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ident: Option<axum::Extension<Identity>>,
) -> Response {
    if let Some(axum::Extension(Identity::Session { token, .. })) = ident
        && let Err(e) = state.store.logout(&token).await
    {
        return crate::ui::store_error(auth::lang_of(&headers), e);
    }
    let clear = auth::set_cookie(auth::SESSION_COOKIE, "gone", 0, state.config.tls);
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}
