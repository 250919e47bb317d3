//! Dialogues for the team: the list of conversations and one conversation's results — the
//! opinion map (SVG written by the server: participants on the two components, groups
//! outlined), each group's size and representative statements, majority and group-informed
//! consensus, divisive statements.

use crate::routes::{Routes, get};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use grotius_analysis::dialogue::{DialogueResult, RepfulFor, convex_hull};
use grotius_domain::dialogue::DialogueStatement;
use maud::{Markup, html};

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::{labels_badge, page, store_error};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/dialogues", get(list_page))
        .route("/dialogues/{id}", get(results_page));
    super::run::routes(r);
}

/// Colours of the groups (distinct for colour-blind readers, dark enough on white).
const GROUP_COLOURS: [&str; 5] = ["#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#a16207"];

fn colour(g: usize) -> &'static str {
    GROUP_COLOURS[g % GROUP_COLOURS.len()]
}

/// Group names as Pol.is shows them: A, B, C, …
fn group_name(g: u32) -> String {
    char::from(b'A' + (g % 26) as u8).to_string()
}

fn status_label(l: Lang, status: &str) -> &'static str {
    if status == "open" {
        t(l, "dlg.status.open")
    } else {
        t(l, "dlg.status.closed")
    }
}

pub async fn list_page(v: Viewer) -> Response {
    let l = v.lang;
    let dialogues = match v.access.list_dialogues(500, 0).await {
        Ok(p) => p.items,
        Err(e) => return store_error(l, e),
    };
    let may_create = crate::ui::may_create(&v, grotius_domain::ResourceKind::Dialogue);
    let content = html! {
        h1 { (t(l, "dlg.title")) }
        @if may_create { p { a.button href="/dialogues/new" { (t(l, "dlg.new")) } } }
        @if dialogues.is_empty() {
            p { (t(l, "dlg.none")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (t(l, "dlg.topic")) }
                    th scope="col" { (t(l, "dlg.participants")) }
                    th scope="col" { (t(l, "dlg.statements")) }
                    th scope="col" { (t(l, "dlg.votes")) }
                    th scope="col" { (t(l, "dlg.status")) }
                    th scope="col" { (t(l, "dlg.process")) }
                } }
                tbody { @for d in &dialogues { tr {
                    td { a href={ "/dialogues/" (d.id) } { (d.topic) } " " (labels_badge(l, &d.labels)) }
                    td { (d.participants) }
                    td { (d.statements) }
                    td { (d.votes) }
                    td { (status_label(l, &d.status)) }
                    td { a href={ "/processes/" (d.process_id) } { (t(l, "dlg.process")) } }
                } } }
            }
        }
    };
    page(&v, t(l, "dlg.title"), content)
}

fn moderation_label(l: Lang, s: &DialogueStatement) -> &'static str {
    use grotius_domain::dialogue::Moderation;
    if s.meta {
        t(l, "dlg.mod.meta")
    } else {
        match s.moderation {
            Moderation::Accepted => t(l, "dlg.mod.accepted"),
            Moderation::Unmoderated => t(l, "dlg.mod.waiting"),
            Moderation::Rejected => t(l, "dlg.mod.rejected"),
        }
    }
}

fn statement_text(statements: &[DialogueStatement], n: usize) -> &str {
    statements.get(n).map(|s| s.body.as_str()).unwrap_or("")
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The opinion map: every participant who voted as a dot, clustered ones in their group's
/// colour, each group's convex hull outlined; the numbers are in the title and description.
fn opinion_map(l: Lang, r: &DialogueResult) -> Markup {
    const W: f64 = 640.0;
    const H: f64 = 420.0;
    const PAD: f64 = 24.0;
    let pts: Vec<(usize, [f64; 2])> = r
        .points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i, p)))
        .collect();
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (_, p) in &pts {
        min_x = min_x.min(p[0]);
        max_x = max_x.max(p[0]);
        min_y = min_y.min(p[1]);
        max_y = max_y.max(p[1]);
    }
    let span_x = (max_x - min_x).max(1e-9);
    let span_y = (max_y - min_y).max(1e-9);
    let sx = |x: f64| PAD + (x - min_x) / span_x * (W - 2.0 * PAD);
    let sy = |y: f64| H - PAD - (y - min_y) / span_y * (H - 2.0 * PAD);
    let hulls: Vec<(usize, String)> = r
        .groups
        .iter()
        .map(|g| {
            let members: Vec<[f64; 2]> = pts
                .iter()
                .filter(|(i, _)| r.group_of[*i] == Some(g.id))
                .map(|(_, p)| [sx(p[0]), sy(p[1])])
                .collect();
            let hull = convex_hull(&members);
            let path: Vec<String> = hull
                .iter()
                .map(|p| format!("{:.1},{:.1}", p[0], p[1]))
                .collect();
            (g.id as usize, path.join(" "))
        })
        .collect();
    let desc = format!(
        "{} {} · {}",
        pts.len(),
        t(l, "dlg.participants"),
        r.groups
            .iter()
            .map(|g| format!(
                "{} {}: {} {}",
                t(l, "dlg.group"),
                group_name(g.id),
                g.size,
                t(l, "dlg.size")
            ))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (H) } width="100%" role="img"
            aria-labelledby="opinion-map-title opinion-map-desc" class="opinion-map" font-family="system-ui, sans-serif" {
            title id="opinion-map-title" { (t(l, "dlg.map")) }
            desc id="opinion-map-desc" { (t(l, "dlg.map.desc")) " " (desc) }
            rect x="0" y="0" width=(W) height=(H) fill="#ffffff" stroke="#d5dbe3" {}
            line x1=(format!("{:.1}", sx(0.0))) y1="0" x2=(format!("{:.1}", sx(0.0))) y2=(H) stroke="#eef1f4" {}
            line x1="0" y1=(format!("{:.1}", sy(0.0))) x2=(W) y2=(format!("{:.1}", sy(0.0))) stroke="#eef1f4" {}
            @for (g, path) in &hulls {
                polygon points=(path) fill=(colour(*g)) fill-opacity="0.08" stroke=(colour(*g)) stroke-width="1.5" {}
            }
            @for (i, p) in &pts {
                @match r.group_of[*i] {
                    Some(g) => circle cx=(format!("{:.1}", sx(p[0]))) cy=(format!("{:.1}", sy(p[1]))) r="2.5" fill=(colour(g as usize)) {},
                    None => circle cx=(format!("{:.1}", sx(p[0]))) cy=(format!("{:.1}", sy(p[1]))) r="1.8" fill="#9aa3ad" {},
                }
            }
            @for g in &r.groups {
                text x=(format!("{:.1}", sx(g.centre[0]))) y=(format!("{:.1}", sy(g.centre[1]))) font-size="18" font-weight="bold"
                    text-anchor="middle" fill=(colour(g.id as usize)) stroke="#ffffff" stroke-width="3" paint-order="stroke" {
                    (group_name(g.id))
                }
            }
        }
    }
}

/// What a paper-round import answered, shown beside its form on the results page.
pub(crate) enum PaperOutcome {
    Done(grotius_store::PaperRoundReport),
    Refused(String),
}

pub async fn results_page(v: Viewer, Path(id): Path<String>) -> Response {
    results(&v, &id, None, StatusCode::OK).await
}

/// The paper-round form: the format, the privacy note, the report or the error beside the field.
fn paper_round_form(v: &Viewer, id: &str, paper: Option<&PaperOutcome>) -> Markup {
    let l = v.lang;
    html! {
        section #paper-round {
            h2 { (t(l, "dlg.paper")) }
            p.hint { (t(l, "dlg.paper.help")) }
            p.hint { (t(l, "dlg.paper.privacy")) }
            @if let Some(PaperOutcome::Done(r)) = paper {
                div.notice role="status" #paper-report {
                    p { strong { (t(l, "dlg.paper.done")) } }
                    @if !r.changed() { p { (t(l, "dlg.paper.nothing")) } }
                    ul {
                        li { (r.sheets) " " (t(l, "dlg.paper.sheets")) ": " (r.participants_added) " " (t(l, "dlg.paper.added")) ", " (r.participants_updated) " " (t(l, "dlg.paper.updated")) ", " (r.participants_unchanged) " " (t(l, "dlg.paper.unchanged")) }
                        li { (r.votes) " " (t(l, "dlg.paper.votes")) " (" (r.votes_changed) " " (t(l, "dlg.paper.changed")) ")" }
                        li { (r.skipped_cells) " " (t(l, "dlg.paper.skipped")) }
                        @if r.answers > 0 { li { (r.answers) " " (t(l, "dlg.paper.answers")) } }
                    }
                }
            }
            form.stack method="post" action={ "/dialogues/" (id) "/paper-round?_csrf=" (url_encode(&v.csrf)) } enctype="multipart/form-data" {
                label for="paper-file" { (t(l, "dlg.paper.file")) " (" (t(l, "form.required")) ")" }
                input #paper-file type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                @if let Some(PaperOutcome::Refused(e)) = paper { p.error.field-error role="alert" { (e) } }
                div.actions { button type="submit" { (t(l, "dlg.paper.submit")) } }
            }
        }
    }
}

/// The results page, with the outcome of a paper-round import when there is one.
pub(crate) async fn results(
    v: &Viewer,
    id: &str,
    paper: Option<PaperOutcome>,
    status: StatusCode,
) -> Response {
    let id = id.to_string();
    let l = v.lang;
    let data = match v.access.dialogue_results(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let d = &data.dialogue;
    let st = &data.statements;
    let (activity, inclusion) = (&data.activity, &data.inclusion);
    let may_update = v.access.may(
        grotius_domain::Action::Update,
        grotius_domain::Resource::labelled(grotius_domain::ResourceKind::Dialogue, &d.labels),
    );
    let may_export = v.access.may(
        grotius_domain::Action::Export,
        grotius_domain::Resource::labelled(grotius_domain::ResourceKind::Dialogue, &d.labels),
    );
    // The page is the printable report: printed, it keeps the facts, the participation over
    // time and the results, and drops every form, the participation link (a secret) and the
    // downloads (app.css, `article.dialogue-report`).
    let content = html! {
        article.dialogue-report {
        p.no-print { a href="/dialogues" { "← " (t(l, "dlg.title")) } " · " a href={ "/processes/" (d.process_id) } { (t(l, "dlg.process")) } }
        p.print-only { (t(l, "dlg.report.printed")) " " (crate::ui::fmt_micros(grotius_security::now_micros())) " UTC" }
        h1 { (d.topic) " " (labels_badge(l, &d.labels)) }
        @if !d.description.is_empty() { p { (d.description) } }
        dl.facts {
            dt { (t(l, "dlg.participants")) } dd { (d.participants) }
            dt { (t(l, "dlg.statements")) } dd { (d.statements) }
            dt { (t(l, "dlg.votes")) } dd { (d.votes) }
            dt { (t(l, "dlg.status")) } dd { (status_label(l, &d.status)) }
            dt { (t(l, "dlg.source")) } dd { (d.source) }
            dt { (t(l, "dlg.method")) } dd { (d.method.as_deref().unwrap_or("—")) }
            dt { (t(l, "dlg.languages")) } dd { (d.languages.iter().map(|c| super::run::language_name(c)).collect::<Vec<_>>().join(", ")) }
            @if let Some(o) = d.opens_at { dt { (t(l, "dlg.opens")) } dd { (crate::ui::fmt_micros(o)) " UTC" } }
            @if let Some(c) = d.closes_at { dt { (t(l, "dlg.closes")) } dd { (crate::ui::fmt_micros(c)) " UTC" } }
            @if d.link_token.is_some() {
                @if d.invitation_only { dt { (t(l, "dlg.invitation_only")) } dd { "✓" } }
                dt { (t(l, "dlg.moderation.mode")) }
                dd { (if d.moderation_mode == grotius_domain::dialogue::ModerationMode::Before { t(l, "dlg.moderation.before") } else { t(l, "dlg.moderation.after") }) }
            }
        }
        @if let Some(token) = &d.link_token {
            div.no-print {
                h2 { (t(l, "dlg.link")) }
                p.hint { (t(l, "dlg.link.hint")) }
                p { a #participation-link href={ "/p/" (token) } { "/p/" (token) } }
            }
        }
        @if may_update {
            div.actions {
                form.inline method="post" action={ "/dialogues/" (d.id) "/status" } {
                    (crate::ui::csrf_field(v))
                    @if d.status == "open" {
                        input type="hidden" name="status" value="closed";
                        button type="submit" { (t(l, "dlg.close")) }
                    } @else {
                        input type="hidden" name="status" value="open";
                        button type="submit" { (t(l, "dlg.reopen")) }
                    }
                }
                @if d.link_token.is_some() { a.button href={ "/dialogues/" (d.id) "/moderation" } { (t(l, "dlg.queue")) } }
            }
            @if d.link_token.is_some() {
                form.inline method="post" action={ "/dialogues/" (d.id) "/invitations" } {
                    (crate::ui::csrf_field(v))
                    label for="count" { (t(l, "dlg.invitations.count")) }
                    input #count type="number" name="count" min="1" max="500" value="10" required;
                    button type="submit" { (t(l, "dlg.invitations.make")) }
                }
            }
            @if d.link_token.is_some() { (paper_round_form(v, &d.id, paper.as_ref())) }
            @if data.stale {
                form.inline method="post" action={ "/dialogues/" (d.id) "/recompute" } {
                    (crate::ui::csrf_field(v))
                    p.hint { (t(l, "dlg.stale")) }
                    button type="submit" { (t(l, "dlg.recompute")) }
                }
            }
        }
        @if may_export {
            div.no-print {
            h2 { (t(l, "dlg.export")) }
            p.hint { (t(l, "dlg.export.hint")) }
            ul {
                li { a href={ "/dialogues/" (d.id) "/export/" (super::run::RESULTS_XLSX) } download { (t(l, "dlg.export.xlsx")) } }
                @for f in grotius_store::PolisFile::ALL {
                    li { a href={ "/dialogues/" (d.id) "/export/" (f.name()) } download { (f.name()) } }
                }
            }
            p.hint { (t(l, "dlg.report.print")) }
            }
        }
        @if d.link_token.is_some() {
            h2 #statements { (t(l, "dlg.statements")) }
            ol.statements { @for s in st {
                li value=(s.number) {
                    (s.body)
                    " · " span.hint { (moderation_label(l, s)) }
                    @if let Some(r) = &s.reason { " · " span.hint { (r) } }
                    @if may_update && d.languages.len() > 1 {
                        details.translate {
                            summary { (t(l, "dlg.translate")) }
                            form.inline method="post" action={ "/dialogues/" (d.id) "/statements/" (s.number) "/translation" } {
                                (crate::ui::csrf_field(v))
                                label for={ "tr-lang-" (s.number) } { (t(l, "dlg.translate.lang")) }
                                select id={ "tr-lang-" (s.number) } name="lang" {
                                    @for c in &d.languages { option value=(c) { (super::run::language_name(c)) } }
                                }
                                label for={ "tr-body-" (s.number) } { (t(l, "dlg.translate.body")) }
                                input id={ "tr-body-" (s.number) } type="text" name="body" required maxlength="280" dir="auto";
                                button type="submit" { (t(l, "dlg.translate.save")) }
                            }
                        }
                    }
                }
            } }
            @if may_update {
                form.stack method="post" action={ "/dialogues/" (d.id) "/statements" } {
                    (crate::ui::csrf_field(v))
                    label for="body" { (t(l, "dlg.statement.add")) }
                    input #body type="text" name="body" required maxlength="280";
                    div.actions { button type="submit" { (t(l, "dlg.statement.addbutton")) } }
                }
            }
        }
        @if !activity.is_empty() { (activity_section(l, activity)) }
        @match &data.results {
            None => {
                p { (t(l, "dlg.notcomputed")) }
                @if !inclusion.is_empty() { (super::inclusion::section(l, inclusion, None, st)) }
            },
            Some(r) => {
                h2 { (t(l, "dlg.map")) }
                p.hint { (t(l, "dlg.map.desc")) }
                (opinion_map(l, r))
                p { (r.clustered()) " " (t(l, "dlg.clustered")) " · " (t(l, "dlg.groups")) ": " (r.groups.len()) }
                h2 { (t(l, "dlg.groups")) }
                @for g in &r.groups {
                    section.group {
                        h3 { span style={ "color:" (colour(g.id as usize)) } { (t(l, "dlg.group")) " " (group_name(g.id)) } " · " (g.size) " " (t(l, "dlg.size")) }
                        h4 { (t(l, "dlg.representative")) }
                        ol { @for rep in &g.representative {
                            li {
                                (statement_text(st, rep.statement))
                                " — "
                                strong { (pct(rep.p_success)) " " (if rep.repful_for == RepfulFor::Agree { t(l, "dlg.agree") } else { t(l, "dlg.disagree") }) }
                                " " (t(l, "dlg.ingroup")) " (×" (format!("{:.1}", rep.repness)) ", " (rep.n_success) "/" (rep.n_trials) ")"
                            }
                        } }
                    }
                }
                @if !inclusion.is_empty() { (super::inclusion::section(l, inclusion, Some(r), st)) }
                h2 { (t(l, "dlg.consensus")) }
                @if r.consensus_agree.is_empty() && r.consensus_disagree.is_empty() {
                    p { (t(l, "dlg.consensus.none")) }
                } @else {
                    ul {
                        @for c in &r.consensus_agree { li { (statement_text(st, c.statement)) " — " strong { (pct(c.p_success)) " " (t(l, "dlg.agree")) } " (" (c.n_success) "/" (c.n_trials) ")" } }
                        @for c in &r.consensus_disagree { li { (statement_text(st, c.statement)) " — " strong { (pct(c.p_success)) " " (t(l, "dlg.disagree")) } " (" (c.n_success) "/" (c.n_trials) ")" } }
                    }
                }
                @if r.groups.len() >= 2 {
                    h2 { (t(l, "dlg.gac")) }
                    p.hint { (t(l, "dlg.gac.desc")) }
                    (ranked_table(l, r, st, Ranking::Consensus))
                    h2 { (t(l, "dlg.divisive")) }
                    p.hint { (t(l, "dlg.divisive.desc")) }
                    (ranked_table(l, r, st, Ranking::Divisive))
                }
            }
        }
        }
    };
    let mut res = page(v, &d.topic, content);
    *res.status_mut() = status;
    res
}

/// Participation over time: votes cast per day (per month past 45 days), with joins and
/// statements written beside each bar.
fn activity_section(l: Lang, days: &[grotius_store::ActivityDay]) -> Markup {
    let monthly = days.len() > 45;
    let mut buckets: Vec<(String, i64, i64, i64)> = Vec::new();
    for a in days {
        let key = if monthly {
            a.day[..7].to_string()
        } else {
            a.day.clone()
        };
        match buckets.last_mut() {
            Some(b) if b.0 == key => {
                b.1 += a.joins;
                b.2 += a.votes;
                b.3 += a.statements;
            }
            _ => buckets.push((key, a.joins, a.votes, a.statements)),
        }
    }
    let bars: Vec<crate::ui::chart::Bar> = buckets
        .iter()
        .map(|(k, j, v, s)| crate::ui::chart::Bar {
            label: k.clone(),
            value: *v as f64,
            text: format!("{v} · +{j} · {s}"),
        })
        .collect();
    html! {
        h2 #activity { (t(l, "dlg.activity")) }
        p.hint { (t(l, "dlg.activity.desc")) }
        (crate::ui::chart::bar_chart("dlg-activity", t(l, "dlg.activity"), t(l, "dlg.activity.desc"), &bars, None))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ranking {
    Consensus,
    Divisive,
}

/// The top ten statements by group-informed consensus or by divisiveness, with each group's
/// agree rate.
fn ranked_table(l: Lang, r: &DialogueResult, st: &[DialogueStatement], by: Ranking) -> Markup {
    let mut rows: Vec<&grotius_analysis::dialogue::StatementResult> = r
        .statements
        .iter()
        .filter(|s| !s.moderated_out && s.tally.seen > 0)
        .collect();
    let key = |s: &grotius_analysis::dialogue::StatementResult| match by {
        Ranking::Consensus => s.group_consensus_normalised,
        Ranking::Divisive => s.divisiveness,
    };
    rows.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then(a.statement.cmp(&b.statement))
    });
    html! {
        table {
            thead { tr {
                th scope="col" { (t(l, "dlg.statement")) }
                th scope="col" { (if by == Ranking::Consensus { t(l, "dlg.score") } else { t(l, "dlg.gap") }) }
                @for g in &r.groups { th scope="col" { (t(l, "dlg.rate")) " " (group_name(g.id)) } }
            } }
            tbody { @for s in rows.iter().take(10) { tr {
                td { (statement_text(st, s.statement)) }
                td { (format!("{:.2}", key(s))) }
                @for g in &r.groups {
                    td { (group_rate(r, g.id, s.statement)) }
                }
            } } }
        }
    }
}

/// A group's (Laplace-smoothed) agree rate on a statement.
fn group_rate(r: &DialogueResult, g: u32, statement: usize) -> String {
    r.group_agree
        .get(g as usize)
        .and_then(|rates| rates.get(statement))
        .map(|x| pct(*x))
        .unwrap_or_default()
}
