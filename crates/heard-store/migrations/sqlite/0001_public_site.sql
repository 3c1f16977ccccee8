-- The public site: consultations, what they contain, discussions and comments.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('resident', 'host', 'moderator', 'admin')),
    organisation TEXT,
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    organisation TEXT NOT NULL,
    respondent_noun TEXT NOT NULL DEFAULT 'people',
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    recorded_responses INTEGER,
    results_expected TEXT,
    accessible_formats TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT ''
);

CREATE TABLE commitments (
    id INTEGER PRIMARY KEY,
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);

CREATE TABLE timeline_entries (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    easy_read INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('survey', 'events', 'email', 'post')),
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);

CREATE TABLE discussions (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    intro TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    host_organisation TEXT NOT NULL DEFAULT '',
    UNIQUE (consultation_id, slug)
);

CREATE TABLE discussion_questions (
    id INTEGER PRIMARY KEY,
    discussion_id INTEGER NOT NULL REFERENCES discussions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);

CREATE TABLE discussion_hosts (
    discussion_id INTEGER NOT NULL REFERENCES discussions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (discussion_id, user_id)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    discussion_id INTEGER NOT NULL REFERENCES discussions (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('web', 'import', 'synthetic'))
);

CREATE INDEX comments_by_discussion ON comments (discussion_id, parent_id, posted_at);
CREATE INDEX comments_by_parent ON comments (parent_id);
