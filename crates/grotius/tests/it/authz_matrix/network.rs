//! The network: actors and relationships.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    // The network. Readers: admin, coordinator, desk officer, analyst, adviser (no evidence role).
    row("GET",    "/api/v1/actors",                     Body::None, read(NETWORK_READ, NO_LABELS)),
    row("GET",    "/api/v1/actors/{actor_public}",      Body::None, read(NETWORK_READ, NO_LABELS)),
    row("GET",    "/api/v1/actors/{actor_yemen}",       Body::None, read(UNIT_HEAD, CONF_YEMEN)),
    row("POST",   "/api/v1/actors",                     Body::Actor, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 201)),
    row("PUT",    "/api/v1/actors/{actor_public}",      Body::Actor, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 200)),
    row("PUT",    "/api/v1/actors/{actor_yemen}",       Body::ActorYemen, write(UNIT_HEAD, UNIT_HEAD, CONF_YEMEN, 200)),
    row("DELETE", "/api/v1/actors/{fresh_actor}",       Body::None, write(NETWORK_READ, UNIT_HEAD, NO_LABELS, 204)),
    row("GET",    "/api/v1/actors/{actor_public}/relationships", Body::None, read(NETWORK_READ, NO_LABELS)),
    row("GET",    "/api/v1/actors/{actor_public}/ego",  Body::None, read(NETWORK_READ, NO_LABELS)),
    row("GET",    "/api/v1/actors/{actor_yemen}/ego",   Body::None, read(UNIT_HEAD, CONF_YEMEN)),
    row("GET",    "/api/v1/actors/{actor_public}/introductions", Body::None, read(NETWORK_READ, NO_LABELS)),
    row("GET",    "/api/v1/network/brokers",            Body::None, read(NETWORK_READ, NO_LABELS)),
    row("POST",   "/api/v1/relationships",              Body::Relationship, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 201)),
    row("DELETE", "/api/v1/relationships/{fresh_relationship}", Body::None, write(NETWORK_READ, UNIT_HEAD, NO_LABELS, 204)),
    row("DELETE", "/api/v1/relationships/{rel_yemen}",  Body::None, write(UNIT_HEAD, UNIT_HEAD, CONF_YEMEN, 204)),
    row("GET",    "/network",                           Body::None, read(NETWORK_READ, NO_LABELS)),
    row("GET",    "/network/actors/{actor_yemen}",      Body::None, read(UNIT_HEAD, CONF_YEMEN)),
    // The actor and relationship forms.
    row("GET",    "/network/actors/new",                Body::None, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 200)),
    row("POST",   "/network/actors",                    Body::Form(&[("name", "UI actor {n}"), ("kind", "person"), ("category", "mediator"), ("classification", "public")]), write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 303)),
    row("GET",    "/network/actors/{actor_public}",     Body::None, read(NETWORK_READ, NO_LABELS)),
    row("GET",    "/network/actors/{actor_public}/edit", Body::None, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 200)),
    row("GET",    "/network/actors/{actor_yemen}/edit", Body::None, write(NETWORK_READ, MEDIATION_WRITE, CONF_YEMEN, 200)),
    row("POST",   "/network/actors/{actor_public}",     Body::Form(&[("name", "Public mediator"), ("kind", "organisation"), ("category", "mediator"), ("classification", "public")]), write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 303)),
    row("POST",   "/network/actors/{fresh_actor}/delete", Body::Form(&[]), write(NETWORK_READ, UNIT_HEAD, NO_LABELS, 303)),
    row("POST",   "/network/relationships",             Body::Form(&[("actor", "{actor_public}"), ("other", "{actor_other}"), ("direction", "out"), ("kind", "knows"), ("classification", "internal")]), write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 303)),
    row("POST",   "/network/relationships/{fresh_relationship}/delete", Body::Form(&[]), write(NETWORK_READ, UNIT_HEAD, NO_LABELS, 303)),
];
