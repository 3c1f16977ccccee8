//! Forms sent while the database is away. The answer is the 503 page ("We are having trouble",
//! `Retry-After`), and the form comes back on it: its text to edit, everything else it carried (its
//! CSRF token too) hidden as sent, and "Try again" sends it again once the database is back. A
//! comment typed during an outage is not lost.
//!
//! Only URL-encoded forms (every form but those with a file) are kept; a form with a password
//! field is not put back on the page.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::WebError;
use crate::errors::{DatabaseAway, RetryForm, unavailable_page};

/// Fields shown to edit rather than carried hidden: the comment forms' `body` and `text`, and any
/// value with a line break or longer than this (free text in a survey, say).
const TEXT_FIELDS: [&str; 2] = ["body", "text"];
const LONG_VALUE_CHARS: usize = 100;

/// Keeps a form's body at hand while the request runs; answers a 503 with the form put back.
pub async fn keep_typed(request: Request, next: Next) -> Response {
    let is_form = request.method() == Method::POST
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::auth::MAX_FORM_BYTES).await else {
        return WebError::BadRequest("The form was too large to send.".into()).into_response();
    };
    let action =
        parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let response = next.run(Request::from_parts(parts, Body::from(bytes.clone()))).await;
    if response.extensions().get::<DatabaseAway>().is_none() {
        return response;
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    if fields.is_empty() || fields.iter().any(|(name, _)| name.contains("password")) {
        return response;
    }
    let (texts, hidden) = fields.into_iter().partition(|(name, value)| {
        name != "csrf"
            && (TEXT_FIELDS.contains(&name.as_str())
                || value.contains('\n')
                || value.chars().count() > LONG_VALUE_CHARS)
    });
    unavailable_page(Some(RetryForm { action, texts, hidden }))
}
