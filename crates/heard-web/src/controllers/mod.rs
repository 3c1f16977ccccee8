//! One module per resource; each handler loads what its page shows and renders one template.

pub mod consultation;
pub mod discussion;
pub mod home;
pub mod pages;

use askama::Template;
use axum::response::Html;

use crate::WebError;

/// Renders a page template into a response body.
pub fn render(page: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(page.render()?))
}
