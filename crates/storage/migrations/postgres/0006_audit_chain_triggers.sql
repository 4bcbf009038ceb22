-- The database itself keeps the audit chain whole: an entry must continue the chain's end
-- (number + 1, previous hash), and the end follows every entry inside the inserting statement.
-- An append is thus one statement, and a writer whose idea of the end is stale is refused
-- instead of forking the chain. The message is matched by the application: keep it.
CREATE FUNCTION audit_log_continues_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1 AND seq + 1 = NEW.seq AND hash = NEW.prev_hash) THEN
        RAISE EXCEPTION 'the entry does not continue the audit chain';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_continues_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_continues_chain();

CREATE FUNCTION audit_log_moves_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_moves_head AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_moves_head();
