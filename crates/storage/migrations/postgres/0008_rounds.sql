-- Rounds (巡察轮次) as records: a round holds the inspections of many units. An imported ledger
-- joins the round named by its `inspection.round` text, created when new.
CREATE TABLE rounds (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL DEFAULT ''
);
INSERT INTO rounds (name) SELECT DISTINCT round FROM inspections WHERE round IS NOT NULL AND round <> '';
ALTER TABLE inspections ADD COLUMN round_id BIGINT REFERENCES rounds (id);
UPDATE inspections SET round_id = (SELECT r.id FROM rounds r WHERE r.name = inspections.round);
CREATE INDEX inspections_round ON inspections (round_id);
CREATE INDEX problems_inspection_status ON problems (inspection_id, status);

-- The version of the list of inspections: raised when an inspection comes, goes or changes its
-- header, or when the number of its aspects, problems or measures changes — not by progress,
-- so that the list read by every page stays remembered while units work. Raised once per
-- transaction, at the commit (an import inserts hundreds of rows).
CREATE TABLE catalog_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('rectify.catalog_raised', true) IS DISTINCT FROM 'yes' THEN
        UPDATE catalog_version SET version = version + 1 WHERE id = 1;
        PERFORM set_config('rectify.catalog_raised', 'yes', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER catalog_inspections AFTER INSERT OR UPDATE OR DELETE ON inspections
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_changed();
CREATE CONSTRAINT TRIGGER catalog_aspects AFTER INSERT OR DELETE ON aspects
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_changed();
CREATE CONSTRAINT TRIGGER catalog_problems AFTER INSERT OR DELETE ON problems
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_changed();
CREATE CONSTRAINT TRIGGER catalog_measures AFTER INSERT OR DELETE ON measures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_changed();
