-- Routing public feedback (意见建议): replies that wait for a second person's approval before the
-- citizen sees them (答复需审核), forwarding (转办) to a responsible department of the unit, and a
-- link to a problem of the unit's ledger. Keep in step with ../sqlite/0021_feedback_routing.sql
-- (the two files are the same).

-- A unit's choice that its replies need approval: one row per unit that made a choice (a unit
-- without a row publishes replies at once, as before).
CREATE TABLE feedback_unit_settings (
    unit TEXT PRIMARY KEY CHECK (unit <> ''),
    answers_need_approval SMALLINT NOT NULL DEFAULT 0 CHECK (answers_need_approval IN (0, 1)),
    changed_at TEXT NOT NULL,
    changed_by_name TEXT NOT NULL
);

-- A reply awaiting approval (待审核) stays apart from the published `answer`: the citizen keeps
-- seeing the approved one (or none) until a second person approves. `answer_returned_reason`
-- is why the last one was returned (退回), cleared by the next reply.
ALTER TABLE feedback ADD COLUMN pending_answer TEXT;
ALTER TABLE feedback ADD COLUMN pending_by BIGINT;
ALTER TABLE feedback ADD COLUMN pending_by_name TEXT;
ALTER TABLE feedback ADD COLUMN pending_at TEXT;
ALTER TABLE feedback ADD COLUMN answer_returned_reason TEXT;
-- 转办: the department of the unit that handles the feedback, with the note that went with it.
ALTER TABLE feedback ADD COLUMN forwarded_department TEXT;
ALTER TABLE feedback ADD COLUMN forward_note TEXT;
ALTER TABLE feedback ADD COLUMN forwarded_at TEXT;
-- The problem of the unit's ledger the feedback is about.
ALTER TABLE feedback ADD COLUMN problem_id BIGINT REFERENCES problems (id) ON DELETE SET NULL;

CREATE INDEX feedback_forwarded ON feedback (unit, forwarded_department);
CREATE INDEX feedback_problem ON feedback (problem_id);
