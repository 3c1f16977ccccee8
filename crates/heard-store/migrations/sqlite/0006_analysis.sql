-- Analysis runs and the results staff review and publish. A run reads a snapshot of the register
-- (the texts it analysed are kept with it, so its themes stay readable after the register grows),
-- and every review change (rename, merge, split, approve a quote...) is a row change here with its
-- entry in staff_log, in one transaction.

CREATE TABLE analysis_runs (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    -- 'all', 'channel:<channel>', 'question:<question text>' or 'discussion:<slug>'.
    scope TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('discover', 'framework')),
    -- The analyst's themes, one "Label: description" a line (method 'framework').
    framework TEXT NOT NULL DEFAULT '',
    themes_wanted INTEGER,
    -- The mode asked for, and what ran (the mode and model, which may differ: no model, lexical).
    mode TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed')),
    stage TEXT NOT NULL DEFAULT '',
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    -- Texts analysed, and notes on what was left out or worked around (one a line).
    responses INTEGER NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    started_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- When the run last reported progress: a run silent for long was stopped with its server.
    updated_at INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER,
    published_at INTEGER
);
CREATE INDEX analysis_runs_by_consultation ON analysis_runs (consultation_id, created_at);

-- Campaigns (template responses) a run found.
CREATE TABLE run_campaigns (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    template TEXT NOT NULL
);

-- Each text a run analysed: a register line ('r5', 'r5-2' for a response's second text, 'c12').
CREATE TABLE run_responses (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    line TEXT NOT NULL,
    response_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    respondent_type TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    borough TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    position TEXT NOT NULL CHECK (position IN ('agree', 'disagree', 'unclear')),
    evidence_rich INTEGER NOT NULL DEFAULT 0,
    campaign_id INTEGER REFERENCES run_campaigns (id),
    UNIQUE (run_id, line)
);

CREATE TABLE run_themes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('discovered', 'framework', 'other', 'no_reason', 'split')),
    label TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '',
    reviewed_at INTEGER,
    reviewed_by INTEGER REFERENCES users (id),
    -- Set when merged into another theme: it then has no responses and is not shown.
    merged_into INTEGER REFERENCES run_themes (id),
    -- "You said, we did": what changed in the plan and why, or why not.
    outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'changed', 'not_changed', 'already')),
    we_did TEXT NOT NULL DEFAULT ''
);
CREATE INDEX run_themes_by_run ON run_themes (run_id, position);

-- Which theme each text raises (several for a text that makes several points).
CREATE TABLE run_mapping (
    theme_id INTEGER NOT NULL REFERENCES run_themes (id) ON DELETE CASCADE,
    run_response_id INTEGER NOT NULL REFERENCES run_responses (id) ON DELETE CASCADE,
    PRIMARY KEY (theme_id, run_response_id)
);
CREATE INDEX run_mapping_by_response ON run_mapping (run_response_id);

-- Quotes offered for a theme, redacted when chosen; only approved ones are published.
CREATE TABLE run_quotes (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL REFERENCES run_themes (id) ON DELETE CASCADE,
    run_response_id INTEGER NOT NULL REFERENCES run_responses (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    approved_at INTEGER,
    approved_by INTEGER REFERENCES users (id),
    UNIQUE (theme_id, run_response_id)
);
