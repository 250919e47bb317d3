//! The web edge of Grotius: server-rendered HTML (Dutch and English, no JavaScript needed), the
//! JSON API under `/api/v1` with its OpenAPI document, and the security layers around both.
//!
//! Handlers never see the database: they obtain an [`grotius_store::Access`] from the session or
//! bearer token (see [`auth`]) and call its methods, which ask the policy engine.

pub mod api;
pub mod auth;
mod docx;
pub mod error;
pub mod i18n;
pub mod metrics;
pub mod middleware;
mod modules;
mod routes;
pub mod ui;
mod upload;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use grotius_store::Store;

/// Shared state of the web server.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Login attempts per client address, counted in the database: one budget across every
    /// node of the database.
    pub limiter: Arc<auth::LoginLimiter>,
    /// Participants' votes and statements per minute (per participant and per address).
    pub participation: Arc<modules::dialogues::participate::Limits>,
    pub metrics: Arc<metrics::Metrics>,
    pub started: Instant,
}

/// Settings of the web edge.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served behind TLS (cookies get `Secure`, responses carry HSTS).
    pub tls: bool,
    /// Largest accepted request body for forms and JSON, in bytes.
    pub body_limit: usize,
    /// Login attempts allowed per client address (an IPv6 address by its /64) per minute, over
    /// every node of the database together.
    pub login_attempts_per_minute: u32,
    /// Votes per participant per minute (statements: a tenth of it, at least 3); per client
    /// address ten times as many (people sharing a phone or a community centre's connection).
    pub votes_per_minute: u32,
    /// Largest accepted document upload (file), in bytes; streamed to a temporary file.
    pub document_limit: usize,
    /// Who may read `/metrics` (default: loopback connections only, no token).
    pub metrics: metrics::MetricsAccess,
    /// Automatic recomputation of a dialogue's groups after votes or statements land, debounced
    /// by this delay (at most one per delay per dialogue); `None` leaves it to the team's
    /// Recompute button.
    pub dialogue_recompute_after: Option<std::time::Duration>,
    /// Proxies and load balancers whose `X-Forwarded-For` names the client (`serve
    /// --trusted-proxy`). Empty: the connection's address is the client's, and a forwarded
    /// header is ignored (anyone could send one).
    pub trusted_proxies: Vec<metrics::AddressRange>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            tls: false,
            body_limit: 1024 * 1024,
            login_attempts_per_minute: 20,
            votes_per_minute: 30,
            document_limit: 50 * 1024 * 1024,
            metrics: metrics::MetricsAccess::default(),
            dialogue_recompute_after: Some(std::time::Duration::from_secs(3)),
            trusted_proxies: Vec::new(),
        }
    }
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            limiter: Arc::new(auth::LoginLimiter::new(config.login_attempts_per_minute)),
            participation: Arc::new(modules::dialogues::participate::Limits::new(
                config.votes_per_minute,
            )),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            started: Instant::now(),
        }
    }
}

/// The routes of every module: the UI router, the API router (served under `/api/v1`) and the
/// `(method, full path)` of every route of both.
fn module_routes() -> (Router<AppState>, Router<AppState>, Vec<(Method, String)>) {
    let mut ui = routes::Routes::new("");
    let mut api = routes::Routes::new("/api/v1");
    for module in modules::MODULES {
        (module.routes)(&mut ui, &mut api);
    }
    let (ui, mut table) = ui.into_parts();
    let (api, api_table) = api.into_parts();
    table.extend(api_table);
    (ui, api, table)
}

/// Every route of the application's router, UI and API (with its `/api/v1` prefix), as
/// `(method, path)` with axum's `{parameter}` syntax; built by the code that builds the router.
pub fn route_table() -> Vec<(Method, String)> {
    module_routes().2
}

/// The OpenAPI 3.1 document of the API: the base [`api::ApiDoc`] merged with every module's.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::ApiDoc::openapi();
    for module in modules::MODULES {
        if let Some(module_doc) = module.openapi {
            doc.merge(module_doc());
        }
    }
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc
}

/// The whole application: UI, API, health and metrics, wrapped in the security layers.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let (ui, api, _) = module_routes();
    Router::new()
        .merge(ui)
        .nest("/api/v1", api.fallback(api::api_not_found))
        .fallback(ui::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::csrf,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::Extension(auth::TrustedProxies(std::sync::Arc::new(
            state.config.trusted_proxies.clone(),
        ))))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then closes the store.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    if let Some(after) = state.config.dialogue_recompute_after {
        store.start_auto_recompute(after);
    }
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    store.close().await;
    Ok(())
}

#[cfg(test)]
mod architecture {
    /// Handlers get an `Access` only from authentication: the command-line doors into the store
    /// (`cli_operator`, `cli_act_as`) never appear in this crate.
    #[test]
    fn the_web_edge_has_no_back_door_into_the_store() {
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n != "lib.rs") {
                    let src = std::fs::read_to_string(&path).unwrap();
                    for door in ["cli_operator", "cli_act_as", "cli_publisher"] {
                        assert!(!src.contains(door), "{} calls {door}", path.display());
                    }
                }
            }
        }
    }
}
