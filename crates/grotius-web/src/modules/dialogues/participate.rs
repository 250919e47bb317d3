//! The participants' surface: `/p/{token}` and its two forms, a separate minimal page that
//! reaches one conversation and nothing else of Grotius (its handle, [`Participation`], is
//! bound to the conversation the link names; no `Access`, no navigation, no team data).
//!
//! A participant is a random secret in an HttpOnly, SameSite=Strict cookie scoped to the link's
//! path (so a browser never sends it to another conversation), stored only as its hash. Forms
//! carry the app's CSRF token: the signed-out double-submit token (`grotius_pre`), or the
//! session's for a signed-in team member trying the link; the middleware checks it. Votes and
//! statements are rate-limited per participant and per address (429 with a clear page). Pages
//! work without JavaScript, in the conversation's languages among English, Dutch, French and
//! Arabic (right to left).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use grotius_domain::dialogue::{Openness, STATEMENT_MAX, Vote};
use grotius_security::{TokenKind, new_token, now_micros};
use grotius_store::{Participation, ParticipationError, Shown};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, ClientIp, Identity, RateLimiter};
use crate::routes::{Routes, get, post};
use crate::ui::FormPairs;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/p/{token}", get(show))
        .route("/p/{token}/vote", post(vote))
        .route("/p/{token}/statement", post(submit))
        .route("/p/{token}/about", post(about));
}

/// The participant cookie (its path is the conversation's link).
pub const PARTICIPANT_COOKIE: &str = "grotius_participant";
/// Cookie of the participant's chosen language (path `/p`).
const LANG_COOKIE: &str = "grotius_plang";
/// A participant cookie lasts 180 days.
const PARTICIPANT_MAX_AGE: i64 = 180 * 24 * 3600;

/// Rate limits of the participants' writes.
pub struct Limits {
    votes_participant: RateLimiter<(String, i64)>,
    votes_address: RateLimiter<std::net::IpAddr>,
    statements_participant: RateLimiter<(String, i64)>,
    statements_address: RateLimiter<std::net::IpAddr>,
    /// New participants per address (each first visit writes a row and an audit entry).
    joins_address: RateLimiter<std::net::IpAddr>,
}

impl Limits {
    pub fn new(votes_per_minute: u32) -> Limits {
        let statements = (votes_per_minute / 10).max(3);
        Limits {
            votes_participant: RateLimiter::new(votes_per_minute),
            votes_address: RateLimiter::new(votes_per_minute.saturating_mul(10)),
            statements_participant: RateLimiter::new(statements),
            statements_address: RateLimiter::new(statements.saturating_mul(10)),
            joins_address: RateLimiter::new(votes_per_minute.saturating_mul(10)),
        }
    }
}

/// The participant page's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PLang {
    En,
    Nl,
    Fr,
    Ar,
}

impl PLang {
    fn parse(s: &str) -> Option<PLang> {
        match s.trim().to_ascii_lowercase().get(..2)? {
            "en" => Some(PLang::En),
            "nl" => Some(PLang::Nl),
            "fr" => Some(PLang::Fr),
            "ar" => Some(PLang::Ar),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            PLang::En => "en",
            PLang::Nl => "nl",
            PLang::Fr => "fr",
            PLang::Ar => "ar",
        }
    }

    fn dir(self) -> &'static str {
        if self == PLang::Ar { "rtl" } else { "ltr" }
    }

    fn name(self) -> &'static str {
        match self {
            PLang::En => "English",
            PLang::Nl => "Nederlands",
            PLang::Fr => "Français",
            PLang::Ar => "العربية",
        }
    }
}

/// `(key, English, Dutch, French, Arabic)`.
const STRINGS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "intro",
        "Read each statement and say whether you agree. There are no wrong answers. You stay anonymous: no account, no name.",
        "Lees elke stelling en zeg of u het ermee eens bent. Er zijn geen foute antwoorden. U blijft anoniem: geen account, geen naam.",
        "Lisez chaque affirmation et dites si vous êtes d'accord. Il n'y a pas de mauvaise réponse. Vous restez anonyme : ni compte, ni nom.",
        "اقرأ كل عبارة وقل إن كنت توافق عليها. لا توجد إجابات خاطئة. تبقى مجهول الهوية: لا حساب ولا اسم.",
    ),
    ("agree", "Agree", "Eens", "D'accord", "أوافق"),
    ("disagree", "Disagree", "Oneens", "Pas d'accord", "لا أوافق"),
    (
        "pass",
        "Pass / unsure",
        "Overslaan / weet niet",
        "Passer / je ne sais pas",
        "تخطَّ / لست متأكداً",
    ),
    (
        "progress",
        "Statements you have voted on",
        "Stellingen waarover u stemde",
        "Affirmations votées",
        "العبارات التي صوّتَّ عليها",
    ),
    ("of", "of", "van", "sur", "من"),
    (
        "done",
        "You have voted on every statement. Thank you! Come back later: new statements may appear.",
        "U hebt over elke stelling gestemd. Dank u! Kom later terug: er kunnen nieuwe stellingen bijkomen.",
        "Vous avez voté sur toutes les affirmations. Merci ! Revenez plus tard : de nouvelles affirmations peuvent apparaître.",
        "لقد صوّتَّ على كل العبارات. شكراً لك! عد لاحقاً: قد تظهر عبارات جديدة.",
    ),
    (
        "none",
        "There are no statements yet. You can write the first one below.",
        "Er zijn nog geen stellingen. U kunt hieronder de eerste schrijven.",
        "Il n'y a pas encore d'affirmation. Vous pouvez écrire la première ci-dessous.",
        "لا توجد عبارات بعد. يمكنك كتابة أول عبارة أدناه.",
    ),
    (
        "voted",
        "Your vote is recorded.",
        "Uw stem is geregistreerd.",
        "Votre vote est enregistré.",
        "تم تسجيل صوتك.",
    ),
    ("your.vote", "Your vote", "Uw stem", "Votre vote", "صوتك"),
    (
        "your.votes",
        "Your votes",
        "Uw stemmen",
        "Vos votes",
        "أصواتك",
    ),
    (
        "change",
        "Change my vote",
        "Mijn stem wijzigen",
        "Changer mon vote",
        "تغيير صوتي",
    ),
    (
        "write",
        "Add your own statement",
        "Schrijf zelf een stelling",
        "Ajoutez votre propre affirmation",
        "أضف عبارتك الخاصة",
    ),
    (
        "write.hint",
        "One short idea others can agree or disagree with, at most 280 characters. Do not write names or anything that identifies you or others.",
        "Eén korte gedachte waarmee anderen het eens of oneens kunnen zijn, hoogstens 280 tekens. Schrijf geen namen of iets wat u of anderen herkenbaar maakt.",
        "Une idée courte avec laquelle d'autres peuvent être d'accord ou non, 280 caractères au plus. N'écrivez ni noms ni rien qui vous identifie ou identifie d'autres personnes.",
        "فكرة قصيرة واحدة يمكن للآخرين الموافقة عليها أو رفضها، 280 حرفاً على الأكثر. لا تكتب أسماء أو أي شيء يكشف هويتك أو هوية غيرك.",
    ),
    ("send", "Send", "Versturen", "Envoyer", "إرسال"),
    (
        "submitted.before",
        "Thank you. Your statement will be shown to others once a moderator has read it.",
        "Dank u. Uw stelling wordt aan anderen getoond zodra een moderator haar heeft gelezen.",
        "Merci. Votre affirmation sera montrée aux autres après lecture par un modérateur.",
        "شكراً لك. ستُعرض عبارتك على الآخرين بعد أن يقرأها أحد المشرفين.",
    ),
    (
        "submitted.after",
        "Thank you. Your statement is now shown to others.",
        "Dank u. Uw stelling wordt nu aan anderen getoond.",
        "Merci. Votre affirmation est maintenant montrée aux autres.",
        "شكراً لك. عبارتك معروضة الآن على الآخرين.",
    ),
    (
        "too.short",
        "Your statement is too short: write at least 5 characters.",
        "Uw stelling is te kort: schrijf minstens 5 tekens.",
        "Votre affirmation est trop courte : écrivez au moins 5 caractères.",
        "عبارتك قصيرة جداً: اكتب 5 أحرف على الأقل.",
    ),
    (
        "too.long",
        "Your statement is too long: at most 280 characters.",
        "Uw stelling is te lang: hoogstens 280 tekens.",
        "Votre affirmation est trop longue : 280 caractères au plus.",
        "عبارتك طويلة جداً: 280 حرفاً على الأكثر.",
    ),
    (
        "closed",
        "This conversation is closed. Votes and statements are no longer taken. Thank you for your interest.",
        "Dit gesprek is gesloten. Er worden geen stemmen of stellingen meer aangenomen. Dank voor uw belangstelling.",
        "Cette conversation est close. Les votes et affirmations ne sont plus acceptés. Merci de votre intérêt.",
        "هذه المحادثة مغلقة. لم يعد التصويت أو إضافة العبارات ممكناً. شكراً لاهتمامك.",
    ),
    (
        "notyet",
        "This conversation is not open yet. It opens on",
        "Dit gesprek is nog niet geopend. Het opent op",
        "Cette conversation n'est pas encore ouverte. Elle ouvre le",
        "هذه المحادثة لم تُفتح بعد. تُفتح في",
    ),
    (
        "rate",
        "Too many answers in a short time. Please wait a minute and try again.",
        "Te veel antwoorden in korte tijd. Wacht een minuut en probeer het opnieuw.",
        "Trop de réponses en peu de temps. Attendez une minute et réessayez.",
        "إجابات كثيرة في وقت قصير. يرجى الانتظار دقيقة ثم المحاولة مجدداً.",
    ),
    (
        "unknown",
        "Your answers could not be linked to this conversation (your browser may have lost its cookie). Open the conversation's link again.",
        "Uw antwoorden konden niet aan dit gesprek worden gekoppeld (uw browser is het cookie misschien kwijt). Open de link van het gesprek opnieuw.",
        "Vos réponses n'ont pas pu être liées à cette conversation (votre navigateur a peut-être perdu son cookie). Rouvrez le lien de la conversation.",
        "تعذّر ربط إجاباتك بهذه المحادثة (ربما فقد متصفحك ملف تعريف الارتباط). افتح رابط المحادثة مرة أخرى.",
    ),
    (
        "nostatement",
        "That statement is not part of this conversation.",
        "Die stelling hoort niet bij dit gesprek.",
        "Cette affirmation ne fait pas partie de cette conversation.",
        "هذه العبارة ليست جزءاً من هذه المحادثة.",
    ),
    (
        "notfound",
        "There is no conversation at this link.",
        "Er is geen gesprek op deze link.",
        "Il n'y a pas de conversation à ce lien.",
        "لا توجد محادثة على هذا الرابط.",
    ),
    (
        "error",
        "Something went wrong. Please try again later.",
        "Er ging iets mis. Probeer het later opnieuw.",
        "Une erreur s'est produite. Réessayez plus tard.",
        "حدث خطأ ما. يرجى المحاولة لاحقاً.",
    ),
    ("language", "Language", "Taal", "Langue", "اللغة"),
    (
        "invitation.only",
        "This consultation is by invitation. Please open the personal link you were given.",
        "Deze consultatie is op uitnodiging. Open de persoonlijke link die u hebt gekregen.",
        "Cette consultation est sur invitation. Ouvrez le lien personnel qui vous a été remis.",
        "هذه الاستشارة بدعوة فقط. يرجى فتح الرابط الشخصي الذي أُعطي لك.",
    ),
    (
        "invitation.unknown",
        "This personal link is not valid for this consultation.",
        "Deze persoonlijke link is niet geldig voor deze consultatie.",
        "Ce lien personnel n'est pas valable pour cette consultation.",
        "هذا الرابط الشخصي غير صالح لهذه الاستشارة.",
    ),
    (
        "about",
        "About you (optional)",
        "Over u (optioneel)",
        "À propos de vous (facultatif)",
        "عنك (اختياري)",
    ),
    (
        "about.hint",
        "Only if you wish. The team sees only totals of 5 people or more, never your answers alone. You can change or remove them at any time.",
        "Alleen als u dat wilt. Het team ziet alleen totalen van 5 mensen of meer, nooit uw antwoorden afzonderlijk. U kunt ze altijd wijzigen of wissen.",
        "Seulement si vous le souhaitez. L'équipe ne voit que des totaux de 5 personnes ou plus, jamais vos réponses seules. Vous pouvez les modifier ou les retirer à tout moment.",
        "فقط إن رغبت. لا يرى الفريق إلا مجاميع من 5 أشخاص أو أكثر، ولا يرى إجاباتك منفردة أبداً. يمكنك تغييرها أو حذفها في أي وقت.",
    ),
    (
        "about.none",
        "Prefer not to say",
        "Zeg ik liever niet",
        "Je préfère ne pas répondre",
        "أفضّل عدم الإجابة",
    ),
    ("about.save", "Save", "Opslaan", "Enregistrer", "حفظ"),
    (
        "about.saved",
        "Thank you. Your answers are saved.",
        "Dank u. Uw antwoorden zijn opgeslagen.",
        "Merci. Vos réponses sont enregistrées.",
        "شكراً لك. تم حفظ إجاباتك.",
    ),
    (
        "back",
        "Back to the statements",
        "Terug naar de stellingen",
        "Retour aux affirmations",
        "العودة إلى العبارات",
    ),
];

fn say(l: PLang, key: &str) -> &'static str {
    match STRINGS.iter().find(|e| e.0 == key) {
        Some(e) => match l {
            PLang::En => e.1,
            PLang::Nl => e.2,
            PLang::Fr => e.3,
            PLang::Ar => e.4,
        },
        None => "⚠missing-translation",
    }
}

/// The page's language: asked for (`?lang=`, a form's `lang`), else the language cookie, else
/// the browser's first preference among the conversation's languages, else its first language.
fn choose_lang(p: &Participation, asked: Option<&str>, headers: &HeaderMap) -> PLang {
    let offered: Vec<PLang> = p
        .dialogue
        .languages
        .iter()
        .filter_map(|c| PLang::parse(c))
        .collect();
    let ok = |l: &PLang| offered.contains(l);
    asked
        .and_then(PLang::parse)
        .filter(ok)
        .or_else(|| {
            auth::cookie(headers, LANG_COOKIE)
                .and_then(|c| PLang::parse(&c))
                .filter(ok)
        })
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|h| {
                    h.split(',')
                        .filter_map(|part| PLang::parse(part.split(';').next().unwrap_or("")))
                        .find(ok)
                })
        })
        .or_else(|| offered.first().copied())
        .unwrap_or(PLang::En)
}

/// The CSRF token the forms carry: the session's for a signed-in visitor, else the signed-out
/// double-submit token (and whether its cookie must be set).
fn csrf_token(identity: Option<&Identity>, headers: &HeaderMap) -> (String, bool) {
    if let Some(Identity::Session { info, .. }) = identity {
        return (info.csrf.clone(), false);
    }
    match auth::cookie(headers, auth::PRE_COOKIE) {
        Some(t) => (t, false),
        None => (new_token(TokenKind::Csrf), true),
    }
}

struct Shell<'a> {
    p: &'a Participation,
    lang: PLang,
    token: &'a str,
}

fn shell(s: &Shell, status: StatusCode, content: Markup) -> Response {
    let l = s.lang;
    let d = &s.p.dialogue;
    let body = html! {
        (DOCTYPE)
        html lang=(l.code()) dir=(l.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (d.topic) }
                link rel="stylesheet" href="/static/app.css";
            }
            body.participate {
                main #main {
                    @if d.languages.len() > 1 {
                        nav.plangs aria-label=(say(l, "language")) {
                            @for code in &d.languages {
                                @if let Some(pl) = PLang::parse(code) {
                                    a hreflang=(pl.code()) lang=(pl.code()) href={ "/p/" (s.token) "?lang=" (pl.code()) }
                                        aria-current=[(pl == l).then_some("true")] { (pl.name()) }
                                    " "
                                }
                            }
                        }
                    }
                    h1 { (d.topic) }
                    @if !d.description.is_empty() { p.description { (d.description) } }
                    (content)
                }
            }
        }
    };
    (status, Html(body.into_string())).into_response()
}

/// A bare page for a link that names no conversation (nothing else is said).
fn not_found(headers: &HeaderMap) -> Response {
    let l = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(PLang::parse)
        .unwrap_or(PLang::En);
    let body = html! {
        (DOCTYPE)
        html lang=(l.code()) dir=(l.dir()) {
            head { meta charset="utf-8"; meta name="viewport" content="width=device-width, initial-scale=1";
                title { "404" } link rel="stylesheet" href="/static/app.css"; }
            body.participate { main #main { p.error { (say(l, "notfound")) } } }
        }
    };
    (StatusCode::NOT_FOUND, Html(body.into_string())).into_response()
}

#[derive(Deserialize)]
pub struct ShowQuery {
    lang: Option<String>,
    /// Show this statement (to change a vote) instead of the next one.
    statement: Option<i64>,
    /// What was just done: `vote`, `statement`.
    done: Option<String>,
    /// A personal invitation's secret (the link `/p/{token}?k=…`): becomes the cookie.
    k: Option<String>,
}

struct Page<'a> {
    csrf: &'a str,
    participant: Option<i64>,
    shown: Option<Shown>,
    progress: (i64, i64),
    notice: Option<&'static str>,
    error: Option<(&'static str, StatusCode)>,
    statement_error: Option<&'static str>,
    statement_body: String,
    /// The statements this participant voted on (to change a vote).
    voted: Vec<Shown>,
    /// This participant's answers to the conversation's attribute questions.
    declared: Vec<Option<usize>>,
}

fn vote_label(l: PLang, v: Vote) -> &'static str {
    match v {
        Vote::Agree => say(l, "agree"),
        Vote::Disagree => say(l, "disagree"),
        Vote::Pass => say(l, "pass"),
    }
}

fn render(s: &Shell, pg: Page) -> Response {
    let l = s.lang;
    let d = &s.p.dialogue;
    let openness = d.openness(now_micros());
    let status = pg.error.map(|e| e.1).unwrap_or(StatusCode::OK);
    let status = if pg.statement_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    let content = html! {
        @match openness {
            Openness::Closed => p.notice role="status" { (say(l, "closed")) },
            Openness::NotYetOpen => p.notice role="status" { (say(l, "notyet")) " " (d.opens_at.map(crate::ui::fmt_micros).unwrap_or_default()) " UTC." },
            Openness::Open => {
                @if let Some(n) = pg.notice { p.notice.ok role="status" { (n) } }
                @if let Some((e, _)) = pg.error { p.error role="alert" { (e) } }
                @if pg.participant.is_some() {
                    p.intro { (say(l, "intro")) }
                    p.progress { (say(l, "progress")) ": " strong { (pg.progress.1) } " " (say(l, "of")) " " (pg.progress.0) }
                    @match &pg.shown {
                        Some(st) => {
                            section.card aria-labelledby="statement" {
                                blockquote #statement lang="" dir="auto" { (st.body) }
                                @if let Some(v) = st.vote { p.hint { (say(l, "your.vote")) ": " (vote_label(l, v)) } }
                                form.vote method="post" action={ "/p/" (s.token) "/vote" } {
                                    input type="hidden" name="_csrf" value=(pg.csrf);
                                    input type="hidden" name="lang" value=(l.code());
                                    input type="hidden" name="statement" value=(st.number);
                                    button.agree type="submit" name="vote" value="agree" { (say(l, "agree")) }
                                    button.disagree type="submit" name="vote" value="disagree" { (say(l, "disagree")) }
                                    button.pass type="submit" name="vote" value="pass" { (say(l, "pass")) }
                                }
                            }
                        }
                        None => {
                            @if pg.progress.0 == 0 { p { (say(l, "none")) } } @else { p.notice.ok { (say(l, "done")) } }
                        }
                    }
                    @if !pg.voted.is_empty() {
                        details.voted {
                            summary { (say(l, "your.votes")) }
                            ul { @for v in &pg.voted {
                                li {
                                    span dir="auto" { (v.body) } " — "
                                    strong { (v.vote.map(|x| vote_label(l, x)).unwrap_or("")) } " · "
                                    a href={ "/p/" (s.token) "?lang=" (l.code()) "&statement=" (v.number) } { (say(l, "change")) }
                                }
                            } }
                        }
                    }
                    @if !d.attributes.is_empty() {
                        details.about #about {
                            summary { (say(l, "about")) }
                            p.hint #about-hint { (say(l, "about.hint")) }
                            form.stack method="post" action={ "/p/" (s.token) "/about" } aria-describedby="about-hint" {
                                input type="hidden" name="_csrf" value=(pg.csrf);
                                input type="hidden" name="lang" value=(l.code());
                                @for (i, q) in d.attributes.iter().enumerate() {
                                    @let mine = pg.declared.get(i).copied().flatten();
                                    label for={ "attr-" (i) } dir="auto" { (q.label) }
                                    select id={ "attr-" (i) } name={ "attr-" (i) } {
                                        option value="" { (say(l, "about.none")) }
                                        @for (j, o) in q.options.iter().enumerate() {
                                            option value=(j) selected[mine == Some(j)] dir="auto" { (o) }
                                        }
                                    }
                                }
                                button type="submit" { (say(l, "about.save")) }
                            }
                        }
                    }
                    section.write {
                        h2 { (say(l, "write")) }
                        form.stack method="post" action={ "/p/" (s.token) "/statement" } {
                            input type="hidden" name="_csrf" value=(pg.csrf);
                            input type="hidden" name="lang" value=(l.code());
                            label for="body" { (say(l, "write")) }
                            p.hint #body-hint { (say(l, "write.hint")) }
                            textarea #body name="body" rows="3" maxlength=(STATEMENT_MAX) dir="auto" aria-describedby="body-hint" required { (pg.statement_body) }
                            @if let Some(e) = pg.statement_error { p.error.field-error role="alert" { (e) } }
                            button type="submit" { (say(l, "send")) }
                        }
                    }
                }
            },
        }
    };
    shell(s, status, content)
}

fn with_cookies(mut res: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

fn participant_cookie(token: &str, secret: &str) -> String {
    format!(
        "{PARTICIPANT_COOKIE}={secret}; Path=/p/{token}; HttpOnly; SameSite=Strict; Max-Age={PARTICIPANT_MAX_AGE}"
    )
}

fn lang_cookie(l: PLang) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/p; HttpOnly; SameSite=Strict; Max-Age={PARTICIPANT_MAX_AGE}",
        l.code()
    )
}

async fn participation(state: &AppState, token: &str) -> Result<Option<Participation>, Response> {
    state.store.participation(token).await.map_err(|_| {
        crate::ui::error_page(crate::i18n::Lang::En, StatusCode::SERVICE_UNAVAILABLE, "—")
    })
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    Query(q): Query<ShowQuery>,
    identity: Option<axum::Extension<Identity>>,
    headers: HeaderMap,
) -> Response {
    let p = match participation(&state, &token).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(&headers),
        Err(r) => return r,
    };
    let lang = choose_lang(&p, q.lang.as_deref(), &headers);
    let (csrf, new_csrf) = csrf_token(identity.as_deref(), &headers);
    let s = Shell {
        p: &p,
        lang,
        token: &token,
    };
    let mut cookies = Vec::new();
    if new_csrf {
        cookies.push(auth::set_cookie(
            auth::PRE_COOKIE,
            &csrf,
            PARTICIPANT_MAX_AGE,
            state.config.tls,
        ));
    }
    if q.lang.is_some() {
        cookies.push(lang_cookie(lang));
    }
    let fail = |s: &Shell| {
        render(
            s,
            Page {
                csrf: "",
                participant: None,
                shown: None,
                progress: (0, 0),
                notice: None,
                error: Some((say(lang, "error"), StatusCode::SERVICE_UNAVAILABLE)),
                statement_error: None,
                statement_body: String::new(),
                voted: Vec::new(),
                declared: Vec::new(),
            },
        )
    };
    // A personal invitation link: its secret becomes the participant cookie, and the page is
    // shown at the plain link (the secret leaves the address bar and the history).
    if let Some(k) = q.k.as_deref() {
        return match p.participant(k).await {
            Ok(Some(_)) => {
                cookies.push(participant_cookie(&token, k));
                with_cookies(
                    Redirect::to(&format!("/p/{token}?lang={}", lang.code())).into_response(),
                    &cookies,
                )
            }
            Ok(None) => {
                let page = refused(
                    &s,
                    &csrf,
                    None,
                    say(lang, "invitation.unknown"),
                    StatusCode::NOT_FOUND,
                    None,
                )
                .await;
                with_cookies(page, &cookies)
            }
            Err(_) => with_cookies(fail(&s), &cookies),
        };
    }
    let mut participant = match auth::cookie(&headers, PARTICIPANT_COOKIE) {
        Some(secret) => match p.participant(&secret).await {
            Ok(n) => n,
            Err(_) => return fail(&s),
        },
        None => None,
    };
    if participant.is_none()
        && p.dialogue.invitation_only
        && p.dialogue.openness(now_micros()) == Openness::Open
    {
        let page = refused(
            &s,
            &csrf,
            None,
            say(lang, "invitation.only"),
            StatusCode::FORBIDDEN,
            None,
        )
        .await;
        return with_cookies(page, &cookies);
    }
    if participant.is_none() && p.dialogue.openness(now_micros()) == Openness::Open {
        if !state.participation.joins_address.allow(ip) {
            let page = refused(
                &s,
                &csrf,
                None,
                say(lang, "rate"),
                StatusCode::TOO_MANY_REQUESTS,
                None,
            )
            .await;
            return with_cookies(page, &cookies);
        }
        let secret = new_token(TokenKind::Session);
        match p.join(&secret).await {
            Ok(n) => {
                participant = Some(n);
                cookies.push(participant_cookie(&token, &secret));
            }
            Err(_) => return with_cookies(fail(&s), &cookies),
        }
    }
    let page = match participant {
        Some(n) => {
            let shown = match q.statement {
                Some(st) => p.statement(n, st, lang.code()).await,
                None => p.next(n, lang.code()).await,
            };
            let (shown, progress, voted, declared) = match (
                shown,
                p.progress(n).await,
                p.voted(n, lang.code()).await,
                p.declared(n).await,
            ) {
                (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
                _ => return with_cookies(fail(&s), &cookies),
            };
            let notice = match q.done.as_deref() {
                Some("vote") => Some(say(lang, "voted")),
                Some("statement") if p.moderated_before() => Some(say(lang, "submitted.before")),
                Some("statement") => Some(say(lang, "submitted.after")),
                Some("about") => Some(say(lang, "about.saved")),
                _ => None,
            };
            Page {
                csrf: &csrf,
                participant: Some(n),
                shown,
                progress,
                notice,
                error: None,
                statement_error: None,
                statement_body: String::new(),
                voted,
                declared,
            }
        }
        None => Page {
            csrf: &csrf,
            participant: None,
            shown: None,
            progress: (0, 0),
            notice: None,
            error: None,
            statement_error: None,
            statement_body: String::new(),
            voted: Vec::new(),
            declared: Vec::new(),
        },
    };
    with_cookies(render(&s, page), &cookies)
}

/// The participant of a write: from the cookie, in this conversation only.
async fn writer(p: &Participation, headers: &HeaderMap) -> Result<Option<i64>, ()> {
    match auth::cookie(headers, PARTICIPANT_COOKIE) {
        Some(secret) => p.participant(&secret).await.map_err(|_| ()),
        None => Ok(None),
    }
}

/// A refused write, shown on the conversation's page with its reason and status.
async fn refused(
    s: &Shell<'_>,
    csrf: &str,
    participant: Option<i64>,
    msg: &'static str,
    status: StatusCode,
    body: Option<(String, &'static str)>,
) -> Response {
    let (shown, progress, voted, declared) = match participant {
        Some(n) => (
            s.p.next(n, s.lang.code()).await.ok().flatten(),
            s.p.progress(n).await.unwrap_or((0, 0)),
            s.p.voted(n, s.lang.code()).await.unwrap_or_default(),
            s.p.declared(n).await.unwrap_or_default(),
        ),
        None => (None, (0, 0), Vec::new(), Vec::new()),
    };
    let (statement_body, statement_error) = match body {
        Some((b, e)) => (b, Some(e)),
        None => (String::new(), None),
    };
    render(
        s,
        Page {
            csrf,
            participant,
            shown,
            progress,
            notice: None,
            error: if statement_error.is_some() {
                None
            } else {
                Some((msg, status))
            },
            statement_error,
            statement_body,
            voted,
            declared,
        },
    )
}

fn error_message(l: PLang, e: &ParticipationError) -> (&'static str, StatusCode) {
    match e {
        ParticipationError::Closed => (say(l, "closed"), StatusCode::CONFLICT),
        ParticipationError::NotYetOpen => (say(l, "notyet"), StatusCode::CONFLICT),
        ParticipationError::Unknown => (say(l, "unknown"), StatusCode::FORBIDDEN),
        ParticipationError::NoStatement => (say(l, "nostatement"), StatusCode::NOT_FOUND),
        ParticipationError::Store(grotius_store::StoreError::Invalid(_)) => {
            (say(l, "too.long"), StatusCode::UNPROCESSABLE_ENTITY)
        }
        ParticipationError::Store(_) => (say(l, "error"), StatusCode::SERVICE_UNAVAILABLE),
    }
}

/// Which limits a participant's write counts against.
#[derive(Clone, Copy)]
enum Limit {
    Votes,
    Statements,
}

/// What every participant's write starts with: the conversation the link names, the page's
/// language, the form's CSRF token and the participant of the cookie, within the rate limits;
/// or the page that refuses (404 for no conversation, 403 without a participant, 429 past a
/// limit).
async fn write_prologue(
    state: &AppState,
    token: &str,
    ip: std::net::IpAddr,
    identity: Option<&Identity>,
    headers: &HeaderMap,
    form: &FormPairs,
    limit: Limit,
) -> Result<(Participation, PLang, String, i64), Response> {
    let p = match participation(state, token).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(not_found(headers)),
        Err(r) => return Err(r),
    };
    let lang = choose_lang(&p, form.get("lang"), headers);
    let (csrf, _) = csrf_token(identity, headers);
    let s = Shell { p: &p, lang, token };
    let Ok(participant) = writer(&p, headers).await else {
        return Err(refused(
            &s,
            &csrf,
            None,
            say(lang, "error"),
            StatusCode::SERVICE_UNAVAILABLE,
            None,
        )
        .await);
    };
    let Some(n) = participant else {
        let (msg, status) = match p.dialogue.openness(now_micros()) {
            Openness::Open => (say(lang, "unknown"), StatusCode::FORBIDDEN),
            _ => error_message(lang, &ParticipationError::Closed),
        };
        return Err(refused(&s, &csrf, None, msg, status, None).await);
    };
    let limits = &state.participation;
    let key = (p.dialogue.id.clone(), n);
    let allowed = match limit {
        Limit::Votes => limits.votes_participant.allow(key) && limits.votes_address.allow(ip),
        Limit::Statements => {
            limits.statements_participant.allow(key) && limits.statements_address.allow(ip)
        }
    };
    if !allowed {
        return Err(refused(
            &s,
            &csrf,
            Some(n),
            say(lang, "rate"),
            StatusCode::TOO_MANY_REQUESTS,
            None,
        )
        .await);
    }
    Ok((p, lang, csrf, n))
}

pub async fn vote(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    identity: Option<axum::Extension<Identity>>,
    headers: HeaderMap,
    form: FormPairs,
) -> Response {
    let (p, lang, csrf, n) = match write_prologue(
        &state,
        &token,
        ip,
        identity.as_deref(),
        &headers,
        &form,
        Limit::Votes,
    )
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let s = Shell {
        p: &p,
        lang,
        token: &token,
    };
    let (Some(v), Ok(statement)) = (
        Vote::parse(&form.text("vote")),
        form.text("statement").parse::<i64>(),
    ) else {
        return refused(
            &s,
            &csrf,
            Some(n),
            say(lang, "nostatement"),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        )
        .await;
    };
    match p.vote(n, statement, v).await {
        Ok(()) => {
            Redirect::to(&format!("/p/{token}?lang={}&done=vote", lang.code())).into_response()
        }
        Err(e) => {
            let (msg, status) = error_message(lang, &e);
            refused(&s, &csrf, Some(n), msg, status, None).await
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    identity: Option<axum::Extension<Identity>>,
    headers: HeaderMap,
    form: FormPairs,
) -> Response {
    let (p, lang, csrf, n) = match write_prologue(
        &state,
        &token,
        ip,
        identity.as_deref(),
        &headers,
        &form,
        Limit::Statements,
    )
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let s = Shell {
        p: &p,
        lang,
        token: &token,
    };
    let body = form.text("body");
    let length = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .count();
    if length < grotius_domain::dialogue::STATEMENT_MIN {
        return refused(
            &s,
            &csrf,
            Some(n),
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((body, say(lang, "too.short"))),
        )
        .await;
    }
    if length > STATEMENT_MAX {
        return refused(
            &s,
            &csrf,
            Some(n),
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((body, say(lang, "too.long"))),
        )
        .await;
    }
    match p.submit(n, &body).await {
        Ok(_) => {
            Redirect::to(&format!("/p/{token}?lang={}&done=statement", lang.code())).into_response()
        }
        Err(e) => {
            let (msg, status) = error_message(lang, &e);
            refused(&s, &csrf, Some(n), msg, status, None).await
        }
    }
}

/// A participant's answers to the conversation's attribute questions (`attr-N`: an option
/// number, empty for "prefer not to say"); replaces earlier answers.
pub async fn about(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    identity: Option<axum::Extension<Identity>>,
    headers: HeaderMap,
    form: FormPairs,
) -> Response {
    let (p, lang, csrf, n) = match write_prologue(
        &state,
        &token,
        ip,
        identity.as_deref(),
        &headers,
        &form,
        Limit::Votes,
    )
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let s = Shell {
        p: &p,
        lang,
        token: &token,
    };
    // Empty is "prefer not to say"; anything but an option number is refused below, like a
    // number the question does not offer (`check_answers`).
    let answers: Option<Vec<Option<usize>>> = (0..p.dialogue.attributes.len())
        .map(|i| match form.text(&format!("attr-{i}")) {
            v if v.is_empty() => Some(None),
            v => v.parse().ok().map(Some),
        })
        .collect();
    let declared = match answers {
        Some(a) => p.declare(n, &a).await,
        None => Err(ParticipationError::Store(
            grotius_store::StoreError::invalid("attributes", "an answer is not one of the options"),
        )),
    };
    match declared {
        Ok(()) => {
            Redirect::to(&format!("/p/{token}?lang={}&done=about", lang.code())).into_response()
        }
        Err(ParticipationError::Store(grotius_store::StoreError::Invalid(_))) => {
            refused(
                &s,
                &csrf,
                Some(n),
                say(lang, "error"),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
        Err(e) => {
            let (msg, status) = error_message(lang, &e);
            refused(&s, &csrf, Some(n), msg, status, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_in_four_languages() {
        let mut seen = std::collections::HashSet::new();
        for (k, en, nl, fr, ar) in STRINGS {
            assert!(seen.insert(*k), "duplicate {k}");
            assert!(
                !en.is_empty() && !nl.is_empty() && !fr.is_empty() && !ar.is_empty(),
                "{k}"
            );
        }
        // Every key this file looks up with `say` is in the table.
        let src = include_str!("participate.rs");
        for (i, _) in src.match_indices("say(") {
            let rest = &src[i + 4..];
            let Some(comma) = rest.find(", \"") else {
                continue;
            };
            if rest[..comma].contains(|c: char| !c.is_alphanumeric() && c != '_') {
                continue;
            }
            let key = &rest[comma + 3..];
            let key = &key[..key.find('"').unwrap()];
            assert!(STRINGS.iter().any(|e| e.0 == key), "missing {key}");
        }
        assert_eq!(PLang::Ar.dir(), "rtl");
    }
}
