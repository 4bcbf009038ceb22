-- Full-text search (全文检索): one row per searchable text (a problem, a measure, a progress
-- entry, an evidence name, a public feedback) with its words segmented by the application
-- (crates/segment) and joined by spaces. Keep in step with ../sqlite/0010_search.sql, which
-- indexes the same `tokens` with FTS5, so that both backends find the same rows. The 'simple'
-- configuration neither stems nor drops words: the tokens are indexed as they are. Derived
-- data: rebuilt from the ledger when empty. A ledger row's entries go with its problem or
-- measure (ON DELETE CASCADE).
CREATE TABLE search_index (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('problem', 'measure', 'progress', 'evidence', 'feedback')),
    item_id BIGINT NOT NULL,
    inspection_id BIGINT,
    problem_id BIGINT REFERENCES problems (id) ON DELETE CASCADE,
    measure_id BIGINT REFERENCES measures (id) ON DELETE CASCADE,
    -- The unit of a feedback (a ledger row's unit is its inspection's).
    unit TEXT,
    -- The heading of an evidence or feedback hit (a ledger row's is its problem's title).
    title TEXT,
    body TEXT NOT NULL,
    tokens TEXT NOT NULL,
    words TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED,
    UNIQUE (kind, item_id)
);
CREATE INDEX search_index_inspection ON search_index (inspection_id);
CREATE INDEX search_index_problem ON search_index (problem_id);
CREATE INDEX search_index_measure ON search_index (measure_id);
CREATE INDEX search_index_words ON search_index USING GIN (words);
