-- SM4 at rest (crates/storage/src/sealed.rs): citizens' names and contacts in feedback are stored
-- sealed (`sm4:` + hex of the envelope), and every data key that sealed something is named here
-- so that a server started with the wrong or no data key ring refuses to start instead of
-- sealing new rows under a second key. Keep in step with the other backend's 0022.

-- The id of the data key that sealed the row's name and contact; NULL while they are plaintext
-- (rows from before this migration, sealed at the next start) and for anonymous rows, which hold
-- neither. Marks what is sealed, so nothing is sealed twice.
ALTER TABLE feedback ADD COLUMN sealed_key TEXT;
CREATE INDEX feedback_unsealed ON feedback (id) WHERE sealed_key IS NULL AND anonymous = 0;
CREATE INDEX feedback_sealed_key ON feedback (sealed_key);

-- The data keys that sealed anything stored (a feedback row or an evidence file); the key ring
-- outside the database must hold every one of them.
CREATE TABLE data_keys (
    key_id TEXT PRIMARY KEY CHECK (length(key_id) = 16),
    first_used_at TEXT NOT NULL
);
