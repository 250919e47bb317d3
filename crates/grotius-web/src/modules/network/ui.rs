//! The network: actors with search, an actor's relationships, its ego network as a picture,
//! "who can introduce us", brokers; forms for actors and relationships.

use crate::routes::{Routes, get, post};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::network::{self as net, Actor, ActorInput, RelationshipInput};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{ActorFilter, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::t;
use crate::modules::network::svg::{colour, ego_svg};
use crate::ui::{
    FormPairs, classification_select, csrf_field, form_failure, labels_badge, may_create, page,
    store_error, term_label, vocab_options,
};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/network", get(list))
        .route("/network/actors", post(create))
        .route("/network/actors/new", get(new_form))
        .route("/network/actors/{id}", get(show).post(update))
        .route("/network/actors/{id}/edit", get(edit_form))
        .route("/network/actors/{id}/delete", post(delete))
        .route("/network/relationships", post(create_relationship))
        .route(
            "/network/relationships/{id}/delete",
            post(delete_relationship),
        );
}

const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    category: Option<String>,
    country: Option<String>,
    offset: Option<i64>,
}

async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let filter = ActorFilter {
        q: q.q.clone(),
        category: q.category.clone(),
        country: q.country.clone(),
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let actors = match v.access.list_actors(&filter, PAGE, offset).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let brokers = match v.access.brokers(10).await {
        Ok(b) => b,
        Err(e) => return store_error(l, e),
    };
    let qs = |off: i64| {
        format!(
            "/network?q={}&category={}&country={}&offset={off}",
            url_encode(q.q.as_deref().unwrap_or("")),
            url_encode(q.category.as_deref().unwrap_or("")),
            url_encode(q.country.as_deref().unwrap_or(""))
        )
    };
    let content = html! {
        h1 { (t(l, "net.title")) }
        @if may_create(&v, ResourceKind::Actor) { p { a.button href="/network/actors/new" { (t(l, "net.actor.new")) } } }
        h2 { (t(l, "net.actors")) }
        form.filters method="get" action="/network" role="search" {
            label for="q" { (t(l, "proc.search")) input #q type="text" name="q" value=(q.q.clone().unwrap_or_default()); }
            label for="category" { (t(l, "net.category")) select #category name="category" { (vocab_options(l, net::ACTOR_CATEGORIES, q.category.as_deref().unwrap_or(""), true)) } }
            label for="country" { "ISO" input #country type="text" name="country" size="4" value=(q.country.clone().unwrap_or_default()); }
            button type="submit" { (t(l, "proc.filter")) }
        }
        @if actors.items.is_empty() { p { (t(l, "net.none")) } } @else {
            table {
                thead { tr { th { (t(l, "net.name")) } th { (t(l, "net.category")) } th { (t(l, "proc.countries.col")) } th { (t(l, "labels.classification")) } } }
                tbody { @for a in &actors.items { tr {
                    td { a href={ "/network/actors/" (a.id) } { (a.name) } }
                    td { (term_label(l, net::ACTOR_CATEGORIES, &a.category)) }
                    td { (a.country.clone().unwrap_or_default()) }
                    td { (labels_badge(l, &a.labels)) }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + actors.items.len() as i64) " " (t(l, "pager.of")) " " (actors.total) }
            @if offset + PAGE < actors.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
        }
        h2 #brokers { (t(l, "net.brokers")) }
        p.muted { (t(l, "net.brokers.help")) }
        table {
            thead { tr { th { (t(l, "net.name")) } th { (t(l, "net.category")) } th { (t(l, "net.score")) } } }
            tbody { @for (id, score) in &brokers.answer { tr {
                td { a href={ "/network/actors/" (id) } { (brokers.names.get(id).map(|n| n.0.as_str()).unwrap_or("?")) } }
                td { (term_label(l, net::ACTOR_CATEGORIES, brokers.names.get(id).map(|n| n.1.as_str()).unwrap_or(""))) }
                td { (format!("{score:.1}")) }
            } } }
        }
    };
    page(&v, t(l, "net.title"), content)
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    depth: Option<u32>,
}

async fn show(v: Viewer, Path(id): Path<String>, Query(q): Query<ShowQuery>) -> Response {
    let l = v.lang;
    let a = match v.access.get_actor(&id).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    let depth = q.depth.unwrap_or(2).clamp(1, 3);
    let rels = match v.access.actor_relationships(&id).await {
        Ok(r) => r,
        Err(e) => return store_error(l, e),
    };
    let ego = match v.access.ego_network(&id, depth, 80).await {
        Ok(e) => e,
        Err(e) => return store_error(l, e),
    };
    let intro = match v.access.introductions(&id, 3).await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    let may_edit = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Actor, &a.labels),
    );
    let may_delete = v.access.may(
        Action::Delete,
        Resource::labelled(ResourceKind::Actor, &a.labels),
    );
    let may_relate = may_create(&v, ResourceKind::Relationship);
    let others = if may_relate {
        v.access
            .list_actors(&ActorFilter::default(), 500, 0)
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let name_of = |id: &String| {
        intro
            .names
            .get(id)
            .map(|n| n.0.clone())
            .unwrap_or_else(|| "?".into())
    };
    let content = html! {
        h1 { (a.name) " " (labels_badge(l, &a.labels)) }
        dl.facts {
            dt { (t(l, "net.kind")) } dd { (term_label(l, net::ACTOR_KINDS, &a.kind)) }
            dt { (t(l, "net.category")) } dd { (term_label(l, net::ACTOR_CATEGORIES, &a.category)) }
            dt { (t(l, "proc.countries.col")) } dd { (a.country.as_deref().and_then(grotius_domain::reference::country).map(|c| c.name.as_str()).unwrap_or("—")) }
            dt { (t(l, "net.description")) } dd { (a.description) }
            @if !a.notes.is_empty() { dt { (t(l, "net.notes")) } dd { (a.notes) } }
        }
        div.actions {
            @if may_edit { a.button href={ "/network/actors/" (a.id) "/edit" } { (t(l, "net.actor.edit")) } }
            @if may_delete {
                form.inline method="post" action={ "/network/actors/" (a.id) "/delete" } data-confirm=(t(l, "net.actor.delete.confirm")) {
                    (csrf_field(&v)) button.danger type="submit" { (t(l, "net.actor.delete")) }
                }
            }
        }
        h2 #introductions { (t(l, "net.intro")) }
        p.muted { (t(l, "net.intro.help")) }
        @if a.category == "ours" { p { (t(l, "net.intro.self")) } } @else if intro.answer.is_empty() { p { (t(l, "net.intro.none")) } } @else {
            ol.paths { @for path in &intro.answer { li {
                @for (i, step) in path.iter().enumerate() {
                    @if i > 0 { " → " }
                    a href={ "/network/actors/" (step) } { (name_of(step)) }
                }
            } } }
        }
        h2 #ego { (t(l, "net.ego")) }
        form.filters method="get" action={ "/network/actors/" (a.id) } {
            label for="depth" { (t(l, "net.ego.depth")) select #depth name="depth" { @for d in 1..=3u32 { option value=(d) selected[d == depth] { (d) } } } }
            button type="submit" { (t(l, "net.ego.show")) }
        }
        (ego_svg(&ego.answer, &ego.names, &format!("{} — {}", t(l, "net.ego"), a.name), t(l, "net.ego.desc")))
        @if ego.answer.truncated > 0 { p.muted { (ego.answer.truncated) " " (t(l, "net.ego.more")) } }
        p.legend { (t(l, "net.legend")) ": "
            @for c in net::ACTOR_CATEGORIES { span.swatch { svg width="12" height="12" aria-hidden="true" { circle cx="6" cy="6" r="5" fill=(colour(c.code)) {} } " " (c.label(l.code())) " " } }
        }
        h2 #relationships { (t(l, "net.relationships")) }
        @if rels.is_empty() { p { (t(l, "net.rel.none")) } } @else {
            table {
                thead { tr { th { (t(l, "net.rel.kind")) } th { (t(l, "net.rel.other")) } th { (t(l, "net.rel.since")) } th { (t(l, "net.rel.holder")) } th { (t(l, "net.rel.last")) } th { (t(l, "net.rel.channel")) } th { (t(l, "net.rel.source")) } th { (t(l, "net.rel.sensitivity")) } th {} } }
                tbody { @for (r, other) in &rels { tr {
                    td { @if r.from_actor == a.id { (term_label(l, net::RELATIONSHIP_KINDS, &r.kind)) " →" } @else { "← " (term_label(l, net::RELATIONSHIP_KINDS, &r.kind)) } }
                    td { a href={ "/network/actors/" (other.id) } { (other.name) } }
                    td { (r.since.clone().unwrap_or_default()) @if let Some(u) = &r.until { " – " (u) } }
                    td { (r.holder.clone().unwrap_or_default()) }
                    td { (r.last_contact.clone().unwrap_or_default()) }
                    td { (r.channel.as_deref().map(|c| term_label(l, net::CHANNELS, c)).unwrap_or_default()) }
                    td { (r.source) }
                    td { (labels_badge(l, &r.labels)) }
                    td { @if v.access.may(Action::Delete, Resource::labelled(ResourceKind::Relationship, &r.labels)) {
                        form.inline method="post" action={ "/network/relationships/" (r.id) "/delete" } {
                            (csrf_field(&v)) input type="hidden" name="back" value=(a.id); button.secondary type="submit" { (t(l, "net.rel.delete")) }
                        }
                    } }
                } } }
            }
        }
        @if may_relate {
            details { summary { (t(l, "net.rel.new")) }
                (relationship_form(&v, &a, &others))
            }
        }
    };
    page(&v, &a.name, content)
}

fn relationship_form(v: &Viewer, a: &Actor, others: &[Actor]) -> Markup {
    let l = v.lang;
    html! {
        form #relationship-create.stack method="post" action="/network/relationships" {
            (csrf_field(v))
            input type="hidden" name="actor" value=(a.id);
            label for="rel-direction" { (t(l, "net.rel.direction")) }
            select #rel-direction name="direction" { option value="out" { (t(l, "net.rel.outgoing")) } option value="in" { (t(l, "net.rel.incoming")) } }
            label for="rel-kind" { (t(l, "net.rel.kind")) }
            select #rel-kind name="kind" { (vocab_options(l, net::RELATIONSHIP_KINDS, "knows", false)) }
            label for="rel-other" { (t(l, "net.rel.other")) }
            select #rel-other name="other" { @for o in others.iter().filter(|o| o.id != a.id) { option value=(o.id) { (o.name) } } }
            label for="rel-since" { (t(l, "net.rel.since")) } input #rel-since type="date" name="since";
            label for="rel-holder" { (t(l, "net.rel.holder")) } input #rel-holder type="text" name="holder" value=(v.access.subject().username);
            label for="rel-last" { (t(l, "net.rel.last")) } input #rel-last type="date" name="last_contact";
            label for="rel-channel" { (t(l, "net.rel.channel")) } select #rel-channel name="channel" { option value="" { "—" } (vocab_options(l, net::CHANNELS, "", false)) }
            label for="rel-source" { (t(l, "net.rel.source")) } input #rel-source type="text" name="source";
            label for="classification" { (t(l, "net.rel.sensitivity")) } (classification_select(l, v.access.subject().clearance, "internal"))
            (compartment_select(v, a.labels.compartment.as_ref().map(|c| c.as_str())))
            div.actions { button type="submit" { (t(l, "form.save")) } }
        }
    }
}

fn compartment_select(v: &Viewer, selected: Option<&str>) -> Markup {
    let l = v.lang;
    html! {
        label for="compartment" { (t(l, "labels.compartment")) }
        select #compartment name="compartment" {
            option value="" { (t(l, "labels.no-compartment")) }
            @for c in &v.access.subject().compartments { option value=(c) selected[selected == Some(c.as_str())] { (c) } }
        }
    }
}

async fn form_page(
    v: &Viewer,
    action: &str,
    title: &str,
    input: &ActorInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let content = html! {
        h1 { (title) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="name" { (t(l, "net.name")) " (" (t(l, "form.required")) ")" }
            input #name type="text" name="name" value=(input.name) required maxlength="200";
            label for="kind" { (t(l, "net.kind")) } select #kind name="kind" { (vocab_options(l, net::ACTOR_KINDS, &input.kind, false)) }
            label for="category" { (t(l, "net.category")) } select #category name="category" { (vocab_options(l, net::ACTOR_CATEGORIES, &input.category, false)) }
            label for="country" { (t(l, "net.country")) } input #country type="text" name="country" value=(input.country.clone().unwrap_or_default());
            label for="description" { (t(l, "net.description")) } textarea #description name="description" { (input.description) }
            label for="notes" { (t(l, "net.notes")) } textarea #notes name="notes" { (input.notes) }
            label for="classification" { (t(l, "labels.classification")) } (classification_select(l, v.access.subject().clearance, &input.classification))
            (compartment_select(v, input.compartment.as_deref()))
            div.actions { button type="submit" { (t(l, "form.save")) } a href="/network" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, title, content);
    *res.status_mut() = status;
    res
}

fn input_from_form(f: &FormPairs) -> ActorInput {
    ActorInput {
        name: f.text("name"),
        kind: f.text("kind"),
        category: f.text("category"),
        country: f.get("country").map(str::to_string),
        description: f.text("description"),
        notes: f.text("notes"),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
    }
}

async fn new_form(v: Viewer) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Actor))
        .await
    {
        return store_error(l, e);
    }
    let input = ActorInput {
        kind: "person".into(),
        category: "civil-society".into(),
        classification: "internal".into(),
        ..Default::default()
    };
    form_page(
        &v,
        "/network/actors",
        t(l, "net.actor.new"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

async fn create(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_actor(&input).await {
        Ok(a) => Redirect::to(&format!("/network/actors/{}", a.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(
                    &v,
                    "/network/actors",
                    t(l, "net.actor.new"),
                    &input,
                    Some(msg),
                    status,
                )
                .await
            }
            Err(e) => store_error(l, e),
        },
    }
}

async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let a = match v.access.get_actor(&id).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Actor, &a.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let input = ActorInput {
        name: a.name,
        kind: a.kind,
        category: a.category,
        country: a.country,
        description: a.description,
        notes: a.notes,
        classification: a.labels.classification.as_str().into(),
        compartment: a.labels.compartment.map(|c| c.to_string()),
    };
    form_page(
        &v,
        &format!("/network/actors/{id}"),
        t(l, "net.actor.edit"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_actor(&id, &input).await {
        Ok(a) => Redirect::to(&format!("/network/actors/{}", a.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(
                    &v,
                    &format!("/network/actors/{id}"),
                    t(l, "net.actor.edit"),
                    &input,
                    Some(msg),
                    status,
                )
                .await
            }
            Err(e) => store_error(l, e),
        },
    }
}

async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_actor(&id).await {
        Ok(()) => Redirect::to("/network").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

async fn create_relationship(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let actor = form.text("actor");
    let other = form.text("other");
    let (from, to) = if form.get("direction") == Some("in") {
        (other, actor.clone())
    } else {
        (actor.clone(), other)
    };
    let input = RelationshipInput {
        from_actor: from,
        to_actor: to,
        kind: form.text("kind"),
        since: form.get("since").map(str::to_string),
        until: form.get("until").map(str::to_string),
        holder: form.get("holder").map(str::to_string),
        last_contact: form.get("last_contact").map(str::to_string),
        channel: form.get("channel").map(str::to_string),
        source: form.text("source"),
        classification: form.text("classification"),
        compartment: form.get("compartment").map(str::to_string),
    };
    match v.access.create_relationship(&input).await {
        Ok(_) => Redirect::to(&format!(
            "/network/actors/{}#relationships",
            crate::auth::url_encode(&actor)
        ))
        .into_response(),
        Err(StoreError::Invalid(d)) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        Err(e) => store_error(l, e),
    }
}

async fn delete_relationship(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v.access.delete_relationship(&id).await {
        Ok(()) => Redirect::to(&format!(
            "/network/actors/{}#relationships",
            url_encode(&form.text("back"))
        ))
        .into_response(),
        Err(e) => store_error(v.lang, e),
    }
}
