-- A database written by calsync schema version 1 (before calendar statuses, OAuth state
-- and push channels), kept as it was: the migration test opens it with today's store.
-- Do not regenerate it from the current schema.
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TABLE connections (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    sealed_credentials TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX connections_by_account ON connections (kind, account, created_at);

CREATE TABLE calendars (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    calendar_id TEXT NOT NULL,
    name TEXT NOT NULL,
    color TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    can_write INTEGER NOT NULL,
    is_primary INTEGER NOT NULL,
    selected INTEGER NOT NULL,
    direction TEXT NOT NULL,
    tentative_blocks INTEGER NOT NULL,
    unanswered_blocks INTEGER NOT NULL,
    all_day_blocks INTEGER NOT NULL,
    cursor TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (connection_id, calendar_id)
);

CREATE TABLE events (
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (connection_id, calendar_id, event_id),
    FOREIGN KEY (connection_id, calendar_id)
        REFERENCES calendars (connection_id, calendar_id) ON DELETE CASCADE
);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    client TEXT NOT NULL,
    service TEXT NOT NULL,
    vehicle TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL UNIQUE,
    updated_at INTEGER NOT NULL
);

CREATE TABLE exports (
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    calendar_id TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    etag TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    intent TEXT NOT NULL,
    intent_hash TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (appointment_id, connection_id, calendar_id)
);
CREATE INDEX exports_by_calendar ON exports (connection_id, calendar_id);

CREATE TABLE connection_status (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    last_attempt INTEGER,
    last_success INTEGER,
    last_error TEXT NOT NULL,
    events_read INTEGER NOT NULL,
    events_exported INTEGER NOT NULL,
    consecutive_failures INTEGER NOT NULL,
    next_due INTEGER
);

INSERT INTO connections VALUES ('c1', 'caldav', 'me@example.com',
    '{"url":"https://dav.example.com/"}', 'v1.sealed-credentials', 'active', 1770000000);
INSERT INTO calendars VALUES ('c1', 'work', 'Work', '#ff0000', 'Europe/Berlin', 1, 0, 1,
    'both', 1, 0, 1, 'http://example.com/sync/42');
INSERT INTO events VALUES ('c1', 'work', 'e1', '{"id":"e1","uid":"e1@example.com","summary":"MOT","start":{"date_time":"2026-04-01T09:00:00","time_zone":"Europe/Berlin"},"end":{"date_time":"2026-04-01T10:00:00","time_zone":"Europe/Berlin"},"etag":"\"7\""}');
INSERT INTO appointments VALUES ('ap1', 1775000000, 1775005400, 'Ann Example', 'Oil change',
    'VW Golf', '', 'booked', 1, 1774990000);
INSERT INTO exports VALUES ('ap1', 'c1', 'work', '/dav/work/ap1.ics', '"e1"', 'hash-1', 'none',
    '', 1774990100);
INSERT INTO connection_status VALUES ('c1', 'ok', 1774990000, 1774990000, '', 1, 1, 0,
    1774991800);
PRAGMA user_version = 1;
PRAGMA application_id = 1667329139;
COMMIT;
