-- Taking part: accounts and sessions, posting and editing, agreeing, reporting and moderating,
-- password resets, and the counters behind rate limits and lock-outs.

-- A person with an account has an email address (unique whatever its case: `email_key` is the
-- address lower-cased by the application) and a password hash. Hosts imported from saved pages and
-- synthetic authors have neither. Users are never deleted, only anonymised ("Former member").
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_key TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN borough TEXT;
ALTER TABLE users ADD COLUMN age_band TEXT;
ALTER TABLE users ADD COLUMN gender TEXT;
ALTER TABLE users ADD COLUMN ethnic_group TEXT;
ALTER TABLE users ADD COLUMN disability TEXT;
ALTER TABLE users ADD COLUMN blocked_at INTEGER;
ALTER TABLE users ADD COLUMN blocked_reason TEXT;
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
CREATE UNIQUE INDEX users_by_email ON users (email_key);

-- The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- A comment is visible, held (hidden automatically after enough reports, pending review) or hidden
-- by a moderator for breaking a guideline. Deleting by its author is separate: the text is wiped
-- and a placeholder keeps the thread readable.
ALTER TABLE comments ADD COLUMN edited_at INTEGER;
ALTER TABLE comments ADD COLUMN deleted_at INTEGER;
ALTER TABLE comments ADD COLUMN state TEXT NOT NULL DEFAULT 'visible' CHECK (state IN ('visible', 'held', 'hidden'));
ALTER TABLE comments ADD COLUMN hidden_reason TEXT;
ALTER TABLE comments ADD COLUMN pinned_at INTEGER;
ALTER TABLE comments ADD COLUMN pinned_by INTEGER REFERENCES users (id);
-- Flags raised by the checks before posting ("safeguarding", "incident_report"), comma-separated.
ALTER TABLE comments ADD COLUMN flags TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_by_author ON comments (author_id);
CREATE INDEX comments_by_state ON comments (state);

-- What a comment said before each edit, so an edit never silently loses words.
CREATE TABLE comment_revisions (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    body TEXT NOT NULL,
    replaced_at INTEGER NOT NULL
);
CREATE INDEX comment_revisions_by_comment ON comment_revisions (comment_id);

-- One "agree" per person per comment.
CREATE TABLE agreements (
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX agreements_by_user ON agreements (user_id);

-- One report per person per comment, with the guideline it breaks; resolved when a moderator acts.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    reporter_id INTEGER NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL CHECK (reason IN ('respectful', 'safe', 'on-topic', 'lawful')),
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    UNIQUE (comment_id, reporter_id)
);
CREATE INDEX reports_open ON reports (comment_id, resolved_at);

-- Every moderation action: who (NULL: heard itself), what, when, why. Append-only: the triggers
-- refuse any change or deletion, whatever program connects.
CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    action TEXT NOT NULL,
    comment_id INTEGER REFERENCES comments (id),
    subject_user_id INTEGER REFERENCES users (id),
    reason TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'the moderation log is append-only');
END;
CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'the moderation log is append-only');
END;

-- Password reset links: only the SHA-256 of the token is stored; a link works once.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

-- Rate limits: hits in the current fixed window, per bucket ("login:address:<hash>", ...).
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits INTEGER NOT NULL
);

-- Lock-outs: consecutive failures per bucket and the time until which it is locked.
CREATE TABLE lockouts (
    bucket TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);
