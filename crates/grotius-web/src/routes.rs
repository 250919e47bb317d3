//! The route recorder: modules register their routes through [`Routes`], which both adds them to
//! the axum router and records `(method, full path)`, so that [`crate::route_table`] lists exactly
//! the routes the real router serves (they are built by the same code and cannot drift).
//!
//! A route is declared as in axum, with the method functions of this module instead of
//! `axum::routing`'s: `r.route("/fund/{id}", get(show).post(update))`.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;

use crate::AppState;

/// The routes of one side of the application (the UI at `/`, or the API under `/api/v1`).
pub(crate) struct Routes {
    router: Router<AppState>,
    /// Prefix under which `router` is served (`""` or `"/api/v1"`), for the recorded paths.
    prefix: &'static str,
    table: Vec<(Method, String)>,
}

impl Routes {
    pub(crate) fn new(prefix: &'static str) -> Routes {
        Routes {
            router: Router::new(),
            prefix,
            table: Vec::new(),
        }
    }

    /// Registers the methods of `methods` at `path` and records each as `(method, prefix+path)`.
    pub(crate) fn route(&mut self, path: &str, methods: Methods) -> &mut Routes {
        for method in methods.methods {
            self.table.push((method, format!("{}{path}", self.prefix)));
        }
        self.router = std::mem::take(&mut self.router).route(path, methods.router);
        self
    }

    /// The router and the recorded `(method, full path)` pairs.
    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<(Method, String)>) {
        (self.router, self.table)
    }
}

/// The handlers of one path, one per method, and the methods they answer.
pub(crate) struct Methods {
    methods: Vec<Method>,
    router: MethodRouter<AppState>,
}

/// `name(handler)`: a route answering `METHOD` with `handler` (as `axum::routing::name`).
macro_rules! first_method {
    ($name:ident, $method:ident) => {
        #[doc = concat!("A route answering `", stringify!($method), "` with `handler`.")]
        pub(crate) fn $name<H, T>(handler: H) -> Methods
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            Methods {
                methods: vec![Method::$method],
                router: axum::routing::$name(handler),
            }
        }
    };
}

/// `.name(handler)`: the same path also answers `METHOD` with `handler`.
macro_rules! further_method {
    ($name:ident, $method:ident) => {
        impl Methods {
            #[doc = concat!("Also answers `", stringify!($method), "` with `handler`.")]
            pub(crate) fn $name<H, T>(mut self, handler: H) -> Methods
            where
                H: Handler<T, AppState>,
                T: 'static,
            {
                self.methods.push(Method::$method);
                self.router = self.router.$name(handler);
                self
            }
        }
    };
}

first_method!(get, GET);
first_method!(head, HEAD);
first_method!(post, POST);
first_method!(put, PUT);
first_method!(patch, PATCH);
first_method!(delete, DELETE);
further_method!(post, POST);
further_method!(put, PUT);
further_method!(patch, PATCH);
further_method!(delete, DELETE);

impl Methods {
    /// A body limit for every method of this path (uploads and imports differ from the default).
    pub(crate) fn layer(mut self, limit: DefaultBodyLimit) -> Methods {
        self.router = self.router.layer(limit);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn one() -> &'static str {
        "one"
    }

    async fn two() -> &'static str {
        "two"
    }

    /// Two `route` calls on one path with distinct methods merge in axum 0.8 (the recorder may
    /// register a path's methods in several calls); the recorder lists both.
    #[tokio::test]
    async fn two_methods_on_one_path_through_two_calls_merge() {
        use axum::body::Body;
        use axum::http::{Request, StatusCode};
        use tower::ServiceExt;

        let app: Router = Router::new()
            .route("/x", axum::routing::get(one))
            .route("/x", axum::routing::post(two));
        for (method, answer) in [(Method::GET, "one"), (Method::POST, "two")] {
            let req = Request::builder()
                .method(method)
                .uri("/x")
                .body(Body::empty());
            let res = app.clone().oneshot(req.unwrap()).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
            assert_eq!(&body[..], answer.as_bytes());
        }

        let mut r = Routes::new("/api/v1");
        r.route("/x", get(one)).route("/x", post(two));
        let (_router, table) = r.into_parts();
        assert_eq!(
            table,
            vec![
                (Method::GET, "/api/v1/x".to_string()),
                (Method::POST, "/api/v1/x".to_string())
            ]
        );
    }
}
