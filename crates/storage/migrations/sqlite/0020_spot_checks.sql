-- 双随机、一公开 spot checks: a unit's registry of supervised objects (监管对象, e.g. 人防工程) and
-- of inspectors (执法检查人员), check rounds (抽查批次) drawn from them with a published seed, and
-- what the check of each drawn object found. A unit is named as the ledgers name it.
-- Keep in step with ../postgres/0020_spot_checks.sql: the two differ only in identity columns.
CREATE TABLE spot_objects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL CHECK (unit <> ''),
    name TEXT NOT NULL CHECK (name <> ''),
    address TEXT,
    owner TEXT,
    -- Square metres in hundredths.
    area_e2 BIGINT CHECK (area_e2 >= 0),
    status TEXT NOT NULL,
    category TEXT,
    -- Retired objects stay (past draws name them) but are never drawn again.
    retired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX spot_objects_unit ON spot_objects (unit, id);

CREATE TABLE spot_inspectors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL CHECK (unit <> ''),
    name TEXT NOT NULL CHECK (name <> ''),
    department TEXT,
    certificate TEXT,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX spot_inspectors_unit ON spot_inspectors (unit, id);

-- A check round. Until drawn, seed and candidates are NULL; the candidates (JSON: the ids of the
-- objects and inspectors the draw chose from, with what 回避 reads) are kept so that anyone can
-- re-run the draw from the seed whatever the registry holds later.
CREATE TABLE spot_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL CHECK (unit <> ''),
    name TEXT NOT NULL CHECK (name <> ''),
    check_date TEXT NOT NULL,
    object_count BIGINT NOT NULL CHECK (object_count > 0),
    inspectors_per_object BIGINT NOT NULL CHECK (inspectors_per_object > 0),
    seed TEXT,
    candidates TEXT,
    drawn_at TEXT,
    drawn_by_name TEXT,
    -- The 专项检查 ledger made from the hazards found (at most one).
    inspection_id BIGINT REFERENCES inspections (id) ON DELETE SET NULL,
    published_at TEXT,
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX spot_rounds_unit ON spot_rounds (unit, id);
CREATE INDEX spot_rounds_published ON spot_rounds (published_at, id);

-- A drawn object with its drawn inspectors; names are copied at the draw, so that what was drawn
-- and published reads the same after the registry changes.
CREATE TABLE spot_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id BIGINT NOT NULL REFERENCES spot_rounds (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    object_id BIGINT NOT NULL REFERENCES spot_objects (id),
    object_name TEXT NOT NULL,
    object_address TEXT,
    object_owner TEXT,
    object_category TEXT,
    -- JSON arrays, in drawing order.
    inspector_ids TEXT NOT NULL,
    inspector_names TEXT NOT NULL,
    -- JSON of the finding (rectify_domain::spot_check::Finding); NULL until recorded.
    finding TEXT,
    recorded_at TEXT,
    recorded_by_name TEXT,
    UNIQUE (round_id, position)
);
