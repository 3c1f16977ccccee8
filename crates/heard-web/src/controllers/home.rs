//! The home page: every consultation, grouped as open, upcoming and closed.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use heard_store::{ConsultationSummary, Date, Status};

use super::render;
use crate::auth::Visitor;
use crate::nav::Nav;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    open: Vec<Card>,
    upcoming: Vec<Card>,
    closed: Vec<Card>,
}

struct Card {
    slug: String,
    title: String,
    summary: String,
    organisation: String,
    opens_long: String,
    closes_long: String,
    opens_iso: String,
    closes_iso: String,
    responses: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn show(State(state): State<AppState>, visitor: Visitor) -> Result<Html<String>, WebError> {
    let today = state.today();
    let mut page =
        HomePage { nav: Nav::for_visitor(&visitor), open: vec![], upcoming: vec![], closed: vec![] };
    let mut consultations = state.store().list_consultations().await?;
    // Most recently closed first among the closed ones.
    consultations.sort_by_key(|c| (c.status(today) == Status::Closed, closes_key(c, today)));
    for c in consultations {
        let status = c.status(today);
        let card = Card {
            opens_long: c.opens_on.long(),
            closes_long: c.closes_on.long(),
            opens_iso: c.opens_on.to_string(),
            closes_iso: c.closes_on.to_string(),
            responses: super::consultation::responded_line(
                state.store().respondent_count(c.id).await?,
                c.recorded_responses,
                &c.respondent_noun,
            ),
            slug: c.slug,
            title: c.title,
            summary: c.summary,
            organisation: c.organisation,
        };
        match status {
            Status::Open => page.open.push(card),
            Status::Upcoming => page.upcoming.push(card),
            Status::Closed => page.closed.push(card),
        }
    }
    render(&page)
}

fn closes_key(c: &ConsultationSummary, today: Date) -> i64 {
    let days = c.closes_on.days_since_epoch();
    if c.status(today) == Status::Closed { -days } else { days }
}
