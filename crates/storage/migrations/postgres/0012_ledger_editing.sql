-- Editing the ledger in the browser and the API. Keep in step with ../sqlite/0012_ledger_editing.sql.
--
-- A version per aspect, problem and measure: the optimistic lock of an edit (a change names the
-- version it was made on; a stale one is refused with the current one).
--
-- Retiring (作废): once work on a problem or measure has started it is no longer deleted but
-- retired with a reason. A retired row keeps its text and history; its `position` leaves the
-- ledger's order (it becomes the negative of its id, so the live rows stay numbered 0..n-1), and
-- every list, count, figure and report reads only rows whose `retired_at` is NULL.
--
-- Drafts (草稿): an inspection created in the browser or imported from a file is a draft the unit's
-- liaison completes (responsibility, deadlines) before it goes live; a row here until then.
ALTER TABLE aspects ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE problems ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE problems ADD COLUMN retired_at TEXT;
ALTER TABLE problems ADD COLUMN retired_reason TEXT;
ALTER TABLE measures ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE measures ADD COLUMN retired_at TEXT;
ALTER TABLE measures ADD COLUMN retired_reason TEXT;

CREATE TABLE inspection_drafts (
    inspection_id BIGINT PRIMARY KEY REFERENCES inspections (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

-- A retired problem or measure leaves the counts of the list of inspections.
CREATE CONSTRAINT TRIGGER catalog_problems_retire AFTER UPDATE OF retired_at ON problems
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_changed();
CREATE CONSTRAINT TRIGGER catalog_measures_retire AFTER UPDATE OF retired_at ON measures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_changed();

-- Going live changes what the pages of the inspection show.
CREATE CONSTRAINT TRIGGER inspection_drafts_version AFTER INSERT OR DELETE ON inspection_drafts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inspection_data_changed();
CREATE CONSTRAINT TRIGGER catalog_inspection_drafts AFTER INSERT OR DELETE ON inspection_drafts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_changed();
