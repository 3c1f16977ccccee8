//! The web crate's one error type and how each kind reaches the visitor.
//!
//! | error | status | what the visitor sees |
//! |---|---|---|
//! | `NotFound` | 404 | "Page not found" with links back |
//! | `Gone` | 410 | what was there and why it is not (a withdrawn consultation), with anything typed |
//! | `BadRequest` | 400 | "We could not read that", and what was wrong |
//! | `SignInRequired` | 303 | to `/login?next=...`, back here after signing in |
//! | `Forbidden` | 403 | why they may not (a staff page, a blocked account) |
//! | `CsrfRefused` | 403 | "This form has expired", with whatever they typed, to copy |
//! | `TooManyRequests` | 429 | how long to wait |
//! | `Unavailable` (the database cannot be reached: `StoreError::is_unavailable`) | 503, `Retry-After: 5` | "We are having trouble", try again shortly; a form that was being sent comes back with what was typed (`outage.rs`) |
//! | `Internal` (store, template or mail failure) | 500 | "Something went wrong on our side", never the cause |
//!
//! A store error the store means for people (`StoreError::Invalid`: a NUL character in a text, say)
//! is `BadRequest` with its message.
//!
//! Forms that a visitor filled in are not errors here: their handlers show the form again with the
//! problem and everything typed. The cause of an internal error goes to the log, with no personal data.
//!
//! The open-data API (`/api/...`) answers programs, not people: its errors are [`ApiError`], JSON
//! `{"error": "..."}` with the same statuses (404 unknown slug, 400 a bad parameter named, 429 with
//! `Retry-After`, 503 with `Retry-After` while the database is away, 500 with no cause), never a page.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::nav::Nav;

#[derive(Debug)]
pub enum WebError {
    NotFound,
    /// Something the public could see that was taken down on purpose (a withdrawn consultation):
    /// the page says so plainly, and gives back anything the visitor was sending.
    Gone {
        title: String,
        message: String,
        typed: Option<String>,
    },
    BadRequest(String),
    /// Anonymous visitors to a page for signed-in people: sign in, then come back to `next`.
    SignInRequired {
        next: String,
    },
    Forbidden {
        title: String,
        message: String,
    },
    /// A form POST without the visitor's CSRF token.
    CsrfRefused {
        typed: Option<String>,
    },
    TooManyRequests(String),
    /// The database cannot be reached; the cause, for the log.
    Unavailable(String),
    Internal(String),
}

/// Seconds a visitor (or a load balancer) is asked to wait while the database is away.
pub const RETRY_AFTER_SECS: u32 = 5;

/// Marks a response as the database being away, so that `outage::keep_typed` can put the form that
/// was being sent back on the page.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseAway;

impl WebError {
    pub fn forbidden(title: &str, message: &str) -> WebError {
        WebError::Forbidden { title: title.to_owned(), message: message.to_owned() }
    }
}

impl std::error::Error for WebError {}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebError::NotFound => f.write_str("not found"),
            WebError::Gone { .. } => f.write_str("gone"),
            WebError::BadRequest(why) => write!(f, "bad request: {why}"),
            WebError::SignInRequired { .. } => f.write_str("sign in required"),
            WebError::Forbidden { title, .. } => write!(f, "forbidden: {title}"),
            WebError::CsrfRefused { .. } => f.write_str("CSRF token missing or wrong"),
            WebError::TooManyRequests(_) => f.write_str("too many requests"),
            WebError::Unavailable(cause) => write!(f, "database unavailable: {cause}"),
            WebError::Internal(cause) => write!(f, "internal error: {cause}"),
        }
    }
}

impl From<heard_store::StoreError> for WebError {
    fn from(e: heard_store::StoreError) -> WebError {
        match e {
            e if e.is_unavailable() => WebError::Unavailable(e.to_string()),
            heard_store::StoreError::Invalid(message) => WebError::BadRequest(message),
            e => WebError::Internal(e.to_string()),
        }
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
    nav: Nav,
    title: &'a str,
    message: &'a str,
    typed: Option<&'a str>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message, typed): (StatusCode, &str, String, Option<&str>) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "We could not find that page. It may have moved, or the address may be mistyped.".into(),
                None,
            ),
            WebError::Gone { title, message, typed } => {
                (StatusCode::GONE, title.as_str(), message.clone(), typed.as_deref())
            }
            WebError::BadRequest(why) => (StatusCode::BAD_REQUEST, "We could not read that", why.clone(), None),
            WebError::SignInRequired { next } => {
                let to = format!("/login?next={}", crate::format::query_escape(next));
                return Redirect::to(&to).into_response();
            }
            WebError::Forbidden { title, message } => (StatusCode::FORBIDDEN, title, message.clone(), None),
            WebError::CsrfRefused { typed } => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your security, we could not accept this form: it may have been open for a long time, or \
                 you may have signed in or out since. Please go back, reload the page and try again."
                    .into(),
                typed.as_deref(),
            ),
            WebError::TooManyRequests(message) => {
                (StatusCode::TOO_MANY_REQUESTS, "Please wait a moment", message.clone(), None)
            }
            WebError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "request failed: the database cannot be reached");
                return unavailable_page(None);
            }
            WebError::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side",
                    "Sorry, we could not show this page. Please try again in a few minutes.".into(),
                    None,
                )
            }
        };
        let body = ErrorPage { nav: Nav::neutral(), title, message: &message, typed }
            .render()
            .unwrap_or_else(|_| format!("<!doctype html><title>{title}</title><p>{message}</p>"));
        (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
    }
}

/// The page while the database is away: 503 with `Retry-After`, and the form that was being sent
/// (`retry`) so that its text is not lost and it can be sent again.
pub(crate) fn unavailable_page(retry: Option<RetryForm>) -> Response {
    let page = UnavailablePage { nav: Nav::neutral(), retry_after: RETRY_AFTER_SECS, retry };
    let body = page.render().unwrap_or_else(|_| {
        "<!doctype html><title>We are having trouble</title><p>We are having trouble, please try again shortly.</p>"
            .into()
    });
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store"), (header::RETRY_AFTER, &RETRY_AFTER_SECS.to_string())],
        Html(body),
    )
        .into_response();
    response.extensions_mut().insert(DatabaseAway);
    response
}

/// A form sent while the database was away, to show again: where it goes, its text fields to edit,
/// and the rest (its CSRF token among them) as they were sent.
pub(crate) struct RetryForm {
    pub action: String,
    pub texts: Vec<(String, String)>,
    pub hidden: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "unavailable.html")]
struct UnavailablePage {
    nav: Nav,
    retry_after: u32,
    retry: Option<RetryForm>,
}

/// An error of the open-data API: `{"error": "what went wrong"}` with its status.
#[derive(Debug)]
pub enum ApiError {
    NotFound(String),
    /// A query parameter that cannot be used; the message names it.
    BadRequest(String),
    TooManyRequests {
        retry_after: i64,
    },
    /// The database cannot be reached; the cause, for the log.
    Unavailable(String),
    Internal(String),
}

impl From<heard_store::StoreError> for ApiError {
    fn from(e: heard_store::StoreError) -> ApiError {
        if e.is_unavailable() {
            ApiError::Unavailable(e.to_string())
        } else {
            ApiError::Internal(e.to_string())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            ApiError::NotFound(why) => (StatusCode::NOT_FOUND, why.clone()),
            ApiError::BadRequest(why) => (StatusCode::BAD_REQUEST, why.clone()),
            ApiError::TooManyRequests { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many requests from this address: {}",
                    crate::controllers::limited_message(*retry_after)
                ),
            ),
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "API request failed: the database cannot be reached");
                (StatusCode::SERVICE_UNAVAILABLE, "We are having trouble; please try again shortly.".into())
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = %cause, "API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side; please try again later.".into(),
                )
            }
        };
        let body = serde_json::json!({ "error": message }).to_string();
        let mut response = (
            status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            body,
        )
            .into_response();
        if let ApiError::TooManyRequests { retry_after } = self {
            response.headers_mut().insert(header::RETRY_AFTER, retry_after.max(1).into());
        }
        if let ApiError::Unavailable(_) = self {
            response.headers_mut().insert(header::RETRY_AFTER, RETRY_AFTER_SECS.into());
        }
        response
    }
}
