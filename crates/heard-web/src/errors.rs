//! The web crate's one error type and how each kind reaches the visitor.
//!
//! | error | status | what the visitor sees |
//! |---|---|---|
//! | `NotFound` | 404 | "Page not found" with links back |
//! | `Internal` (store or template failure) | 500 | "Something went wrong on our side", never the cause |
//!
//! The cause of an internal error goes to the log, with no personal data.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug)]
pub enum WebError {
    NotFound,
    Internal(String),
}

impl std::error::Error for WebError {}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebError::NotFound => f.write_str("not found"),
            WebError::Internal(cause) => write!(f, "internal error: {cause}"),
        }
    }
}

impl From<heard_store::StoreError> for WebError {
    fn from(e: heard_store::StoreError) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(format!("template: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "We could not find that page. It may have moved, or the address may be mistyped.",
            ),
            WebError::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side",
                    "Sorry, we could not show this page. Please try again in a few minutes.",
                )
            }
        };
        let body = ErrorPage { title, message }
            .render()
            .unwrap_or_else(|_| format!("<!doctype html><title>{title}</title><p>{message}</p>"));
        (status, Html(body)).into_response()
    }
}
