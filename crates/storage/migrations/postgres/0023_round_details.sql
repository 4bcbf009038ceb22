-- Rounds (巡察轮次) as full records: the committee that ran the round, the dates of the on-site
-- inspection (进驻) and of the feedback (反馈), a version for the office's edits (optimistic
-- locking, as the ledger's items have), and the round's groups (巡察组) with the units each
-- inspected. Dates are text as precise as known (YYYY, YYYY-MM or YYYY-MM-DD), as elsewhere.
ALTER TABLE rounds ADD COLUMN committee TEXT;
ALTER TABLE rounds ADD COLUMN start_date TEXT;
ALTER TABLE rounds ADD COLUMN end_date TEXT;
ALTER TABLE rounds ADD COLUMN feedback_date TEXT;
ALTER TABLE rounds ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE round_groups (
    id BIGSERIAL PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    leader TEXT,
    UNIQUE (round_id, position)
);

-- Which units (their inspections) a group inspected. A unit that leaves the round leaves its
-- group too (see round_admin.rs); an inspection that is deleted takes its rows with it.
CREATE TABLE round_group_units (
    group_id BIGINT NOT NULL REFERENCES round_groups (id) ON DELETE CASCADE,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, inspection_id)
);
CREATE INDEX round_group_units_inspection ON round_group_units (inspection_id);
