-- A place at an event can be given back: by the person signed in, or from the link in the
-- confirmation email, whose key is kept here as SHA-256 (like reset links and resume links).
ALTER TABLE event_registrations ADD COLUMN cancel_key_hash TEXT;
CREATE UNIQUE INDEX event_registrations_cancel_key ON event_registrations (cancel_key_hash);
