//! Pages that do not come from the database: community guidelines, support, accessibility, the
//! privacy notice, assets.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};

use super::render;
use crate::auth::Visitor;
use crate::nav::Nav;
use crate::privacy::{NoticeBlock, parse_notice};
use crate::{AppState, WebError};

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

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    nav: Nav,
    /// Who runs the site: the organisation's name, or a description when it was not given.
    organisation: String,
    contact: String,
    demo: bool,
    /// The operator's own notice, when they gave one.
    custom: Option<Vec<NoticeBlock>>,
    /// Whether this site can send email (confirmation links, password resets).
    mail: bool,
    /// Months after the results are published when personal data is removed.
    retention_months: Option<u32>,
}

/// The privacy notice, linked from every page's footer and from every form that asks for
/// personal data.
pub async fn privacy(State(state): State<AppState>, visitor: Visitor) -> Result<Html<String>, WebError> {
    let settings = state.settings();
    render(&PrivacyPage {
        nav: Nav::for_visitor(&visitor),
        organisation: if !settings.organisation.is_empty() {
            settings.organisation.clone()
        } else if settings.demo {
            "the people running this demonstration".into()
        } else {
            "the organisation running this site".into()
        },
        contact: settings.privacy_contact.clone(),
        demo: settings.demo,
        custom: settings.privacy_notice.as_deref().map(parse_notice),
        mail: state.mailer().is_some(),
        retention_months: settings.retention_months,
    })
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
