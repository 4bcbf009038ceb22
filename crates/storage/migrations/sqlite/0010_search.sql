-- Full-text search (全文检索): one row per searchable text (a problem, a measure, a progress
-- entry, an evidence name, a public feedback) with its words segmented by the application
-- (crates/segment) and joined by spaces, indexed by FTS5. Keep in step with
-- ../postgres/0010_search.sql, which indexes the same `tokens` with to_tsvector('simple', …), so
-- that both backends find the same rows. Derived data: rebuilt from the ledger when empty.
-- A ledger row's entries go with its problem or measure (ON DELETE CASCADE).
CREATE TABLE search_index (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    UNIQUE (kind, item_id)
);
CREATE INDEX search_index_inspection ON search_index (inspection_id);
CREATE INDEX search_index_problem ON search_index (problem_id);
CREATE INDEX search_index_measure ON search_index (measure_id);

-- An external-content FTS5 table over `tokens`: the words are stored once, in search_index.
-- unicode61 splits at the spaces (the tokens hold only letters and digits); diacritics are kept
-- as PostgreSQL's 'simple' configuration keeps them.
CREATE VIRTUAL TABLE search_fts USING fts5 (
    tokens, content = 'search_index', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER search_index_insert AFTER INSERT ON search_index
BEGIN
    INSERT INTO search_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
CREATE TRIGGER search_index_delete AFTER DELETE ON search_index
BEGIN
    INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
END;
CREATE TRIGGER search_index_update AFTER UPDATE ON search_index
BEGIN
    INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
    INSERT INTO search_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
