-- The survey: one per consultation, built by staff from ordered sections of ordered questions, and
-- answered by residents (signed in, or without an account where the survey allows it).
-- A submitted submission joins the register of responses (`response_id`).

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL UNIQUE REFERENCES consultations (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    -- Whether people may answer without an account.
    allow_anonymous INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE survey_sections (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_sections_by_survey ON survey_sections (survey_id, position);

-- `options` and `condition_options` hold one option a line. A question with a condition is shown
-- only when the answer to `condition_question_id` is one of `condition_options`.
CREATE TABLE survey_questions (
    id INTEGER PRIMARY KEY,
    section_id INTEGER NOT NULL REFERENCES survey_sections (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('single_choice', 'multiple_choice', 'agree_scale', 'ranking',
                                       'short_text', 'long_text')),
    prompt TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    required INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '',
    condition_question_id INTEGER REFERENCES survey_questions (id) ON DELETE SET NULL,
    condition_options TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_questions_by_section ON survey_questions (section_id, position);

-- One person's answers, a draft until submitted. An account has one submission per survey, so it
-- cannot submit twice; a draft without an account is found again by the SHA-256 of its resume token.
CREATE TABLE survey_submissions (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id),
    email TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    -- Whether they answer for themselves or for an organisation (named), as the register records it.
    respondent_type TEXT NOT NULL DEFAULT 'individual' CHECK (respondent_type IN ('individual', 'organisation')),
    organisation TEXT NOT NULL DEFAULT '',
    resume_token_hash TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    response_id INTEGER REFERENCES responses (id) ON DELETE SET NULL,
    UNIQUE (survey_id, user_id),
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
);
CREATE INDEX survey_submissions_by_survey ON survey_submissions (survey_id, status);

-- One row per value: a choice, each ticked option, each ranked option (`position` is its rank,
-- from 0), or a text.
CREATE TABLE survey_answers (
    submission_id INTEGER NOT NULL REFERENCES survey_submissions (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (submission_id, question_id, position)
);
CREATE INDEX survey_answers_by_question ON survey_answers (question_id);
