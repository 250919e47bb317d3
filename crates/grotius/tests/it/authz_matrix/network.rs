//! The network: actors and relationships.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    // The network. Readers: admin, coordinator, desk officer, analyst, adviser (no evidence role).
    row("GET",    "/api/v1/actors",                     Body::None, read(NETWORK_READ, NO_LABELS), [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}",      Body::None, read(NETWORK_READ, NO_LABELS), [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_yemen}",       Body::None, read(UNIT_HEAD, CONF_YEMEN), [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/actors",                     Body::Actor, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 201), [403, 201, 201, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/actors/{actor_public}",      Body::Actor, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 200), [403, 200, 200, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/actors/{actor_yemen}",       Body::ActorYemen, write(UNIT_HEAD, UNIT_HEAD, CONF_YEMEN, 200), [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/actors/{fresh_actor}",       Body::None, write(NETWORK_READ, UNIT_HEAD, NO_LABELS, 204), [403, 204, 403, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}/relationships", Body::None, read(NETWORK_READ, NO_LABELS), [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}/ego",  Body::None, read(NETWORK_READ, NO_LABELS), [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_yemen}/ego",   Body::None, read(UNIT_HEAD, CONF_YEMEN), [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}/introductions", Body::None, read(NETWORK_READ, NO_LABELS), [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/network/brokers",            Body::None, read(NETWORK_READ, NO_LABELS), [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("POST",   "/api/v1/relationships",              Body::Relationship, write(NETWORK_READ, MEDIATION_WRITE, NO_LABELS, 201), [403, 201, 201, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/relationships/{fresh_relationship}", Body::None, write(NETWORK_READ, UNIT_HEAD, NO_LABELS, 204), [403, 204, 403, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/relationships/{rel_yemen}",  Body::None, write(UNIT_HEAD, UNIT_HEAD, CONF_YEMEN, 204), [404, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/network",                           Body::None, read(NETWORK_READ, NO_LABELS), [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/network/actors/{actor_yemen}",      Body::None, read(UNIT_HEAD, CONF_YEMEN), [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
];
