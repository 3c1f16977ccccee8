//! Pages that do not come from the database: community guidelines, support, accessibility, assets.

use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse};

use super::render;
use crate::WebError;
use crate::auth::Visitor;
use crate::nav::Nav;

#[derive(Template)]
#[template(path = "guidelines.html")]
struct GuidelinesPage {
    nav: Nav,
}

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage {
    nav: Nav,
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    nav: Nav,
}

pub async fn guidelines(visitor: Visitor) -> Result<Html<String>, WebError> {
    render(&GuidelinesPage { nav: Nav::for_visitor(&visitor) })
}

pub async fn support(visitor: Visitor) -> Result<Html<String>, WebError> {
    render(&SupportPage { nav: Nav::for_visitor(&visitor) })
}

pub async fn accessibility(visitor: Visitor) -> Result<Html<String>, WebError> {
    render(&AccessibilityPage { nav: Nav::for_visitor(&visitor) })
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
