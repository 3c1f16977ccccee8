//! Response headers every page carries: a strict Content-Security-Policy and friends, and HSTS
//! when the site is served over HTTPS; and the time a request may take.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// No inline script or style, nothing from elsewhere, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Served over HTTPS (`--secure-cookies`), browsers are told to come back only over HTTPS for a year.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

pub async fn headers(State(state): State<AppState>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if state.settings().secure_cookies {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Answers 408 to a request that takes longer than `Settings::request_timeout`, its body included
/// (handlers read the body), so a client trickling a form byte by byte cannot hold a connection.
pub async fn request_timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.settings().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::info!(secs = limit.as_secs(), "request took too long");
            let mut response =
                (StatusCode::REQUEST_TIMEOUT, "The request took too long to arrive.").into_response();
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}
