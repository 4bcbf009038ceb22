-- Security hardening (issue 13).
--
-- The audit chain is keyed (HMAC-SM3 with a key kept outside the database, see audit_key.rs):
-- each entry names the key that signed it. Entries written before this migration keep NULL
-- and their plain SM3 hash; the key ring records how many there were (legacy-until).
ALTER TABLE audit_log ADD COLUMN key_id TEXT;

-- Sign-in failures counted per typed user name, known or not (rectify_auth::lockout), so that
-- lockout does not reveal which names exist and never touches the account's sessions. The name
-- is stored as a digest (people type passwords into the name field); a row exists only while
-- there is something to count.
CREATE TABLE login_failures (
    name_key TEXT PRIMARY KEY,
    failed_attempts BIGINT NOT NULL,
    locked_until TEXT,
    updated_at TEXT NOT NULL
);
