-- Withdrawing what was published, and publishing reviewed themes only.

-- An administrator may withdraw a published consultation (published by mistake, or overtaken):
-- from then on no public page, list, API answer or download finds it, and its address says that
-- it was withdrawn and when. It is kept for staff, with everything it received. Withdrawal is
-- final; who did it and why is in the staff log.
ALTER TABLE consultations ADD COLUMN withdrawn_at BIGINT;

-- Published results withdrawn: `results_published_at` goes back to NULL (the results are no longer
-- out, and may be published again), and this says when, for the page that now says so.
ALTER TABLE consultations ADD COLUMN results_withdrawn_at BIGINT;

-- A run in the results may show only the themes staff marked reviewed (1), or all of them (0).
ALTER TABLE analysis_runs ADD COLUMN reviewed_only BIGINT NOT NULL DEFAULT 0;
