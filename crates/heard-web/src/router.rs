//! Every route of the site, in one place.

use axum::Router;
use axum::middleware;
use axum::routing::get;

use crate::AppState;
use crate::controllers::{consultation, discussion, home, pages};

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::show))
        .route("/consultations/{slug}", get(consultation::show))
        .route("/consultations/{slug}/discussions/{discussion}", get(discussion::show))
        .route("/guidelines", get(pages::guidelines))
        .route("/support", get(pages::support))
        .route("/accessibility", get(pages::accessibility))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/static/favicon.svg", get(pages::favicon))
        .route("/favicon.ico", get(pages::favicon))
        .route("/healthz", get(pages::health))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), crate::cache::layer))
        .layer(middleware::map_response(crate::security::headers))
        .with_state(state)
}
