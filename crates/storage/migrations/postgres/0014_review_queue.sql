-- A reviewer's queue (待办审核) as an indexed predicate: the few measures under review or with an
-- extension awaiting a decision, found without reading the workflow of every measure of every
-- unit (240,000 rows at 2,000 units).
CREATE INDEX measure_workflow_review ON measure_workflow (review_stage) WHERE review_stage IS NOT NULL;
CREATE INDEX measure_workflow_extension ON measure_workflow (pending_extension_deadline)
    WHERE pending_extension_deadline IS NOT NULL;
