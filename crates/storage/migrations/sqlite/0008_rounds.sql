-- Rounds (巡察轮次) as records: a round holds the inspections of many units. An imported ledger
-- joins the round named by its `inspection.round` text, created when new.
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
-- so that the list read by every page stays remembered while units work.
CREATE TABLE catalog_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TRIGGER catalog_inspections_insert AFTER INSERT ON inspections
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_inspections_update AFTER UPDATE ON inspections
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_inspections_delete AFTER DELETE ON inspections
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_aspects_insert AFTER INSERT ON aspects
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_aspects_delete AFTER DELETE ON aspects
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_problems_insert AFTER INSERT ON problems
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_problems_delete AFTER DELETE ON problems
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_measures_insert AFTER INSERT ON measures
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_measures_delete AFTER DELETE ON measures
BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
