-- Separation of duties in the closure workflow (issue 13, finding 1).
--
-- The hands of a measure's current round, as JSON (rectify_domain::workflow::Hands): who
-- recorded progress or evidence, who claimed completion and who approved the claim so far. The
-- workflow refuses an approval by any of them. Measures from before this migration start with
-- no hands recorded (their earlier steps are in the audit trail).
ALTER TABLE measure_workflow ADD COLUMN hands TEXT NOT NULL DEFAULT '{}';
