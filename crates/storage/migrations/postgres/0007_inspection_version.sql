-- A version per inspection: every change of an inspection's ledger data (its aspects, problems,
-- measures, progress, evidence, workflow, outcomes, organisation) raises its `data_version` in
-- the same statement, kept by the database itself. Remembered reads of one inspection stay valid
-- while its version stands, so a change in one unit leaves every other unit's reads in place.

ALTER TABLE inspections ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

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
    UPDATE inspections SET data_version = data_version + 1 WHERE id = inspection;
    RETURN NULL;
END
$$;

CREATE TRIGGER aspects_version AFTER INSERT OR UPDATE OR DELETE ON aspects
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER problems_version AFTER INSERT OR UPDATE OR DELETE ON problems
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER measures_version AFTER INSERT OR UPDATE OR DELETE ON measures
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER rules_version AFTER INSERT OR UPDATE OR DELETE ON rules
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER funds_version AFTER INSERT OR UPDATE OR DELETE ON funds
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER accountability_version AFTER INSERT OR UPDATE OR DELETE ON accountability
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER meetings_version AFTER INSERT OR UPDATE OR DELETE ON meetings
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER organisation_names_version AFTER INSERT OR UPDATE OR DELETE ON organisation_names
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER organisation_members_version AFTER INSERT OR UPDATE OR DELETE ON organisation_members
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER progress_entries_version AFTER INSERT OR UPDATE OR DELETE ON progress_entries
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER measure_workflow_version AFTER INSERT OR UPDATE OR DELETE ON measure_workflow
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER evidence_version AFTER INSERT OR UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();

CREATE TRIGGER meeting_problems_version AFTER INSERT OR UPDATE OR DELETE ON meeting_problems
    FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();
