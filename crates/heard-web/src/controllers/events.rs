//! Events: the public page of a consultation's events with "Register interest" (one click when
//! signed in, name and email otherwise), a confirmation email whose link gives the place back (as
//! does a button for the signed in), and the staff pages to add and edit events, see who
//! registered, and record notes of what was said, which go into the register of responses.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::response_import::received_problem;
use heard_store::{
    CancelBy, Consultation, Event, EventFormat, EventNote, NewEvent, NewResponse, Registrant, Registration,
    RespondentType, ResponseChannel, ResponseSource, ResponseText, Status, StoreError, is_time_of_day,
};
use serde::Deserialize;

use super::accounts::MessagePage;
use super::{FieldError, page_response, render};
use crate::auth::{Posted, SignedIn, Visitor, random_token, sha256_hex};
use crate::format::{day_in_words, paragraphs, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// An event as its pages show it.
pub struct EventView {
    pub id: i64,
    pub title: String,
    pub format: &'static str,
    pub online: bool,
    pub day: String,
    pub date_iso: String,
    pub starts_at: String,
    pub ends_at: String,
    pub venue_lines: Vec<String>,
    pub joining_link: String,
    pub accessibility: Vec<String>,
    pub description: Vec<String>,
    pub places: String,
    pub full: bool,
    pub past: bool,
    pub registered: i64,
    /// The signed-in visitor registered interest already.
    pub mine: bool,
}

impl EventView {
    fn new(e: &Event, today: heard_store::Date, mine: bool) -> EventView {
        let d = &e.details;
        let places = if e.is_past(today) {
            // Places left mean nothing once it has happened; how many came to register does.
            format!("{} places; {} registered interest", thousands(d.capacity), thousands(e.registered))
        } else if e.is_full() {
            format!("Full: all {} places are taken", thousands(d.capacity))
        } else {
            format!("{} places, {} left", thousands(d.capacity), thousands(e.places_left()))
        };
        EventView {
            id: e.id,
            title: d.title.clone(),
            format: d.format.label(),
            online: d.format == EventFormat::Online,
            day: day_in_words(d.on_date),
            date_iso: d.on_date.to_string(),
            starts_at: d.starts_at.clone(),
            ends_at: d.ends_at.clone(),
            venue_lines: paragraphs(&d.venue).into_iter().map(str::to_owned).collect(),
            joining_link: d.joining_link.clone(),
            accessibility: paragraphs(&d.accessibility).into_iter().map(str::to_owned).collect(),
            description: paragraphs(&d.description).into_iter().map(str::to_owned).collect(),
            places,
            full: e.is_full(),
            past: e.is_past(today),
            registered: e.registered,
            mine,
        }
    }
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    nav: Nav,
    slug: String,
    title: String,
    /// The signed-in visitor's form token; `None` when not signed in.
    csrf: Option<String>,
    upcoming: Vec<EventView>,
    past: Vec<EventView>,
    /// Once the consultation has closed, why its events no longer take registrations.
    closed: Option<String>,
}

/// Why this consultation's events take no registrations, once it has closed.
fn registrations_closed(c: &Consultation, today: heard_store::Date) -> Option<String> {
    (c.summary.status(today) == Status::Closed).then(|| {
        format!(
            "This consultation closed on {}, so its events no longer take registrations. Anyone who \
             registered keeps their place.",
            c.summary.closes_on.long()
        )
    })
}

async fn published(state: &AppState, slug: &str) -> Result<Consultation, WebError> {
    match state.store().consultation_by_slug(slug).await? {
        Some(c) => Ok(c),
        None => Err(super::missing_consultation(state, slug, None).await),
    }
}

/// The event `id` of this consultation (an id from another is not found here).
async fn event_of(state: &AppState, consultation_id: i64, id: i64) -> Result<Event, WebError> {
    match state.store().event(id).await? {
        Some(e) if e.consultation_id == consultation_id => Ok(e),
        _ => Err(WebError::NotFound),
    }
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let c = published(&state, &slug).await?;
    let today = state.today();
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for e in state.store().events_of(c.summary.id).await? {
        let mine = match visitor.user_id() {
            Some(user) => state.store().is_registered(e.id, user).await?,
            None => false,
        };
        let view = EventView::new(&e, today, mine);
        if view.past { past.push(view) } else { upcoming.push(view) }
    }
    // The most recent first among those that have happened.
    past.reverse();
    let closed = registrations_closed(&c, today);
    let page = EventsPage {
        nav: Nav::for_visitor(&visitor),
        csrf: visitor.session.as_ref().map(|s| s.csrf_token.clone()),
        slug: c.summary.slug,
        title: c.summary.title,
        upcoming,
        past,
        closed,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "event_register.html")]
struct RegisterPage {
    nav: Nav,
    csrf: String,
    slug: String,
    consultation_title: String,
    event: EventView,
    form: RegisterForm,
    errors: Vec<FieldError>,
}

impl RegisterPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug, event.id = id))]
pub async fn register_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let c = published(&state, &slug).await?;
    let e = event_of(&state, c.summary.id, id).await?;
    if let Some(why) = registrations_closed(&c, state.today()) {
        let page = MessagePage {
            nav: Nav::for_visitor(&visitor),
            title: "This consultation has closed".to_owned(),
            paragraphs: vec![why],
            links: onward_links(&slug, c),
        };
        return page_response(&page, StatusCode::OK, None);
    }
    register_page(&state, &visitor, c, &e, RegisterForm::default(), Vec::new(), StatusCode::OK).await
}

async fn register_page(
    state: &AppState,
    visitor: &Visitor,
    c: Consultation,
    e: &Event,
    form: RegisterForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (csrf, cookie) = visitor.form_token(state.settings().secure_cookies);
    let mine = match visitor.user_id() {
        Some(user) => state.store().is_registered(e.id, user).await?,
        None => false,
    };
    let page = RegisterPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        slug: c.summary.slug,
        consultation_title: c.summary.title,
        event: EventView::new(e, state.today(), mine),
        form,
        errors,
    };
    page_response(&page, status, cookie)
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, event.id = id))]
pub async fn register(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<RegisterForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let c = published(&state, &slug).await?;
    let e = event_of(&state, c.summary.id, id).await?;
    let (who, email) = match &visitor.session {
        Some(session) => {
            if session.account.blocked.is_some() {
                return Err(WebError::forbidden(
                    "Your account is blocked",
                    "A blocked account cannot register interest in events.",
                ));
            }
            let who = Registrant::Account {
                user_id: session.account.user.id,
                name: session.account.user.display_name.clone(),
            };
            (who, session.account.email.clone())
        }
        None => {
            let mut errors = Vec::new();
            let name = form.name.trim();
            if name.is_empty() {
                errors
                    .push(FieldError::new("name", "Enter your name, so the organisers know who is coming."));
            } else if name.chars().count() > 100 {
                errors.push(FieldError::new("name", "Your name is too long: use at most 100 characters."));
            }
            let email = form.email.trim();
            if email.is_empty() {
                errors.push(FieldError::new(
                    "email",
                    "Enter your email address, so the organisers can write to you.",
                ));
            } else if !super::accounts::looks_like_email(email) {
                errors.push(FieldError::new("email", "Enter an email address like name@example.com."));
            }
            if !errors.is_empty() {
                return register_page(
                    &state,
                    &visitor,
                    c,
                    &e,
                    form,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            let rate = state.settings().limits.event_registrations_per_address;
            let bucket = format!("event-register:address:{}", sha256_hex(&visitor.address));
            if let Some(wait) = super::accounts::over_rate(&state, &bucket, rate).await? {
                let message = format!(
                    "Many registrations have come from your connection recently. {}",
                    super::limited_message(wait)
                );
                let errors = vec![FieldError::new("name", message)];
                return register_page(&state, &visitor, c, &e, form, errors, StatusCode::TOO_MANY_REQUESTS)
                    .await;
            }
            (Registrant::Visitor { name: name.to_owned(), email: email.to_owned() }, email.to_owned())
        }
    };
    let cancel_key = random_token();
    let outcome = state.store().register_interest(e.id, &who, &sha256_hex(&cancel_key), state.now()).await?;
    let (status, title, said): (StatusCode, &str, String) = match outcome {
        Registration::Registered => {
            tracing::info!(event.id = e.id, "interest registered");
            let said = if e.details.format == EventFormat::Online {
                "The organisers will send you the joining details before the event."
            } else {
                "The organisers will write to you before the event with anything you need to know."
            };
            (StatusCode::OK, "You have registered your interest", said.to_owned())
        }
        Registration::AlreadyRegistered => (
            StatusCode::OK,
            "You have already registered your interest",
            "You registered for this event before, so there is nothing more to do. We look forward to seeing you."
                .to_owned(),
        ),
        Registration::Full => (
            StatusCode::CONFLICT,
            "Sorry, this event is full",
            "Every place has been taken, so we could not register you. Other events, and other ways to respond, are on the events page."
                .to_owned(),
        ),
        Registration::Past => (
            StatusCode::CONFLICT,
            "This event has already happened",
            "You can no longer register for it. Other ways to respond are on the consultation's page.".to_owned(),
        ),
        Registration::ConsultationClosed(closes_on) => (
            StatusCode::CONFLICT,
            "This consultation has closed",
            format!("It closed on {}, so its events no longer take registrations.", closes_on.long()),
        ),
    };
    let mut said_lines =
        vec![format!("{}: {}, {}.", e.details.title, day_in_words(e.details.on_date), times(&e)), said];
    if outcome == Registration::Registered {
        let link = format!(
            "{}/consultations/{slug}/events/{}/cancel/{cancel_key}",
            state.settings().public_url.trim_end_matches('/'),
            e.id
        );
        if send_confirmation(&state, &email, &c, &e, &link).await {
            said_lines.push(
                "We have emailed you a confirmation, with a link to give your place back if you cannot come."
                    .to_owned(),
            );
        }
    }
    let page = MessagePage {
        nav: Nav::for_visitor(&visitor),
        title: title.to_owned(),
        paragraphs: said_lines,
        links: onward_links(&slug, c),
    };
    page_response(&page, status, None)
}

/// Queues an email with the registration's details and the link that gives the place back;
/// whether it was queued (mail is set up).
async fn send_confirmation(
    state: &AppState,
    to: &str,
    c: &Consultation,
    e: &Event,
    cancel_link: &str,
) -> bool {
    let d = &e.details;
    let place = if d.format == EventFormat::Online {
        "Online: the organisers will send you the joining details before the event.".to_owned()
    } else {
        paragraphs(&d.venue).join(", ")
    };
    let body = format!(
        "You have registered your interest in \u{201c}{}\u{201d}, an event of the consultation \u{201c}{}\u{201d}.\n\n\
         When: {}, {}\nWhere: {place}\n\nIf you cannot come, give your place back so someone else can have it:\n\n\
         {cancel_link}\n\nKeep this link to yourself: anyone who has it can cancel your place.\n",
        d.title,
        c.summary.title,
        day_in_words(d.on_date),
        times(e),
    );
    state
        .queue_mail(to.to_owned(), &format!("Your place: {}", d.title), body, None, "event confirmation")
        .await
}

#[derive(Template)]
#[template(path = "event_cancel.html")]
struct CancelPage {
    nav: Nav,
    csrf: String,
    slug: String,
    consultation_title: String,
    action: String,
    event: EventView,
    name: String,
}

/// The page a cancel link opens: the event, and a button to give the place back (a link followed
/// by a mail scanner must not cancel anything on its own).
#[tracing::instrument(skip(state, visitor, key), fields(consultation.slug = %slug, event.id = id))]
pub async fn cancel_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id, key)): Path<(String, i64, String)>,
) -> Result<Response, WebError> {
    let c = published(&state, &slug).await?;
    let e = event_of(&state, c.summary.id, id).await?;
    let Some(name) = state.store().registration_by_cancel_key(e.id, &sha256_hex(&key)).await? else {
        return no_place_to_cancel(&visitor, &slug, c);
    };
    let (csrf, cookie) = visitor.form_token(state.settings().secure_cookies);
    let page = CancelPage {
        nav: Nav::for_visitor(&visitor),
        csrf,
        action: format!("/consultations/{slug}/events/{}/cancel/{key}", e.id),
        slug,
        consultation_title: c.summary.title,
        event: EventView::new(&e, state.today(), false),
        name,
    };
    page_response(&page, StatusCode::OK, cookie)
}

/// Gives a place back, from the email's link.
#[tracing::instrument(skip(state, posted, key), fields(consultation.slug = %slug, event.id = id))]
pub async fn cancel_by_link(
    State(state): State<AppState>,
    Path((slug, id, key)): Path<(String, i64, String)>,
    posted: Posted<RegisterForm>,
) -> Result<Response, WebError> {
    let c = published(&state, &slug).await?;
    let e = event_of(&state, c.summary.id, id).await?;
    let key_hash = sha256_hex(&key);
    if !state.store().cancel_registration(e.id, CancelBy::Key(&key_hash)).await? {
        return no_place_to_cancel(&posted.visitor, &slug, c);
    }
    cancelled(&posted.visitor, &slug, c, &e)
}

/// Gives a place back, signed in.
#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, event.id = id))]
pub async fn cancel(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<RegisterForm>,
) -> Result<Response, WebError> {
    let c = published(&state, &slug).await?;
    let e = event_of(&state, c.summary.id, id).await?;
    let Some(user) = posted.visitor.user_id() else {
        return Err(WebError::SignInRequired { next: format!("/consultations/{slug}/events") });
    };
    if !state.store().cancel_registration(e.id, CancelBy::Account(user)).await? {
        return no_place_to_cancel(&posted.visitor, &slug, c);
    }
    cancelled(&posted.visitor, &slug, c, &e)
}

fn cancelled(visitor: &Visitor, slug: &str, c: Consultation, e: &Event) -> Result<Response, WebError> {
    tracing::info!(event.id = e.id, "place given back");
    let page = MessagePage {
        nav: Nav::for_visitor(visitor),
        title: "Your place is cancelled".to_owned(),
        paragraphs: vec![
            format!("{}: {}, {}.", e.details.title, day_in_words(e.details.on_date), times(e)),
            "Thank you for letting us know: your place is free for someone else, and your name and email \
             address have been removed from the event's list. You can register again while places are left."
                .to_owned(),
        ],
        links: onward_links(slug, c),
    };
    page_response(&page, StatusCode::OK, None)
}

fn no_place_to_cancel(visitor: &Visitor, slug: &str, c: Consultation) -> Result<Response, WebError> {
    let page = MessagePage {
        nav: Nav::for_visitor(visitor),
        title: "There is no place to cancel".to_owned(),
        paragraphs: vec![
            "This place has been cancelled already, or the link is not complete: check that you copied all of it."
                .to_owned(),
        ],
        links: onward_links(slug, c),
    };
    page_response(&page, StatusCode::NOT_FOUND, None)
}

/// Where a message about an event leads on: the consultation's events, and the consultation.
fn onward_links(slug: &str, c: Consultation) -> Vec<(String, String)> {
    vec![
        (format!("/consultations/{slug}/events"), "Back to the events".to_owned()),
        (format!("/consultations/{slug}"), c.summary.title),
    ]
}

fn times(e: &Event) -> String {
    format!("{} to {}", e.details.starts_at, e.details.ends_at)
}

// ---- Staff pages ----

#[derive(Template)]
#[template(path = "admin_events.html")]
struct StaffEventsPage {
    nav: Nav,
    slug: String,
    title: String,
    events: Vec<EventView>,
}

async fn staff_consultation(state: &AppState, slug: &str) -> Result<Consultation, WebError> {
    state.store().consultation_for_staff(slug).await?.ok_or(WebError::NotFound)
}

/// Where every staff page of one event starts: the visitor must be allowed to manage consultations
/// (signing in comes back to `path`), then the consultation and its event must exist, in that order,
/// so that nobody learns which events exist without access.
async fn staff_event_of<'v>(
    state: &AppState,
    visitor: &'v Visitor,
    slug: &str,
    id: i64,
    path: &str,
) -> Result<(&'v SignedIn, Consultation, Event), WebError> {
    let session = policy::require(visitor, Action::ManageConsultations, path)?;
    let c = staff_consultation(state, slug).await?;
    let e = event_of(state, c.summary.id, id).await?;
    Ok((session, c, e))
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn staff_list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    policy::require(&visitor, Action::ManageConsultations, &format!("/admin/consultations/{slug}/events"))?;
    let c = staff_consultation(&state, &slug).await?;
    let today = state.today();
    let events = state
        .store()
        .events_of(c.summary.id)
        .await?
        .iter()
        .map(|e| EventView::new(e, today, false))
        .collect();
    let page = StaffEventsPage {
        nav: Nav::for_visitor(&visitor),
        slug: c.summary.slug,
        title: c.summary.title,
        events,
    };
    page_response(&page, StatusCode::OK, None)
}

/// The event form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EventForm {
    title: String,
    format: String,
    on_date: String,
    starts_at: String,
    ends_at: String,
    venue: String,
    joining_link: String,
    accessibility: String,
    capacity: String,
    description: String,
}

impl EventForm {
    fn from_event(e: &NewEvent) -> EventForm {
        EventForm {
            title: e.title.clone(),
            format: e.format.as_str().into(),
            on_date: e.on_date.to_string(),
            starts_at: e.starts_at.clone(),
            ends_at: e.ends_at.clone(),
            venue: e.venue.clone(),
            joining_link: e.joining_link.clone(),
            accessibility: e.accessibility.clone(),
            capacity: e.capacity.to_string(),
            description: e.description.clone(),
        }
    }

    fn parse(&self) -> Result<NewEvent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            errors.push(FieldError::new("title", "Enter the event's title."));
        }
        let format = EventFormat::parse(&self.format);
        if format.is_none() {
            errors.push(FieldError::new("format-online", "Say whether the event is online or in person."));
        }
        let on_date = heard_store::Date::parse_iso(self.on_date.trim()).ok();
        if on_date.is_none() {
            errors.push(FieldError::new("on_date", "Enter the event's date, such as 2025-01-20."));
        }
        let (starts_at, ends_at) = (self.starts_at.trim(), self.ends_at.trim());
        if !is_time_of_day(starts_at) {
            errors.push(FieldError::new(
                "starts_at",
                "Enter the start time on the 24-hour clock, such as 18:30.",
            ));
        }
        if !is_time_of_day(ends_at) {
            errors
                .push(FieldError::new("ends_at", "Enter the end time on the 24-hour clock, such as 20:00."));
        } else if is_time_of_day(starts_at) && ends_at <= starts_at {
            errors.push(FieldError::new("ends_at", "The end time must be after the start time."));
        }
        let venue = self.venue.trim();
        let link = self.joining_link.trim();
        match format {
            Some(EventFormat::InPerson) if venue.is_empty() => {
                errors.push(FieldError::new("venue", "Enter the venue's address for an event in person."))
            }
            Some(EventFormat::Online) if link.is_empty() => {
                errors.push(FieldError::new("joining_link", "Enter the joining link for an online event."))
            }
            _ => {}
        }
        if !link.is_empty()
            && let Some(problem) = heard_store::links::link_problem(link)
        {
            errors.push(FieldError::new(
                "joining_link",
                format!("Enter the joining link as a web address. {problem}"),
            ));
        }
        let capacity = self.capacity.trim().parse::<i64>().ok().filter(|n| (1..=100_000).contains(n));
        if capacity.is_none() {
            errors.push(FieldError::new(
                "capacity",
                "Enter how many people can come, as a number from 1 to 100,000.",
            ));
        }
        match (errors.is_empty(), format, on_date, capacity) {
            (true, Some(format), Some(on_date), Some(capacity)) => Ok(NewEvent {
                title: title.to_owned(),
                format,
                on_date,
                starts_at: starts_at.to_owned(),
                ends_at: ends_at.to_owned(),
                venue: if format == EventFormat::InPerson { venue.to_owned() } else { String::new() },
                joining_link: if format == EventFormat::Online { link.to_owned() } else { String::new() },
                accessibility: self.accessibility.trim().to_owned(),
                capacity,
                description: self.description.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    nav: Nav,
    csrf: String,
    slug: String,
    consultation_title: String,
    /// The event being edited; `None` for a new one.
    event_id: Option<i64>,
    form: EventForm,
    errors: Vec<FieldError>,
}

impl EventFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn action(&self) -> String {
        match self.event_id {
            Some(id) => format!("/admin/consultations/{}/events/{id}/edit", self.slug),
            None => format!("/admin/consultations/{}/events/new", self.slug),
        }
    }
}

fn event_form_page(
    visitor: &Visitor,
    session: &SignedIn,
    c: &Consultation,
    event_id: Option<i64>,
    form: EventForm,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = EventFormPage {
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        slug: c.summary.slug.clone(),
        consultation_title: c.summary.title.clone(),
        event_id,
        form,
        errors,
    };
    page_response(&page, status, None)
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = policy::require(
        &visitor,
        Action::ManageConsultations,
        &format!("/admin/consultations/{slug}/events/new"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    event_form_page(&visitor, session, &c, None, EventForm::default(), Vec::new())
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug))]
pub async fn create(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<EventForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(
        &visitor,
        Action::ManageConsultations,
        &format!("/admin/consultations/{slug}/events/new"),
    )?;
    let c = staff_consultation(&state, &slug).await?;
    let event = match form.parse() {
        Ok(event) => event,
        Err(errors) => return event_form_page(&visitor, session, &c, None, form, errors),
    };
    let id =
        state.store().create_event(c.summary.id, &event, Some(session.account.user.id), state.now()).await?;
    tracing::info!(event.id = id, "event created");
    Ok(Redirect::to(&format!("/admin/consultations/{slug}/events/{id}")).into_response())
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug, event.id = id))]
pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let edit_path = format!("/admin/consultations/{slug}/events/{id}/edit");
    let (session, c, e) = staff_event_of(&state, &visitor, &slug, id, &edit_path).await?;
    event_form_page(&visitor, session, &c, Some(id), EventForm::from_event(&e.details), Vec::new())
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, event.id = id))]
pub async fn update(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<EventForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let edit_path = format!("/admin/consultations/{slug}/events/{id}/edit");
    let (session, c, _) = staff_event_of(&state, &visitor, &slug, id, &edit_path).await?;
    let event = match form.parse() {
        Ok(event) => event,
        Err(errors) => return event_form_page(&visitor, session, &c, Some(id), form, errors),
    };
    state.store().update_event(id, &event, session.account.user.id, state.now()).await?;
    Ok(Redirect::to(&format!("/admin/consultations/{slug}/events/{id}")).into_response())
}

/// Notes of what one person (or one organisation) said at an event, up to [`NOTE_TEXTS`] texts.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NotesForm {
    respondent_type: String,
    organisation: String,
    borough: String,
    question_1: String,
    text_1: String,
    question_2: String,
    text_2: String,
    question_3: String,
    text_3: String,
}

/// How many texts one note form holds: enough for one person's say on each prompt question of a
/// session, without JavaScript to add more.
const NOTE_TEXTS: usize = 3;

impl NotesForm {
    fn pairs(&self) -> [(&str, &str); NOTE_TEXTS] {
        [(&self.question_1, &self.text_1), (&self.question_2, &self.text_2), (&self.question_3, &self.text_3)]
    }

    fn question(&self, n: usize) -> &str {
        self.pairs()[n - 1].0
    }

    fn text(&self, n: usize) -> &str {
        self.pairs()[n - 1].1
    }
}

#[derive(Template)]
#[template(path = "admin_event.html")]
struct StaffEventPage {
    nav: Nav,
    csrf: String,
    slug: String,
    consultation_title: String,
    event: EventView,
    registrations: Vec<RegistrationRow>,
    notes: Vec<EventNote>,
    questions: Vec<String>,
    boroughs: Vec<String>,
    /// What an area is called here ("Borough"), for the field's label.
    area_label: String,
    form: NotesForm,
    errors: Vec<FieldError>,
    recorded: Option<usize>,
    /// Why no notes can be recorded from this event now, if they cannot.
    notes_refused: Option<String>,
}

struct RegistrationRow {
    name: String,
    email: String,
    account: bool,
    when: String,
}

impl StaffEventPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn slots(&self) -> std::ops::RangeInclusive<usize> {
        1..=NOTE_TEXTS
    }

    fn kind_label(kind: &RespondentType) -> &'static str {
        kind.label()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RecordedQuery {
    recorded: Option<usize>,
}

#[tracing::instrument(skip(state, visitor, query), fields(consultation.slug = %slug, event.id = id))]
pub async fn staff_event(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, i64)>,
    axum::extract::Query(query): axum::extract::Query<RecordedQuery>,
) -> Result<Response, WebError> {
    let event_path = format!("/admin/consultations/{slug}/events/{id}");
    let (session, c, e) = staff_event_of(&state, &visitor, &slug, id, &event_path).await?;
    let form = NotesForm { respondent_type: "individual".into(), ..NotesForm::default() };
    staff_event_page(&state, &visitor, session, c, &e, form, Vec::new(), query.recorded).await
}

#[allow(clippy::too_many_arguments)]
async fn staff_event_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SignedIn,
    c: Consultation,
    e: &Event,
    form: NotesForm,
    errors: Vec<FieldError>,
    recorded: Option<usize>,
) -> Result<Response, WebError> {
    let registrations = state
        .store()
        .registrations(e.id)
        .await?
        .into_iter()
        .map(|r| RegistrationRow {
            name: r.name,
            email: r.email.unwrap_or_default(),
            account: r.has_account,
            when: state.local_date(r.at).long(),
        })
        .collect();
    let notes_refused = notes_problem(state, &c, e);
    let status = match (&notes_refused, errors.is_empty()) {
        (Some(_), false) => StatusCode::CONFLICT,
        (_, true) => StatusCode::OK,
        (None, false) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = StaffEventPage {
        notes_refused,
        nav: Nav::for_visitor(visitor),
        csrf: session.csrf_token.clone(),
        event: EventView::new(e, state.today(), false),
        registrations,
        notes: state.store().event_notes(e.id).await?,
        questions: prompt_questions(state, c.summary.id).await?,
        boroughs: state.store().areas().names().to_vec(),
        area_label: state.store().areas().label(),
        form,
        errors,
        recorded,
        slug: c.summary.slug,
        consultation_title: c.summary.title,
    };
    page_response(&page, status, None)
}

/// Why notes from this event cannot go into the register today, if they cannot: the rule every
/// channel's staff entry shares (not before the event has happened, nor for an event held after the
/// consultation closed; notes of one held in time are taken however late they are written up).
fn notes_problem(state: &AppState, c: &Consultation, e: &Event) -> Option<String> {
    let s = &c.summary;
    received_problem(e.details.on_date, s.opens_on, s.closes_on, state.today())
        .map(|why| format!("Notes from this event cannot be recorded: its day, {why}."))
}

/// The prompt questions of the consultation's discussions, each once, for notes to be filed under.
async fn prompt_questions(state: &AppState, consultation_id: i64) -> Result<Vec<String>, WebError> {
    let mut questions: Vec<String> = Vec::new();
    for d in state.store().discussions_for_editing(consultation_id).await? {
        for q in d.questions {
            if !questions.contains(&q) {
                questions.push(q);
            }
        }
    }
    Ok(questions)
}

#[tracing::instrument(skip(state, posted), fields(consultation.slug = %slug, event.id = id))]
pub async fn record_notes(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<NotesForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let event_path = format!("/admin/consultations/{slug}/events/{id}");
    let (session, c, e) = staff_event_of(&state, &visitor, &slug, id, &event_path).await?;
    if let Some(why) = notes_problem(&state, &c, &e) {
        let errors = vec![FieldError::new("notes-heading", why)];
        return staff_event_page(&state, &visitor, session, c, &e, form, errors, None).await;
    }
    let questions = prompt_questions(&state, c.summary.id).await?;
    let mut errors = Vec::new();
    let respondent_type = RespondentType::parse(&form.respondent_type);
    if respondent_type.is_none() {
        errors.push(FieldError::new(
            "respondent_type-individual",
            "Say whether an individual or an organisation said this.",
        ));
    }
    let organisation = form.organisation.trim();
    if respondent_type == Some(RespondentType::Organisation) && organisation.is_empty() {
        errors.push(FieldError::new("organisation", "Enter the organisation's name."));
    }
    if !form.borough.is_empty() && !state.store().areas().contains(&form.borough) {
        errors.push(FieldError::new(
            "borough",
            format!("Choose the {} from the list, or leave it as not known.", state.store().areas().noun()),
        ));
    }
    let mut texts = Vec::new();
    for (n, (question, text)) in form.pairs().into_iter().enumerate() {
        if !question.is_empty() && !questions.iter().any(|q| q == question) {
            errors.push(FieldError::new(
                ["question_1", "question_2", "question_3"][n],
                "Choose one of the consultation's questions, or none.",
            ));
        }
        if !text.trim().is_empty() {
            texts.push(ResponseText { question: question.to_owned(), text: text.trim().to_owned() });
        }
    }
    if texts.is_empty() {
        errors.push(FieldError::new("text_1", "Write down what was said."));
    }
    if !errors.is_empty() {
        return staff_event_page(&state, &visitor, session, c, &e, form, errors, None).await;
    }
    let note = NewResponse {
        consultation_id: c.summary.id,
        channel: ResponseChannel::Event,
        source: ResponseSource::Event,
        received_on: e.details.on_date,
        respondent_type: respondent_type.unwrap_or(RespondentType::Individual),
        organisation: if respondent_type == Some(RespondentType::Organisation) {
            organisation.to_owned()
        } else {
            String::new()
        },
        borough: form.borough.clone(),
        user_id: None,
        email: None,
        entered_by: Some(session.account.user.id),
        texts,
        attachment: None,
    };
    match state.store().record_event_notes(e.id, &[note], session.account.user.id, state.now()).await {
        Ok(ids) => {
            tracing::info!(event.id = e.id, notes = ids.len(), "event notes recorded");
            Ok(Redirect::to(&format!("/admin/consultations/{slug}/events/{id}?recorded=1#notes"))
                .into_response())
        }
        Err(StoreError::Invalid(why)) => Err(WebError::BadRequest(why)),
        Err(e) => Err(e.into()),
    }
}
