//! `bench-hello ADDR`: answers every GET / with "hello" — the ceiling for any endpoint on this
//! machine (same runtime, same HTTP stack as Grotius, no work behind it).

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3999".into());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
