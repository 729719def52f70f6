-- The dashboard reads open cases (closed_at IS NULL) by status and due date,
-- and closed cases by when they closed.

CREATE INDEX cases_closed ON cases (closed_at);
CREATE INDEX cases_open_due ON cases (closed_at, due_at);
