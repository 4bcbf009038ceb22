-- The workflow on the ledger: users and sessions, the closure state of measures, supervision,
-- look-back and the audit trail. Keep in step with ../sqlite/0002_workflow.sql: the two files
-- differ only in identity columns and in the triggers that keep the audit trail append-only.

-- User accounts. Storage keeps what the auth layer hands it: PHC password strings, TOTP secrets,
-- counters. Times are RFC 3339 text in UTC.
CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_phc TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    must_change_password SMALLINT NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
    failed_attempts BIGINT NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until TEXT,
    totp_secret TEXT,
    totp_last_step BIGINT,
    disabled SMALLINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL
);

-- A role with its data scope: NULL means "all" (every inspection, every department, every leader).
CREATE TABLE user_roles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('unit_liaison', 'department', 'leader_in_charge', 'leading_group',
        'inspection_office', 'discipline_inspection', 'system_admin', 'security_admin', 'audit_admin')),
    inspection_id BIGINT REFERENCES inspections (id) ON DELETE CASCADE,
    department TEXT,
    leader_name TEXT
);
CREATE INDEX user_roles_user ON user_roles (user_id);

-- Earlier password hashes, so that the auth layer can refuse reuse.
CREATE TABLE password_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_phc TEXT NOT NULL,
    replaced_at TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

-- Only a hash of the session token is stored: a stolen database does not yield live sessions.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    address TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The closure (销号) workflow state of each measure; `version` is the optimistic lock.
CREATE TABLE measure_workflow (
    measure_id BIGINT PRIMARY KEY REFERENCES measures (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('not_started', 'in_progress', 'basically_completed', 'under_review',
        'closed', 'long_term')),
    review_stage TEXT CHECK (review_stage IN ('awaiting_leader', 'awaiting_leading_group', 'awaiting_verifier')),
    stages_closed BIGINT NOT NULL DEFAULT 0 CHECK (stages_closed >= 0),
    -- An approved extension is running (shown as 延期整改 while work goes on).
    extended SMALLINT NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 0,
    pending_extension_deadline TEXT,
    pending_extension_reason TEXT,
    CHECK ((state = 'under_review') = (review_stage IS NOT NULL)),
    CHECK ((pending_extension_deadline IS NULL) = (pending_extension_reason IS NULL))
);

-- Measures imported before this migration enter the workflow where their status puts them.
INSERT INTO measure_workflow (measure_id, state, review_stage, extended)
SELECT id,
    CASE status
        WHEN 'completed' THEN 'closed'
        WHEN 'pending_verification' THEN 'under_review'
        WHEN 'long_term' THEN 'long_term'
        WHEN 'basically_completed' THEN 'basically_completed'
        WHEN 'in_progress' THEN 'in_progress'
        WHEN 'extended' THEN 'in_progress'
        WHEN 'not_done' THEN 'in_progress'
        ELSE 'not_started'
    END,
    CASE status WHEN 'pending_verification' THEN 'awaiting_leader' ELSE NULL END,
    CASE status WHEN 'extended' THEN 1 ELSE 0 END
FROM measures;

-- Supervision reminders (督办提醒), to a role or to one user.
CREATE TABLE reminders (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    measure_id BIGINT NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    from_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    from_name TEXT NOT NULL,
    to_role TEXT,
    to_user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    CHECK ((to_role IS NULL) <> (to_user_id IS NULL))
);
CREATE INDEX reminders_measure ON reminders (measure_id, sent_at);
CREATE INDEX reminders_user ON reminders (to_user_id);

-- Hand-overs of responsibility (a leader or department changes): old and new, never overwritten.
CREATE TABLE responsibility_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('problem', 'measure')),
    target_id BIGINT NOT NULL,
    old_json TEXT NOT NULL,
    new_json TEXT NOT NULL,
    changed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    changed_by_name TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX responsibility_history_target ON responsibility_history (target_kind, target_id, id);

-- Look-back (回头看): a reproducible sample of closed problems checked again.
CREATE TABLE lookbacks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    scheduled_for TEXT NOT NULL,
    seed TEXT NOT NULL,
    sample_size BIGINT NOT NULL CHECK (sample_size >= 0),
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX lookbacks_inspection ON lookbacks (inspection_id);

CREATE TABLE lookback_items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lookback_id BIGINT NOT NULL REFERENCES lookbacks (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    problem_id BIGINT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    result TEXT NOT NULL DEFAULT 'pending' CHECK (result IN ('pending', 'consolidated', 'relapsed')),
    note TEXT,
    checked_at TEXT,
    checked_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    checked_by_name TEXT,
    UNIQUE (lookback_id, position),
    UNIQUE (lookback_id, problem_id)
);

-- The tamper-evident audit trail: each entry's SM3 hash covers its columns and the previous hash.
-- No foreign keys: entries outlive the users and records they name. Append-only (see the triggers).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY CHECK (seq > 0),
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    address TEXT,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT,
    result TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, seq);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, seq);

-- The end of the chain, one row: appends lock it, so seq and prev_hash never fork, and a deleted
-- tail no longer matches it.
CREATE TABLE audit_head (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
