-- Evaluation (整改评估) of the units of a round. Keep in step with ../sqlite/0011_evaluations.sql:
-- the two files differ only in identity columns.

-- The score sheet (评分表) the inspection office set for a round, as the domain's JSON; a round
-- without one is scored by the default sheet.
CREATE TABLE score_sheets (
    round_id BIGINT PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    sheet TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_by_name TEXT NOT NULL
);

-- The office's adjustments of a unit's score, each with its reason, never overwritten: the
-- unit's adjustment is the sum of its points; its veto (一票否决) is the latest row that sets or
-- lifts one (veto NULL: the row leaves the veto as it was).
CREATE TABLE evaluation_adjustments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    tenths BIGINT NOT NULL CHECK (tenths BETWEEN -1000 AND 1000),
    veto SMALLINT CHECK (veto IN (0, 1)),
    reason TEXT NOT NULL CHECK (reason <> ''),
    created_at TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_name TEXT NOT NULL
);
CREATE INDEX evaluation_adjustments_inspection ON evaluation_adjustments (inspection_id, id);

-- Counting the claims sent back per unit reads the few entries of that action, not the trail.
CREATE INDEX audit_log_action ON audit_log (action, target_id);
CREATE INDEX lookbacks_result ON lookback_items (lookback_id, result);
CREATE INDEX feedback_inspection ON feedback (inspection_id, status);
