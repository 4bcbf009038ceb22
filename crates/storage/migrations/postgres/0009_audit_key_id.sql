-- The audit chain is keyed (HMAC-SM3 with a key kept outside the database, see audit_key.rs):
-- each entry names the key that signed it. Entries written before this migration keep NULL
-- and their plain SM3 hash; the key ring records how many there were (legacy-until).
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
