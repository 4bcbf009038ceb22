-- The public portal: published reports and citizens' feedback (意见建议). Keep in step with
-- ../postgres/0003_portal.sql: the two files differ only in identity columns.

-- A published report is a frozen snapshot of the PUBLIC version, rendered at publication time:
-- later edits of the ledger never change what the public was shown. It outlives its inspection
-- (inspection_id becomes NULL) and is withdrawn, never deleted.
CREATE TABLE published_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id BIGINT REFERENCES inspections (id) ON DELETE SET NULL,
    unit TEXT NOT NULL CHECK (unit <> ''),
    title TEXT NOT NULL,
    published_at TEXT NOT NULL,
    body_html TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX published_reports_unit ON published_reports (unit, published_at);

-- Feedback from the public. An anonymous row holds no personal identifier at all: no name, no
-- contact and no client hash (enforced below). Rate limits are kept in the server's memory,
-- keyed by network address and never written here; client_hash is reserved for a salted hash
-- rotated daily, should several server instances ever need to share limits, and stays NULL.
-- The receipt code is the citizen's only key to the answer; staff lists do not show it.
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL CHECK (unit <> ''),
    inspection_id BIGINT REFERENCES inspections (id) ON DELETE SET NULL,
    receipt_code TEXT NOT NULL UNIQUE,
    submitted_at TEXT NOT NULL,
    anonymous SMALLINT NOT NULL CHECK (anonymous IN (0, 1)),
    name TEXT,
    contact TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processing', 'answered')),
    answer TEXT,
    answered_at TEXT,
    client_hash TEXT,
    CHECK (anonymous = 0 OR (name IS NULL AND contact IS NULL AND client_hash IS NULL)),
    CHECK (anonymous = 1 OR (name IS NOT NULL AND contact IS NOT NULL)),
    CHECK ((status = 'answered') = (answer IS NOT NULL AND answered_at IS NOT NULL))
);
CREATE INDEX feedback_unit ON feedback (unit, submitted_at);
