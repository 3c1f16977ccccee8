//! Pages that do not come from the database: community guidelines, support, accessibility, assets.

use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse};

use super::render;
use crate::WebError;

#[derive(Template)]
#[template(path = "guidelines.html")]
struct GuidelinesPage;

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage;

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage;

pub async fn guidelines() -> Result<Html<String>, WebError> {
    render(&GuidelinesPage)
}

pub async fn support() -> Result<Html<String>, WebError> {
    render(&SupportPage)
}

pub async fn accessibility() -> Result<Html<String>, WebError> {
    render(&AccessibilityPage)
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/style.css"),
    )
}

pub async fn favicon() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../static/favicon.svg"),
    )
}

pub async fn health() -> &'static str {
    "ok"
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
