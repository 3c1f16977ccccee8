-- Every channel counted once: the consultation lifecycle, and the register of responses that did
-- not come through a discussion (survey submissions, email, post, events, phone, imports).
-- Discussion comments stay in `comments`; queries of the register read both.

-- A consultation with no `published_at` is a draft that only staff see; once published its status
-- follows its dates (scheduled, open, closed), and `results_published_at` marks the last step.
ALTER TABLE consultations ADD COLUMN published_at INTEGER;
ALTER TABLE consultations ADD COLUMN results_published_at INTEGER;
UPDATE consultations SET published_at = created_at;

-- One response: one person (or organisation) writing in through one channel, once.
-- `email_key` (lower-cased address) links people who wrote in with their accounts and with each
-- other, so that someone who responded twice is counted once.
CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'email', 'post', 'event', 'phone')),
    source TEXT NOT NULL CHECK (source IN ('survey', 'staff', 'import', 'event', 'synthetic')),
    received_on TEXT NOT NULL,
    respondent_type TEXT NOT NULL CHECK (respondent_type IN ('individual', 'organisation')),
    organisation TEXT NOT NULL DEFAULT '',
    borough TEXT NOT NULL DEFAULT '',
    user_id INTEGER REFERENCES users (id),
    email_key TEXT,
    entered_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX responses_by_consultation ON responses (consultation_id, channel);
CREATE INDEX responses_by_user ON responses (user_id);
CREATE INDEX responses_by_email ON responses (email_key);

-- What a response says: one text, or one per question. Multi-line text is kept as typed.
CREATE TABLE response_texts (
    id INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL
);
CREATE INDEX response_texts_by_response ON response_texts (response_id, position);

-- A scanned letter or other attachment, kept in the database so that every app instance sees it.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_by_response ON attachments (response_id);
