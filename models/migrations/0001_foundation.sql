-- The foundation schema. Portable SQL: it runs unchanged on PostgreSQL and
-- SQLite. All times are stored in UTC; IDs are text (UUIDv7) made by the app.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE systems (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    connector       TEXT NOT NULL,
    actions         TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    owner_email     TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    config          TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE reference_counters (
    year       INTEGER PRIMARY KEY,
    last_value INTEGER NOT NULL
);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    workflow_id     TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL,
    regime          TEXT NOT NULL,
    status          TEXT NOT NULL,
    paused          BOOLEAN NOT NULL,
    outcome         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    language        TEXT NOT NULL,
    relationship    TEXT NOT NULL,
    country         TEXT NOT NULL,
    subject_email   TEXT NOT NULL,
    subject_name    TEXT NOT NULL,
    subject_phone   TEXT NOT NULL,
    details         TEXT NOT NULL,
    assignee_id     TEXT NULL REFERENCES users (id),
    idempotency_key TEXT NULL UNIQUE,
    received_at     TIMESTAMP NOT NULL,
    due_at          TIMESTAMP NOT NULL,
    extended_due_at TIMESTAMP NULL,
    acknowledge_by  TIMESTAMP NULL,
    verified_at     TIMESTAMP NULL,
    closed_at       TIMESTAMP NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
-- The queue is read in due-date order, filtered by status and type.
CREATE INDEX cases_due ON cases (due_at, id);
CREATE INDEX cases_status_due ON cases (status, due_at, id);
CREATE INDEX cases_type_due ON cases (type, due_at, id);

CREATE TABLE case_events (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES cases (id),
    event_key TEXT NOT NULL,
    at        TIMESTAMP NOT NULL,
    type      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    summary   TEXT NOT NULL,
    UNIQUE (case_id, event_key)
);

CREATE TABLE notes (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    author_id  TEXT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notes_case ON notes (case_id, created_at);

CREATE TABLE tasks (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    system_id    TEXT NOT NULL REFERENCES systems (id),
    action       TEXT NOT NULL,
    status       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    note         TEXT NOT NULL,
    data         TEXT NOT NULL,
    completed_by TEXT NULL REFERENCES users (id),
    completed_at TIMESTAMP NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (case_id, system_id)
);

CREATE TABLE task_submissions (
    id           TEXT PRIMARY KEY,
    task_id      TEXT NOT NULL REFERENCES tasks (id),
    outcome      TEXT NOT NULL,
    note         TEXT NOT NULL,
    data         TEXT NOT NULL,
    submitted_by TEXT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    case_id     TEXT NULL REFERENCES cases (id),
    template    TEXT NOT NULL,
    to_addr     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP NULL
);
CREATE INDEX messages_case ON messages (case_id, created_at);
CREATE INDEX messages_created ON messages (created_at, id);

CREATE TABLE verification_tokens (
    token_hash TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP NULL
);
