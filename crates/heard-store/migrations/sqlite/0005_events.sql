-- The back office and events: what staff changed (an append-only trail), the events of a
-- consultation, who registered interest in them, and which register responses are notes of what
-- was said at one.

-- Every change staff make to a consultation or its events: who (NULL: heard itself), what, when.
-- Append-only: the triggers refuse any change or deletion, whatever program connects.
CREATE TABLE staff_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    consultation_id INTEGER REFERENCES consultations (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX staff_log_by_consultation ON staff_log (consultation_id, at);
CREATE TRIGGER staff_log_no_update BEFORE UPDATE ON staff_log
BEGIN
    SELECT RAISE(ABORT, 'the staff log is append-only');
END;
CREATE TRIGGER staff_log_no_delete BEFORE DELETE ON staff_log
BEGIN
    SELECT RAISE(ABORT, 'the staff log is append-only');
END;

-- An event held on line (with a joining link) or in person (at a venue). Times are local times of
-- day ("18:30"); capacity is how many may register interest.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('online', 'in-person')),
    on_date TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    joining_link TEXT NOT NULL DEFAULT '',
    accessibility TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX events_by_consultation ON events (consultation_id, on_date);

-- Registrations of interest: one per person per event. `person_key` is 'u<user id>' for an account
-- (also found through the address given), else 'e<lower-cased address>'.
CREATE TABLE event_registrations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_key TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    name TEXT NOT NULL,
    email TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (event_id, person_key)
);

-- Notes of what was said at an event are responses in the register (channel and source 'event');
-- this says which event each came from.
CREATE TABLE event_notes (
    response_id INTEGER PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES events (id)
);
CREATE INDEX event_notes_by_event ON event_notes (event_id);
