//! Events of a consultation: when and where they are, registrations of interest (one per person,
//! never more than the event holds), and staff notes of what was said, which go into the register.
//!
//! Capacity is enforced inside the registering transaction: it first takes the event's row for
//! writing (a no-op `UPDATE`), so that on PostgreSQL concurrent registrations for one event queue
//! behind each other and each counts what the ones before it wrote; on SQLite the write
//! transaction is already alone.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::editing::{StaffAction, append_staff_log};
use crate::queries::{corrupt, date};
use crate::register::{NewResponse, ResponseChannel, ResponseSource};
use crate::{Date, Result, Store, StoreError, Timestamp, email_key};

/// On line or in person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventFormat {
    Online,
    InPerson,
}

impl EventFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            EventFormat::Online => "online",
            EventFormat::InPerson => "in-person",
        }
    }

    pub fn parse(s: &str) -> Option<EventFormat> {
        match s {
            "online" => Some(EventFormat::Online),
            "in-person" => Some(EventFormat::InPerson),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventFormat::Online => "Online",
            EventFormat::InPerson => "In person",
        }
    }
}

/// An event as staff enter it. Times are local times of day, "18:30".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewEvent {
    pub title: String,
    pub format: EventFormat,
    pub on_date: Date,
    pub starts_at: String,
    pub ends_at: String,
    /// The address, for an event in person.
    pub venue: String,
    /// Where to join, for an event on line.
    pub joining_link: String,
    /// Step-free access, hearing loops, captions, British Sign Language...
    pub accessibility: String,
    /// How many may register interest.
    pub capacity: i64,
    pub description: String,
}

/// An event with how many have registered so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub consultation_id: i64,
    pub details: NewEvent,
    pub registered: i64,
}

impl Event {
    pub fn is_full(&self) -> bool {
        self.registered >= self.details.capacity
    }

    pub fn places_left(&self) -> i64 {
        (self.details.capacity - self.registered).max(0)
    }

    /// Whether it is over: its day has gone.
    pub fn is_past(&self, today: Date) -> bool {
        self.details.on_date < today
    }
}

/// Who registers interest: a signed-in person, or a visitor by name and email address.
#[derive(Debug, Clone)]
pub enum Registrant {
    Account { user_id: i64, name: String },
    Visitor { name: String, email: String },
}

/// Who gives a place back: the account that holds it, or whoever has the link from its
/// confirmation email (the SHA-256 of the link's key).
#[derive(Debug, Clone, Copy)]
pub enum CancelBy<'a> {
    Account(i64),
    Key(&'a str),
}

/// What became of a registration of interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Registered,
    /// This person had registered already; nothing changed.
    AlreadyRegistered,
    /// Every place is taken.
    Full,
    /// The event's day has gone.
    Past,
    /// Its consultation has closed (on this day), so its events take no more registrations.
    ConsultationClosed(Date),
}

/// One person who registered interest, for staff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registered {
    pub name: String,
    /// The address given, or the account's.
    pub email: Option<String>,
    pub has_account: bool,
    pub at: Timestamp,
}

impl Store {
    /// Adds an event to a consultation (logged; `actor_id` `None`: heard itself, as the demo does).
    pub async fn create_event(
        &self,
        consultation_id: i64,
        event: &NewEvent,
        actor_id: Option<i64>,
        now: Timestamp,
    ) -> Result<i64> {
        check_event(event)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO events (consultation_id, title, format, on_date, starts_at, ends_at, venue, \
             joining_link, accessibility, capacity, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(consultation_id)
        .bind(&event.title)
        .bind(event.format.as_str())
        .bind(event.on_date.to_string())
        .bind(&event.starts_at)
        .bind(&event.ends_at)
        .bind(&event.venue)
        .bind(&event.joining_link)
        .bind(&event.accessibility)
        .bind(event.capacity)
        .bind(&event.description)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        append_staff_log(
            &mut tx,
            now,
            actor_id,
            Some(consultation_id),
            StaffAction::CreateEvent,
            &event.title,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes an event (logged). Lowering its capacity below those registered keeps them: it is
    /// then full.
    pub async fn update_event(&self, id: i64, event: &NewEvent, actor_id: i64, now: Timestamp) -> Result<()> {
        check_event(event)?;
        let mut tx = self.begin_write().await?;
        let consultation_id: Option<i64> = sqlx::query_scalar(
            "UPDATE events SET title = $1, format = $2, on_date = $3, starts_at = $4, ends_at = $5, \
             venue = $6, joining_link = $7, accessibility = $8, capacity = $9, description = $10 \
             WHERE id = $11 RETURNING consultation_id",
        )
        .bind(&event.title)
        .bind(event.format.as_str())
        .bind(event.on_date.to_string())
        .bind(&event.starts_at)
        .bind(&event.ends_at)
        .bind(&event.venue)
        .bind(&event.joining_link)
        .bind(&event.accessibility)
        .bind(event.capacity)
        .bind(&event.description)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(consultation_id) = consultation_id else {
            return Err(StoreError::Invalid("there is no such event".into()));
        };
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(consultation_id),
            StaffAction::EditEvent,
            &event.title,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A consultation's events, in the order they happen.
    pub async fn events_of(&self, consultation_id: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(&format!(
            "{EVENT_COLUMNS} WHERE e.consultation_id = $1 ORDER BY e.on_date, e.starts_at, e.id"
        ))
        .bind(consultation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event).collect()
    }

    pub async fn event(&self, id: i64) -> Result<Option<Event>> {
        let row = sqlx::query(&format!("{EVENT_COLUMNS} WHERE e.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(event).transpose()
    }

    /// Registers interest in an event, unless it is full, over, its consultation has closed, or this
    /// person registered already.
    /// A visitor whose address belongs to an account, once its owner has confirmed it, registers as
    /// that account.
    /// Registers interest in an event, if it has a place and its day has not gone. `cancel_key_hash`
    /// is the SHA-256 of the key in the link that gives the place back.
    pub async fn register_interest(
        &self,
        event_id: i64,
        who: &Registrant,
        cancel_key_hash: &str,
        now: Timestamp,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        // Take the event's row first: concurrent registrations for it wait here, then count.
        let row: Option<(i64, String)> =
            sqlx::query_as("UPDATE events SET capacity = capacity WHERE id = $1 RETURNING capacity, on_date")
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((capacity, on_date)) = row else {
            return Err(StoreError::Invalid("there is no such event".into()));
        };
        let on_date = Date::parse_iso(&on_date).map_err(|_| corrupt("on_date", &on_date))?;
        if on_date < self.today(now) {
            return Ok(Registration::Past);
        }
        let closes_on: String = sqlx::query_scalar(
            "SELECT c.closes_on FROM events e JOIN consultations c ON c.id = e.consultation_id WHERE e.id = $1",
        )
        .bind(event_id)
        .fetch_one(&mut *tx)
        .await?;
        let closes_on = Date::parse_iso(&closes_on).map_err(|_| corrupt("closes_on", &closes_on))?;
        if closes_on < self.today(now) {
            return Ok(Registration::ConsultationClosed(closes_on));
        }
        let (user_id, name, email) = match who {
            Registrant::Account { user_id, name } => (Some(*user_id), name.clone(), None),
            Registrant::Visitor { name, email } => {
                let account: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM users WHERE email_key = $1 AND email_confirmed_at IS NOT NULL",
                )
                .bind(email_key(email))
                .fetch_optional(&mut *tx)
                .await?;
                (account, name.trim().to_owned(), Some(email.trim().to_owned()))
            }
        };
        let person_key = match (user_id, &email) {
            (Some(id), _) => format!("u{id}"),
            (None, Some(email)) => format!("e{}", email_key(email)),
            (None, None) => return Err(StoreError::Invalid("say who is registering".into())),
        };
        let already: Option<i64> =
            sqlx::query_scalar("SELECT id FROM event_registrations WHERE event_id = $1 AND person_key = $2")
                .bind(event_id)
                .bind(&person_key)
                .fetch_optional(&mut *tx)
                .await?;
        if already.is_some() {
            return Ok(Registration::AlreadyRegistered);
        }
        let registered: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM event_registrations WHERE event_id = $1")
                .bind(event_id)
                .fetch_one(&mut *tx)
                .await?;
        if registered >= capacity {
            return Ok(Registration::Full);
        }
        sqlx::query(
            "INSERT INTO event_registrations (event_id, person_key, user_id, name, email, created_at, \
             cancel_key_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(event_id)
        .bind(&person_key)
        .bind(user_id)
        .bind(&name)
        .bind(&email)
        .bind(now.0)
        .bind(cancel_key_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Registration::Registered)
    }

    /// The name on the registration a cancel link's key (its SHA-256) leads to, if it still stands.
    pub async fn registration_by_cancel_key(&self, event_id: i64, key_hash: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT name FROM event_registrations WHERE event_id = $1 AND cancel_key_hash = $2",
        )
        .bind(event_id)
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Gives a place back: the registration goes, name and email with it, and the place is free for
    /// someone else. False when there was no such registration (already cancelled, or never made).
    pub async fn cancel_registration(&self, event_id: i64, by: CancelBy<'_>) -> Result<bool> {
        let (column, key) = match by {
            CancelBy::Account(user_id) => ("person_key", format!("u{user_id}")),
            CancelBy::Key(hash) => ("cancel_key_hash", hash.to_owned()),
        };
        let mut tx = self.begin_write().await?;
        let removed =
            sqlx::query(&format!("DELETE FROM event_registrations WHERE event_id = $1 AND {column} = $2"))
                .bind(event_id)
                .bind(key)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(removed > 0)
    }

    /// Whether this account registered interest in the event.
    pub async fn is_registered(&self, event_id: i64, user_id: i64) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM event_registrations WHERE event_id = $1 AND person_key = $2")
                .bind(event_id)
                .bind(format!("u{user_id}"))
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Who registered interest in an event, in the order they did.
    pub async fn registrations(&self, event_id: i64) -> Result<Vec<Registered>> {
        let rows = sqlx::query(
            "SELECT r.name, COALESCE(r.email, u.email) AS email, r.user_id, r.created_at \
             FROM event_registrations r LEFT JOIN users u ON u.id = r.user_id \
             WHERE r.event_id = $1 ORDER BY r.created_at, r.id",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Registered {
                    name: row.try_get("name")?,
                    email: row.try_get("email")?,
                    has_account: row.try_get::<Option<i64>, _>("user_id")?.is_some(),
                    at: Timestamp(row.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Puts notes of what was said at an event into the register (each a response, channel and
    /// source `Event`, received on the event's day), remembers which event they came from, and logs
    /// it: all in one transaction, so no note is ever in the register without its event.
    pub async fn record_event_notes(
        &self,
        event_id: i64,
        notes: &[NewResponse],
        actor_id: i64,
        now: Timestamp,
    ) -> Result<Vec<i64>> {
        let event = self
            .event(event_id)
            .await?
            .ok_or_else(|| StoreError::Invalid("there is no such event".into()))?;
        for note in notes {
            if note.consultation_id != event.consultation_id
                || note.channel != ResponseChannel::Event
                || note.source != ResponseSource::Event
                || note.received_on != event.details.on_date
            {
                return Err(StoreError::Invalid(
                    "notes from an event are event responses to its consultation, received on its day".into(),
                ));
            }
        }
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(notes.len());
        for note in notes {
            let id = crate::register::insert_response(&mut tx, note, now).await?;
            sqlx::query("INSERT INTO event_notes (response_id, event_id) VALUES ($1, $2)")
                .bind(id)
                .bind(event.id)
                .execute(&mut *tx)
                .await?;
            ids.push(id);
        }
        let detail = format!(
            "{}: {} {}",
            event.details.title,
            ids.len(),
            if ids.len() == 1 { "note" } else { "notes" }
        );
        append_staff_log(
            &mut tx,
            now,
            Some(actor_id),
            Some(event.consultation_id),
            StaffAction::RecordEventNotes,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The notes recorded from an event: each response's texts, oldest first.
    pub async fn event_notes(&self, event_id: i64) -> Result<Vec<EventNote>> {
        let rows = sqlx::query(
            "SELECT r.id, r.respondent_type, r.organisation, r.borough, t.question, t.text \
             FROM event_notes n JOIN responses r ON r.id = n.response_id \
             JOIN response_texts t ON t.response_id = r.id \
             WHERE n.event_id = $1 ORDER BY r.id, t.position",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        let mut notes: Vec<EventNote> = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            if notes.last().is_none_or(|n| n.response_id != id) {
                let kind: String = row.try_get("respondent_type")?;
                notes.push(EventNote {
                    response_id: id,
                    respondent_type: crate::RespondentType::parse(&kind)
                        .ok_or_else(|| corrupt("respondent type", &kind))?,
                    organisation: row.try_get("organisation")?,
                    borough: row.try_get("borough")?,
                    texts: Vec::new(),
                });
            }
            if let Some(note) = notes.last_mut() {
                note.texts.push(crate::ResponseText {
                    question: row.try_get("question")?,
                    text: row.try_get("text")?,
                });
            }
        }
        Ok(notes)
    }
}

/// A note recorded from an event, as staff read it back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventNote {
    pub response_id: i64,
    pub respondent_type: crate::RespondentType,
    pub organisation: String,
    pub borough: String,
    pub texts: Vec<crate::ResponseText>,
}

const EVENT_COLUMNS: &str = "SELECT e.id, e.consultation_id, e.title, e.format, e.on_date, e.starts_at, \
     e.ends_at, e.venue, e.joining_link, e.accessibility, e.capacity, e.description, \
     (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id) AS registered FROM events e";

fn event(row: &AnyRow) -> Result<Event> {
    let format: String = row.try_get("format")?;
    Ok(Event {
        id: row.try_get("id")?,
        consultation_id: row.try_get("consultation_id")?,
        details: NewEvent {
            title: row.try_get("title")?,
            format: EventFormat::parse(&format).ok_or_else(|| corrupt("event format", &format))?,
            on_date: date(row, "on_date")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            venue: row.try_get("venue")?,
            joining_link: row.try_get("joining_link")?,
            accessibility: row.try_get("accessibility")?,
            capacity: row.try_get("capacity")?,
            description: row.try_get("description")?,
        },
        registered: row.try_get("registered")?,
    })
}

/// "18:30": hours 00-23, minutes 00-59.
pub fn is_time_of_day(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
        && text[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && text[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

fn check_event(event: &NewEvent) -> Result<()> {
    if event.title.trim().is_empty() {
        return Err(StoreError::Invalid("an event needs a title".into()));
    }
    if !is_time_of_day(&event.starts_at) || !is_time_of_day(&event.ends_at) {
        return Err(StoreError::Invalid("times of day are written like 18:30".into()));
    }
    if event.ends_at <= event.starts_at {
        return Err(StoreError::Invalid("an event ends after it starts".into()));
    }
    if event.capacity < 1 {
        return Err(StoreError::Invalid("an event has room for at least one person".into()));
    }
    if !event.joining_link.is_empty()
        && let Some(problem) = crate::links::link_problem(&event.joining_link)
    {
        return Err(StoreError::Invalid(format!("the joining link: {problem}")));
    }
    Ok(())
}
