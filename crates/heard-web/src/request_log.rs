//! The span every request runs in, so that whatever a handler logs says which request and page it
//! was for: a request id, the method and the template of the route it matched
//! (`/password-reset/{token}`), never the path that was asked for, which can hold a token (a reset
//! link, an event's cancel key, a survey's resume link) or an address. The id goes back to the
//! browser as `X-Request-Id`, so a visitor's report ("it failed at 14:05, request a1b2-17") finds
//! its log lines; behind a proxy heard trusts (`--trust-forwarded-for`) it takes the proxy's id, so
//! the proxy's log and heard's agree. Each answer is counted in the metrics.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Extensions, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::AppState;

/// Runs the request in a `request` span with its id, method and route, logs its status at debug,
/// and counts it in the metrics.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(request.extensions());
    let method = request.method().clone();
    let id = proxy_id(&request, state.settings().trust_forwarded_for).unwrap_or_else(new_id);
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    async move {
        let mut response = next.run(request).await;
        tracing::debug!(status = response.status().as_u16(), "answered");
        state.metrics().record(&route, &method, response.status(), started.elapsed());
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-request-id", value);
        }
        response
    }
    .instrument(span)
    .await
}

/// The template of the route a request matched, or "(no route)" for one that matched none (the
/// not-found page), whose path is not logged either.
pub fn route_of(extensions: &Extensions) -> String {
    extensions.get::<MatchedPath>().map_or_else(|| "(no route)".to_owned(), |m| m.as_str().to_owned())
}

/// The id a trusted proxy gave the request (nginx's `$request_id`), when it is a plain token.
fn proxy_id(request: &Request, trusted: bool) -> Option<String> {
    let id = request.headers().get("x-request-id")?.to_str().ok()?;
    let plain =
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    (trusted && plain).then(|| id.to_owned())
}

/// This instance's next id: a random prefix chosen at start, so that instances' ids differ, and a
/// count.
fn new_id() -> String {
    static PREFIX: LazyLock<String> =
        LazyLock::new(|| crate::auth::random_token()[..6].replace(['-', '_'], "x"));
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{}-{}", *PREFIX, NEXT.fetch_add(1, Ordering::Relaxed))
}
