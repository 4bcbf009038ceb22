-- The rectification ledger (整改台账), normalised. Keep in step with ../sqlite/0001_ledger.sql:
-- the two files differ only in identity columns and type names.
-- Dates are TEXT in the PartialDate form (YYYY, YYYY-MM or YYYY-MM-DD); money is BIGINT 分 (1/1,000,000 万元)
-- plus the number of decimals the source printed; small lists are JSON text.

CREATE TABLE inspections (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title TEXT,
    unit TEXT,
    report_date TEXT,
    inspector TEXT,
    start_date TEXT,
    end_date TEXT,
    feedback_date TEXT,
    round TEXT,
    inspection_kind TEXT,
    feedback_document TEXT,
    claimed_aspects BIGINT,
    claimed_problems BIGINT,
    claimed_measures BIGINT,
    claimed_completed BIGINT,
    claimed_in_progress BIGINT,
    -- TEXT holding the shortest decimal that reads back as the same f64: exact on both databases,
    -- and it avoids binding float NULLs, which sqlx::Any sends as float4 to PostgreSQL.
    claimed_completion_rate_percent TEXT,
    claimed_rules_made_or_revised BIGINT,
    claimed_funds_fen BIGINT,
    claimed_funds_decimals SMALLINT,
    claimed_accountability TEXT NOT NULL DEFAULT '{}',
    named_documents TEXT NOT NULL DEFAULT '[]',
    contacts TEXT NOT NULL,
    organisation_liaison TEXT,
    long_term_counts_as_completed SMALLINT NOT NULL DEFAULT 0 CHECK (long_term_counts_as_completed IN (0, 1)),
    rate_decimals SMALLINT NOT NULL DEFAULT 2,
    created_at TEXT NOT NULL,
    CHECK ((claimed_funds_fen IS NULL) = (claimed_funds_decimals IS NULL))
);
CREATE INDEX inspections_unit ON inspections (unit);
CREATE INDEX inspections_title ON inspections (title);

-- Earlier names of the inspected organisation, oldest first.
CREATE TABLE organisation_names (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    until TEXT,
    UNIQUE (inspection_id, position)
);

-- Members of the leading group (领导小组) and of the work team (工作专班).
CREATE TABLE organisation_members (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    team TEXT NOT NULL CHECK (team IN ('leading_group', 'work_team')),
    position BIGINT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (inspection_id, team, position)
);

CREATE TABLE aspects (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    number TEXT,
    title TEXT,
    UNIQUE (inspection_id, position)
);

CREATE TABLE problems (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aspect_id BIGINT NOT NULL REFERENCES aspects (id) ON DELETE CASCADE,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    number TEXT,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT,
    scope TEXT,
    description TEXT,
    disclosure TEXT NOT NULL,
    first_responsible TEXT,
    leader TEXT,
    departments TEXT NOT NULL DEFAULT '[]',
    liaison TEXT,
    UNIQUE (aspect_id, position)
);
CREATE INDEX problems_inspection ON problems (inspection_id);

CREATE TABLE measures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    problem_id BIGINT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    dates TEXT NOT NULL DEFAULT '[]',
    amounts TEXT NOT NULL DEFAULT '[]',
    documents TEXT NOT NULL DEFAULT '[]',
    kind TEXT,
    deadline TEXT,
    status TEXT,
    first_responsible TEXT,
    leader TEXT,
    departments TEXT NOT NULL DEFAULT '[]',
    liaison TEXT,
    UNIQUE (problem_id, position)
);
CREATE INDEX measures_inspection ON measures (inspection_id);

CREATE TABLE progress_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    measure_id BIGINT NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    entry_date TEXT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (measure_id, position)
);

-- Evidence (佐证材料) belongs to a measure or to one of its progress entries, never both.
CREATE TABLE evidence (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    measure_id BIGINT REFERENCES measures (id) ON DELETE CASCADE,
    progress_entry_id BIGINT REFERENCES progress_entries (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT,
    evidence_date TEXT,
    media_type TEXT,
    size_bytes BIGINT CHECK (size_bytes >= 0),
    sha256 TEXT,
    CHECK ((measure_id IS NULL) <> (progress_entry_id IS NULL))
);
CREATE INDEX evidence_measure ON evidence (measure_id);
CREATE INDEX evidence_progress_entry ON evidence (progress_entry_id);

CREATE TABLE rules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('made', 'revised')),
    rule_date TEXT,
    measure_id BIGINT REFERENCES measures (id) ON DELETE SET NULL,
    UNIQUE (inspection_id, position)
);
CREATE INDEX rules_measure ON rules (measure_id);

CREATE TABLE funds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('refunded', 'recovered', 'losses_avoided')),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    amount_decimals SMALLINT NOT NULL,
    fund_date TEXT,
    measure_id BIGINT REFERENCES measures (id) ON DELETE SET NULL,
    note TEXT,
    UNIQUE (inspection_id, position)
);
CREATE INDEX funds_measure ON funds (measure_id);

CREATE TABLE accountability (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    count BIGINT NOT NULL CHECK (count >= 0),
    counting TEXT NOT NULL CHECK (counting IN ('persons', 'person_times')),
    persons TEXT NOT NULL DEFAULT '[]',
    action_date TEXT,
    problem_id BIGINT REFERENCES problems (id) ON DELETE SET NULL,
    UNIQUE (inspection_id, position)
);
CREATE INDEX accountability_problem ON accountability (problem_id);

CREATE TABLE meetings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    meeting_date TEXT,
    title TEXT,
    decisions TEXT NOT NULL DEFAULT '[]',
    UNIQUE (inspection_id, position)
);

CREATE TABLE meeting_problems (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    problem_id BIGINT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, position)
);
CREATE INDEX meeting_problems_problem ON meeting_problems (problem_id);
