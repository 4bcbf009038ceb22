-- Supervision notices (督办单) recorded as sent: which unit's ledger, who issued it, the red and
-- yellow measures it named.
CREATE TABLE supervision_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    serial TEXT,
    issuer TEXT NOT NULL,
    red INTEGER NOT NULL,
    yellow INTEGER NOT NULL,
    measure_ids TEXT NOT NULL,
    sent_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    sent_by_name TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX supervision_notices_inspection ON supervision_notices (inspection_id, sent_at);
