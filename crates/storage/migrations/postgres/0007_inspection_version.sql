-- A version per inspection: every change of an inspection's ledger data (its aspects, problems,
-- measures, progress, evidence, workflow, outcomes, organisation) raises its version, kept by
-- the database itself. Remembered reads of one inspection stay valid while its version stands,
-- so a change in one unit leaves every other unit's reads in place. The versions live in a
-- narrow table of their own: raising one rewrites two numbers, not the inspection's header.

CREATE TABLE inspection_versions (
    inspection_id BIGINT PRIMARY KEY REFERENCES inspections (id) ON DELETE CASCADE,
    version BIGINT NOT NULL
);
INSERT INTO inspection_versions (inspection_id, version) SELECT id, 0 FROM inspections;

CREATE FUNCTION inspection_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inspection_versions (inspection_id, version) VALUES (NEW.id, 0);
    RETURN NULL;
END
$$;

CREATE TRIGGER inspections_insert_version AFTER INSERT ON inspections
    FOR EACH ROW EXECUTE FUNCTION inspection_created();

-- The change triggers are deferred to the commit: raising a version locks its row, and taken at
-- the first change that lock would make every writer of the unit wait for the whole transaction
-- of the one before; at the commit it is held as briefly as the audit chain's end.
--
-- Which inspection a changed row belongs to, for each kind of table.
CREATE FUNCTION inspection_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed RECORD;
    inspection BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF TG_TABLE_NAME IN ('progress_entries', 'measure_workflow') THEN
        SELECT m.inspection_id INTO inspection FROM measures m WHERE m.id = changed.measure_id;
    ELSIF TG_TABLE_NAME = 'evidence' THEN
        SELECT COALESCE(
            (SELECT m.inspection_id FROM measures m WHERE m.id = changed.measure_id),
            (SELECT m.inspection_id FROM progress_entries e JOIN measures m ON m.id = e.measure_id
             WHERE e.id = changed.progress_entry_id)) INTO inspection;
    ELSIF TG_TABLE_NAME = 'meeting_problems' THEN
        SELECT g.inspection_id INTO inspection FROM meetings g WHERE g.id = changed.meeting_id;
    ELSE
        inspection := changed.inspection_id;
    END IF;
    -- Once per transaction and inspection: the version must move, not count the rows.
    IF inspection IS NOT NULL
        AND current_setting('rectify.version_raised_' || inspection, true) IS DISTINCT FROM 'yes' THEN
        UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = inspection;
        PERFORM set_config('rectify.version_raised_' || inspection, 'yes', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER aspects_version AFTER INSERT OR UPDATE OR DELETE ON aspects
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER problems_version AFTER INSERT OR UPDATE OR DELETE ON problems
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER measures_version AFTER INSERT OR UPDATE OR DELETE ON measures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER rules_version AFTER INSERT OR UPDATE OR DELETE ON rules
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER funds_version AFTER INSERT OR UPDATE OR DELETE ON funds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER accountability_version AFTER INSERT OR UPDATE OR DELETE ON accountability
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER meetings_version AFTER INSERT OR UPDATE OR DELETE ON meetings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER organisation_names_version AFTER INSERT OR UPDATE OR DELETE ON organisation_names
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER organisation_members_version AFTER INSERT OR UPDATE OR DELETE ON organisation_members
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER progress_entries_version AFTER INSERT OR UPDATE OR DELETE ON progress_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER measure_workflow_version AFTER INSERT OR UPDATE OR DELETE ON measure_workflow
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER evidence_version AFTER INSERT OR UPDATE OR DELETE ON evidence
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE CONSTRAINT TRIGGER meeting_problems_version AFTER INSERT OR UPDATE OR DELETE ON meeting_problems
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();
