-- System-wide settings edited in the administration pages, one row per key, the value as JSON
-- text. `security_policy` holds the SecurityPolicy of the security administrator (安全管理员).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
