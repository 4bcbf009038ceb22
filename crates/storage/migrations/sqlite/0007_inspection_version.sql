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

CREATE TRIGGER inspections_insert_version AFTER INSERT ON inspections
BEGIN
    INSERT INTO inspection_versions (inspection_id, version) VALUES (NEW.id, 0);
END;

CREATE TRIGGER aspects_insert_version AFTER INSERT ON aspects
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER aspects_update_version AFTER UPDATE ON aspects
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER aspects_delete_version AFTER DELETE ON aspects
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER problems_insert_version AFTER INSERT ON problems
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER problems_update_version AFTER UPDATE ON problems
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER problems_delete_version AFTER DELETE ON problems
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER measures_insert_version AFTER INSERT ON measures
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER measures_update_version AFTER UPDATE ON measures
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER measures_delete_version AFTER DELETE ON measures
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER rules_insert_version AFTER INSERT ON rules
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER rules_update_version AFTER UPDATE ON rules
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER rules_delete_version AFTER DELETE ON rules
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER funds_insert_version AFTER INSERT ON funds
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER funds_update_version AFTER UPDATE ON funds
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER funds_delete_version AFTER DELETE ON funds
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER accountability_insert_version AFTER INSERT ON accountability
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER accountability_update_version AFTER UPDATE ON accountability
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER accountability_delete_version AFTER DELETE ON accountability
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER meetings_insert_version AFTER INSERT ON meetings
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER meetings_update_version AFTER UPDATE ON meetings
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER meetings_delete_version AFTER DELETE ON meetings
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER organisation_names_insert_version AFTER INSERT ON organisation_names
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER organisation_names_update_version AFTER UPDATE ON organisation_names
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER organisation_names_delete_version AFTER DELETE ON organisation_names
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER organisation_members_insert_version AFTER INSERT ON organisation_members
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER organisation_members_update_version AFTER UPDATE ON organisation_members
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER organisation_members_delete_version AFTER DELETE ON organisation_members
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = OLD.inspection_id;
END;

CREATE TRIGGER progress_entries_insert_version AFTER INSERT ON progress_entries
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM measures WHERE id = NEW.measure_id);
END;

CREATE TRIGGER progress_entries_update_version AFTER UPDATE ON progress_entries
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM measures WHERE id = NEW.measure_id);
END;

CREATE TRIGGER progress_entries_delete_version AFTER DELETE ON progress_entries
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM measures WHERE id = OLD.measure_id);
END;

CREATE TRIGGER measure_workflow_insert_version AFTER INSERT ON measure_workflow
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM measures WHERE id = NEW.measure_id);
END;

CREATE TRIGGER measure_workflow_update_version AFTER UPDATE ON measure_workflow
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM measures WHERE id = NEW.measure_id);
END;

CREATE TRIGGER measure_workflow_delete_version AFTER DELETE ON measure_workflow
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM measures WHERE id = OLD.measure_id);
END;

CREATE TRIGGER evidence_insert_version AFTER INSERT ON evidence
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = COALESCE(
        (SELECT inspection_id FROM measures WHERE id = NEW.measure_id),
        (SELECT m.inspection_id FROM progress_entries e JOIN measures m ON m.id = e.measure_id
         WHERE e.id = NEW.progress_entry_id));
END;

CREATE TRIGGER meeting_problems_insert_version AFTER INSERT ON meeting_problems
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM meetings WHERE id = NEW.meeting_id);
END;

CREATE TRIGGER evidence_update_version AFTER UPDATE ON evidence
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = COALESCE(
        (SELECT inspection_id FROM measures WHERE id = NEW.measure_id),
        (SELECT m.inspection_id FROM progress_entries e JOIN measures m ON m.id = e.measure_id
         WHERE e.id = NEW.progress_entry_id));
END;

CREATE TRIGGER meeting_problems_update_version AFTER UPDATE ON meeting_problems
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM meetings WHERE id = NEW.meeting_id);
END;

CREATE TRIGGER evidence_delete_version AFTER DELETE ON evidence
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = COALESCE(
        (SELECT inspection_id FROM measures WHERE id = OLD.measure_id),
        (SELECT m.inspection_id FROM progress_entries e JOIN measures m ON m.id = e.measure_id
         WHERE e.id = OLD.progress_entry_id));
END;

CREATE TRIGGER meeting_problems_delete_version AFTER DELETE ON meeting_problems
BEGIN
    UPDATE inspection_versions SET version = version + 1 WHERE inspection_id = (SELECT inspection_id FROM meetings WHERE id = OLD.meeting_id);
END;
