//! Pages that do not come from the database: community guidelines, support, accessibility, the
//! privacy notice, assets; and the health and readiness checks (`/healthz`, `/readyz`).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

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

pub async fn stylesheet(headers: HeaderMap) -> Response {
    static_asset(
        &headers,
        "text/css; charset=utf-8",
        "public, max-age=3600",
        include_str!("../../static/style.css"),
    )
}

pub async fn favicon(headers: HeaderMap) -> Response {
    static_asset(&headers, "image/svg+xml", "public, max-age=86400", include_str!("../../static/favicon.svg"))
}

/// An asset built into the binary, with a weak `ETag` (its SHA-256) and a `Last-Modified` (when this
/// process started serving, since the asset can only change with the binary): a browser that has
/// it asks again with `If-None-Match` or `If-Modified-Since` and gets 304 with no body, so a phone
/// does not fetch the stylesheet again.
pub(crate) fn static_asset(
    request: &HeaderMap,
    content_type: &'static str,
    cache_control: &'static str,
    body: &'static str,
) -> Response {
    static STARTED: std::sync::LazyLock<std::time::SystemTime> = std::sync::LazyLock::new(|| {
        // HTTP dates have whole seconds: the one sent must compare equal when it comes back.
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)
    });
    // Weak: the same asset sent gzipped, as brotli or as it is has one tag.
    let etag = format!("W/\"{}\"", &crate::auth::sha256_hex(body)[..20]);
    let last_modified = httpdate::fmt_http_date(*STARTED);
    let if_none_match = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let not_modified = match if_none_match {
        Some(tags) => {
            tags.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == &etag[2..])
        }
        None => request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .is_some_and(|since| since >= *STARTED),
    };
    let headers = [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (header::CACHE_CONTROL, cache_control.to_owned()),
        (header::ETAG, etag),
        (header::LAST_MODIFIED, last_modified),
    ];
    if not_modified {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (headers, body).into_response()
    }
}

/// `/healthz`: the process is up and answering. It asks nothing of the database, so a load balancer
/// or a service manager does not restart an instance for the database's outage.
pub async fn health() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], "ok")
}

/// `/readyz`: this instance can reach its database and the database is migrated, so it can take
/// visitors: 200 "ready", else 503 with `Retry-After` and what is wrong (never the database's own
/// error, which goes to the log).
pub async fn ready(State(state): State<AppState>) -> Response {
    let not_ready = |why: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (header::RETRY_AFTER, crate::errors::RETRY_AFTER_SECS.to_string()),
            ],
            format!("not ready: {why}"),
        )
            .into_response()
    };
    match state.store().schema_version().await {
        Ok(version) if version >= heard_store::SCHEMA_VERSION => {
            ([(header::CACHE_CONTROL, "no-store")], "ready").into_response()
        }
        Ok(version) => not_ready(format!(
            "the database is at schema {version} and this heard needs {}",
            heard_store::SCHEMA_VERSION
        )),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: the database cannot be reached");
            not_ready("cannot reach the database".into())
        }
    }
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
