-- Unit indicators (整改指标): figures a unit tracks over its rectification (e.g. 一网通办 全程网办率
-- 70% → 85.71%). Values are decimals with at most four places, held exactly as ten-thousandths.
-- Keep in step with ../postgres/0019_indicators.sql: the two differ only in identity columns.
CREATE TABLE indicators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (name <> ''),
    unit_of_measure TEXT NOT NULL CHECK (unit_of_measure <> ''),
    baseline_e4 BIGINT NOT NULL,
    target_e4 BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX indicators_inspection ON indicators (inspection_id, id);

-- Dated readings of an indicator, each with an optional note; never overwritten.
CREATE TABLE indicator_readings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    reading_date TEXT NOT NULL,
    value_e4 BIGINT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX indicator_readings_indicator ON indicator_readings (indicator_id, reading_date, id);
