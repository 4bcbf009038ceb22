-- Notifications (消息提醒): the in-app notification centre, each user's mail address for outbound
-- copies, and the outbound queue. Keep in step with ../postgres/0016_notifications.sql: the two
-- files differ only in identity columns.

-- One message to one user, addressed when the event happened (after the scope check). `dedup`
-- makes periodic notices idempotent (e.g. one deadline notice per measure per day).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('awaiting', 'sent_back', 'reminder', 'deadline', 'overdue',
        'feedback', 'extension')),
    title TEXT NOT NULL CHECK (title <> ''),
    body TEXT NOT NULL,
    link TEXT,
    measure_id BIGINT REFERENCES measures (id) ON DELETE CASCADE,
    dedup TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (user_id, dedup)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
-- The header's unread count is one probe of this index.
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Where a user's notifications are copied by mail (set by the user).
CREATE TABLE notification_addresses (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL CHECK (email <> '')
);

-- Outbound deliveries (mail over SMTP, the group robot's webhook), retried with backoff by the
-- delivery worker until sent or given up (failed).
CREATE TABLE notification_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_at);

-- The daily deadline notices pick the measures due within days by this index.
CREATE INDEX measures_deadline ON measures (deadline);
