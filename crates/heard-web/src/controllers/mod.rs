//! One module per resource; each handler loads what its page shows and renders one template.

pub mod accounts;
pub mod admin;
pub mod analysis;
pub mod api;
pub mod backoffice;
pub mod comments;
pub mod consultation;
mod consultation_form;
pub mod discussion;
pub mod events;
pub mod exports;
pub mod home;
pub mod moderation;
pub mod pages;
pub mod password_reset;
pub mod response_edit;
pub mod responses;
pub mod results;
mod screening;
pub mod survey;
pub mod survey_admin;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::{AppState, WebError};

/// What a public page of a consultation the store does not find answers: `Gone` (410), saying
/// plainly that it was withdrawn and when, for one an administrator withdrew, else `NotFound`.
/// `typed` is what the visitor was sending, given back to copy.
pub(crate) async fn missing_consultation(state: &AppState, slug: &str, typed: Option<String>) -> WebError {
    match state.store().withdrawn_consultation(slug).await {
        Ok(Some(c)) => WebError::Gone {
            title: format!("{} has been withdrawn", c.title),
            message: format!(
                "{} withdrew this consultation on {}. It no longer takes responses, and its pages, \
                 discussions, survey and events have been taken down. Responses already sent are kept and \
                 used as our privacy notice says.",
                c.organisation,
                c.withdrawn_at.map_or_else(String::new, |at| state.local_date(at).long()),
            ),
            typed,
        },
        Ok(None) => WebError::NotFound,
        Err(e) => e.into(),
    }
}

/// Renders a page template into a response body.
pub fn render(page: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(page.render()?))
}

/// Renders a personal page or a form: never cached anywhere, with a cookie to set when the form
/// needs one.
pub fn page_response(
    page: &impl Template,
    status: StatusCode,
    set_cookie: Option<HeaderValue>,
) -> Result<Response, WebError> {
    let mut response = (status, Html(page.render()?)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Some(cookie) = set_cookie {
        headers.append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// A problem with one field of a form: `field` is the id of the input it belongs to.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { field, message: message.into() }
    }
}

/// "Please wait 40 seconds and try again."
pub fn limited_message(wait_secs: i64) -> String {
    let wait = match wait_secs {
        s if s <= 1 => "a second".to_owned(),
        s if s < 60 => format!("{s} seconds"),
        s if s < 120 => "a minute".to_owned(),
        s => format!("{} minutes", (s + 59) / 60),
    };
    format!("Please wait {wait} and try again.")
}
