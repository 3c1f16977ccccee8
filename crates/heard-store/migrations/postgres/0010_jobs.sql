-- The job queue: background work that must happen once, whichever app instance does it (mail,
-- analysis runs, retention, the hourly sweeps). An instance claims a job by setting `claimed_by`
-- and a lease (`lease_until`); while the lease is live no other instance takes it, and a job whose
-- instance died is taken again once its lease has lapsed. A job that fails waits `run_after` (a
-- back-off) and is tried again, until `max_attempts`; then it is `failed`, with its last error.
-- `unique_key` lets periodic work ("stalled-runs:2026-12-04T18") be queued once by many instances.
-- `payload` (what to do, as JSON) is emptied once the job is done or failed, since a mail's holds
-- an address and sometimes a link.
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    unique_key TEXT UNIQUE,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_after BIGINT NOT NULL,
    claimed_by TEXT,
    lease_until BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_after);
