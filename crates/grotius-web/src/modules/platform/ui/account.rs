//! The signed-in user's own account: second factor, password, personal API tokens.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::auth::Viewer;
use crate::i18n::t;
use crate::ui::{FormPairs, csrf_field, fmt_secs, page as shell, store_error};

/// What to show above the account sections after an action.
#[derive(Default)]
struct Flash {
    error: Option<String>,
    notice: Option<String>,
    enrolment: Option<grotius_store::TotpEnrolment>,
    recovery_codes: Option<Vec<String>>,
    new_token: Option<String>,
    /// A refused notification setting: the message (beside the address) and what was typed.
    notify_refused: Option<(String, String)>,
}

async fn render(v: &Viewer, flash: Flash, status: StatusCode) -> Response {
    let l = v.lang;
    let (totp_on, codes_left) = match v.access.totp_status().await {
        Ok(s) => s,
        Err(e) => return store_error(l, e),
    };
    let tokens = match v.access.list_tokens().await {
        Ok(t) => t,
        Err(e) => return store_error(l, e),
    };
    let s = v.access.subject();
    let content: Markup = html! {
        h1 { (t(l, "acct.title")) }
        @if let Some(e) = &flash.error { p.error role="alert" { (e) } }
        @if let Some(n) = &flash.notice { p.notice role="status" { (n) } }
        dl.facts {
            dt { (t(l, "login.username")) } dd { (s.username) }
            dt { (t(l, "dash.roles")) } dd { (s.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) }
            dt { (t(l, "dash.clearance")) } dd { (crate::ui::class_label(l, s.clearance)) }
        }

        h2 { (t(l, "acct.totp")) }
        @if let Some(codes) = &flash.recovery_codes {
            p.notice role="status" { (t(l, "acct.totp.done")) }
            ul #recovery-codes { @for c in codes { li { code { (c) } } } }
        } @else if let Some(en) = &flash.enrolment {
            p { (t(l, "acct.totp.secret")) }
            @if let Some(svg) = totp_qr(&en.otpauth_uri) {
                figure #totp-qr role="img" aria-label=(t(l, "acct.totp.qr")) { (maud::PreEscaped(svg)) }
            }
            p { code #totp-secret.secret { (en.secret_grouped) } }
            p { a href=(en.otpauth_uri) { (en.otpauth_uri) } }
            form #totp-confirm.stack method="post" action="/account/totp/confirm" {
                (csrf_field(v))
                label for="code" { (t(l, "acct.totp.confirm")) }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required;
                div.actions { button type="submit" { (t(l, "form.save")) } }
            }
        } @else if totp_on {
            p { (t(l, "acct.totp.on")) " " strong { (codes_left) } }
        } @else {
            p { (t(l, "acct.totp.off")) }
            form #totp-enrol method="post" action="/account/totp/enrol" {
                (csrf_field(v))
                button type="submit" { (t(l, "acct.totp.enrol")) }
            }
        }

        h2 { (t(l, "acct.password")) }
        form #password.stack method="post" action="/account/password" {
            (csrf_field(v))
            label for="current" { (t(l, "acct.password.current")) }
            input #current type="password" name="current" autocomplete="current-password" required;
            label for="new" { (t(l, "acct.password.new")) }
            input #new type="password" name="new" autocomplete="new-password" minlength="12" required;
            div.actions { button type="submit" { (t(l, "form.save")) } }
        }

        h2 { (t(l, "acct.tokens")) }
        p.muted { (t(l, "acct.tokens.help")) }
        @if let Some(tok) = &flash.new_token {
            p.notice role="status" { (t(l, "acct.tokens.new")) br; code #new-token.secret { (tok) } }
        }
        @if tokens.is_empty() { p { (t(l, "acct.tokens.none")) } } @else {
            table {
                thead { tr { th { (t(l, "acct.tokens.name")) } th { (t(l, "acct.tokens.scope")) } th { (t(l, "acct.tokens.expires")) } th { (t(l, "acct.tokens.lastused")) } th {} } }
                tbody { @for tk in &tokens { tr {
                    td { (tk.name) } td { (tk.scope) } td { (fmt_secs(tk.expires_at)) }
                    td { (tk.last_used_at.map(fmt_secs).unwrap_or_else(|| "—".into())) }
                    td { @if tk.revoked_at.is_some() { span.muted { (t(l, "acct.tokens.revoked")) } } @else {
                        form.inline method="post" action={ "/account/tokens/" (tk.id) "/revoke" } {
                            (csrf_field(v)) button.secondary type="submit" { (t(l, "acct.tokens.revoke")) }
                        }
                    } }
                } } }
            }
        }
        form #token-create.stack method="post" action="/account/tokens" {
            (csrf_field(v))
            label for="token-name" { (t(l, "acct.tokens.name")) }
            input #token-name type="text" name="name" required maxlength="100";
            label for="token-scope" { (t(l, "acct.tokens.scope")) }
            select #token-scope name="scope" { option value="read" { "read" } option value="write" { "write" } }
            label for="token-days" { (t(l, "acct.tokens.days")) }
            input #token-days type="number" name="days" min="1" max="366" value="30" required;
            div.actions { button type="submit" { (t(l, "acct.tokens.create")) } }
        }
    };
    let settings = v.access.notification_settings().await.unwrap_or_default();
    let (email, refused) = match &flash.notify_refused {
        Some((msg, typed)) => (typed.clone(), Some(msg.clone())),
        None => (settings.email.clone(), None),
    };
    let content = html! {
        (content)
        h2 #notifications-h { (t(l, "acct.notify")) }
        p { (t(l, "acct.notify.intro")) }
        form #notifications.stack method="post" action="/account/notifications" {
            (csrf_field(v))
            label for="notify-email" { (t(l, "acct.notify.email")) }
            input #notify-email type="email" name="email" maxlength="254" value=(email) aria-describedby="notify-email-error";
            @if let Some(m) = &refused { span.field-error #notify-email-error role="alert" { (t(l, "form.error")) " " (m) } }
            label { input type="checkbox" name="enabled" value="1" checked[settings.enabled]; " " (t(l, "acct.notify.enabled")) }
            div.actions { button type="submit" { (t(l, "acct.notify.save")) } }
        }
    };
    let mut res = shell(v, t(l, "acct.title"), content);
    *res.status_mut() = status;
    res
}

pub async fn save_notifications(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let email = form.text("email");
    let enabled = form.get("enabled") == Some("1");
    match v.access.set_notification_settings(&email, enabled).await {
        Ok(s) => {
            let notice = if s.enabled {
                format!("{} {}", t(l, "acct.notify.on"), s.email)
            } else {
                t(l, "acct.notify.off").to_string()
            };
            let flash = Flash {
                notice: Some(notice),
                ..Default::default()
            };
            render(&v, flash, StatusCode::OK).await
        }
        Err(e) => match crate::ui::form_failure(e) {
            Ok((msg, status)) => {
                let flash = Flash {
                    notify_refused: Some((msg, email)),
                    ..Default::default()
                };
                render(&v, flash, status).await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn page(v: Viewer) -> Response {
    render(&v, Flash::default(), StatusCode::OK).await
}

fn fail(e: grotius_store::StoreError) -> (Flash, StatusCode) {
    let (status, _, message) = crate::error::classify(&e);
    (
        Flash {
            error: Some(message),
            ..Default::default()
        },
        status,
    )
}

pub async fn totp_enrol(v: Viewer) -> Response {
    let (flash, status) = match v.access.totp_begin().await {
        Ok(en) => (
            Flash {
                enrolment: Some(en),
                ..Default::default()
            },
            StatusCode::OK,
        ),
        Err(e) => fail(e),
    };
    render(&v, flash, status).await
}

pub async fn totp_confirm(v: Viewer, form: FormPairs) -> Response {
    let (flash, status) = match v.access.totp_confirm(&form.text("code")).await {
        Ok(codes) => (
            Flash {
                recovery_codes: Some(codes),
                ..Default::default()
            },
            StatusCode::OK,
        ),
        Err(e) => fail(e),
    };
    render(&v, flash, status).await
}

pub async fn change_password(v: Viewer, form: FormPairs) -> Response {
    let (flash, status) = match v
        .access
        .change_password(&form.text("current"), &form.text("new"))
        .await
    {
        Ok(()) => (
            Flash {
                notice: Some(t(v.lang, "acct.password.done").into()),
                ..Default::default()
            },
            StatusCode::OK,
        ),
        Err(e) => fail(e),
    };
    render(&v, flash, status).await
}

pub async fn create_token(v: Viewer, form: FormPairs) -> Response {
    let days: i64 = match form.text("days").trim().parse() {
        Ok(d) => d,
        Err(_) => {
            let e = grotius_store::StoreError::invalid(
                "days",
                "give the number of days as a whole number from 1 to 366",
            );
            let (flash, status) = fail(e);
            return render(&v, flash, status).await;
        }
    };
    let (flash, status) = match v
        .access
        .create_token(
            &form.text("name"),
            &form.text("scope"),
            days.saturating_mul(86400),
        )
        .await
    {
        Ok((token, _)) => (
            Flash {
                new_token: Some(token),
                ..Default::default()
            },
            StatusCode::OK,
        ),
        Err(e) => fail(e),
    };
    render(&v, flash, status).await
}

pub async fn revoke_token(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.revoke_token(&id).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

/// The enrolment link as a QR code to scan, drawn as SVG on the server (no script, no image
/// request that could leak the secret).
fn totp_qr(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: from the <svg> element on (the renderer starts with an XML declaration).
    svg.find("<svg").map(|i| svg[i..].to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_enrolment_qr_code_is_inline_svg() {
        let svg =
            super::totp_qr("otpauth://totp/Grotius:analyst?secret=JBSWY3DPEHPK3PXP&issuer=Grotius")
                .expect("a QR code");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("width=\"") && svg.len() > 1000, "{svg}");
    }
}
