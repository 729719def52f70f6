-- Clock stops: a case paused while the requester is asked for clarification.
-- Dates are the regime's local calendar dates (YYYY-MM-DD), as the law
-- counts paused days; ended_on is empty while the pause lasts.

CREATE TABLE case_pauses (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    started_on TEXT NOT NULL,
    ended_on   TEXT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_pauses_case ON case_pauses (case_id, started_on);
