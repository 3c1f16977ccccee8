//! The span every request runs in, so that whatever a handler logs says which page it was for: the
//! method and the template of the route it matched (`/password-reset/{token}`), never the path that
//! was asked for, which can hold a token (a reset link, an event's cancel key, a survey's resume
//! link) or an address.

use axum::extract::{MatchedPath, Request};
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Runs the request in a `request` span with its method and route, and logs its status at debug.
pub async fn layer(request: Request, next: Next) -> Response {
    let route = route_of(request.extensions());
    let span = tracing::info_span!("request", method = %request.method(), route = %route);
    async move {
        let response = next.run(request).await;
        tracing::debug!(status = response.status().as_u16(), "answered");
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
