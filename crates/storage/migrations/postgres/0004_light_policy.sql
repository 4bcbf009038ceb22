-- Deadline-light thresholds and recipients of the round (预警规则), as JSON:
-- {"lights": LightPolicy, "recipients": LightRecipients}; '' means the defaults.
ALTER TABLE inspections ADD COLUMN light_policy TEXT NOT NULL DEFAULT '';
