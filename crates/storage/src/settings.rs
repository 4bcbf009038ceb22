//! System-wide settings kept as JSON text in the `settings` table (migration `0005_settings`):
//! for now the security policy of the security administrator (安全管理员).
//!
//! Storage keeps the text as given; parsing and validating it (against the 等保 level-3 floor)
//! is the auth layer's job, so that this crate needs no knowledge of the policy's fields. Every
//! change is audited with the value before and after, in the same transaction.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::audit::{AuditRecord, timestamp};
use crate::{Acting, StorageError, Store};

/// The key of the security policy row.
const SECURITY_POLICY: &str = "security_policy";

/// The key of the form-token key row: 64 hex digits made at the first start.
const FORM_KEY: &str = "form_key";

/// The key of the outbound delivery of notifications (SMTP server, webhook) of the system
/// administrator.
const NOTIFICATION_DELIVERY: &str = "notification_delivery";

/// Fields of a setting that the audit trail never shows (a password, a webhook address, which
/// carries the robot's access key): replaced by whether they were set.
const SECRET_FIELDS: &[&str] = &["password", "webhook_url"];

fn redacted(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        for (key, field) in map.iter_mut() {
            if SECRET_FIELDS.contains(&key.as_str()) {
                let set = !(field.is_null() || field.as_str() == Some(""));
                *field = Value::String(if set { "（已设置，不显示）" } else { "" }.to_owned());
            } else {
                *field = redacted(field.take());
            }
        }
    }
    value
}

/// The JSON text as an audit value (a string if it is not JSON, which it always should be).
fn as_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

impl Store {
    /// The stored security policy as JSON text; `None` until a security administrator saves one.
    pub async fn security_policy(&self) -> Result<Option<String>, StorageError> {
        self.setting(SECURITY_POLICY).await
    }

    /// Stores the security policy (JSON text the caller has validated), audited as
    /// `settings.security_policy` with the previous value.
    pub async fn set_security_policy(
        &self,
        json: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.set_setting(SECURITY_POLICY, json, actor, now).await
    }

    /// The key that signs anonymous form tokens, the same for every app server on this database:
    /// made from `fresh` by whichever server starts first (a race is settled by the primary key,
    /// and every server then reads the one stored). Not audited: it is the system's own secret,
    /// made once, never a user's change.
    pub async fn shared_form_key(&self, fresh: [u8; 32], now: DateTime<Utc>) -> Result<[u8; 32], StorageError> {
        let hex = crate::codec::hex(&fresh);
        self.execute_write(
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
            )
            .bind(FORM_KEY)
            .bind(hex)
            .bind(timestamp(now)),
        )
        .await?;
        let stored = self.setting(FORM_KEY).await?.unwrap_or_default();
        crate::codec::key_from_hex(&stored)
            .ok_or_else(|| StorageError::Invalid("the stored form key is not 64 hex digits".to_owned()))
    }

    /// The stored delivery settings of notifications as JSON text; `None` until saved.
    pub async fn notification_delivery(&self) -> Result<Option<String>, StorageError> {
        self.setting(NOTIFICATION_DELIVERY).await
    }

    /// Stores the delivery settings (JSON text the caller has validated), audited as
    /// `settings.notification_delivery` with secrets left out.
    pub async fn set_notification_delivery(
        &self,
        json: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.set_setting(NOTIFICATION_DELIVERY, json, actor, now).await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(&self.readers)
            .await?)
    }

    async fn set_setting(
        &self,
        key: &str,
        value: &str,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        let at = timestamp(now);
        if before.is_some() {
            sqlx::query("UPDATE settings SET value = $1, updated_at = $2 WHERE key = $3")
                .bind(value.to_owned())
                .bind(at)
                .bind(key.to_owned())
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)")
                .bind(key.to_owned())
                .bind(value.to_owned())
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        let mut record =
            AuditRecord::new(actor, format!("settings.{key}"), "settings", None, now).after(redacted(as_value(value)));
        if let Some(before) = before.as_deref() {
            record = record.before(redacted(as_value(before)));
        }
        tx.commit(&record).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rectify_domain::roles::Role;

    fn admin() -> Acting {
        Acting { user_id: None, user_name: "secadmin".into(), role: Role::SecurityAdmin, address: None }
    }

    #[tokio::test]
    async fn the_first_form_key_stays_for_every_server() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite:{}", dir.path().join("s.sqlite").display())).await.unwrap();
        let first = store.shared_form_key([7; 32], Utc::now()).await.unwrap();
        let second = store.shared_form_key([9; 32], Utc::now()).await.unwrap();
        assert_eq!((first, second), ([7; 32], [7; 32]));
    }

    #[tokio::test]
    async fn the_policy_is_absent_until_saved_then_replaced_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite:{}", dir.path().join("s.sqlite").display())).await.unwrap();
        assert_eq!(store.security_policy().await.unwrap(), None);
        let now = Utc::now();
        store.set_security_policy(r#"{"password_min_length":12}"#, &admin(), now).await.unwrap();
        store.set_security_policy(r#"{"password_min_length":14}"#, &admin(), now).await.unwrap();
        assert_eq!(store.security_policy().await.unwrap().as_deref(), Some(r#"{"password_min_length":14}"#));
        let filter = crate::AuditFilter { action: Some("settings.security_policy".into()), ..Default::default() };
        let changes = store.list_audit(&filter, crate::Page::default()).await.unwrap();
        assert_eq!(changes.len(), 2);
        // Newest first: the second change remembers the first value.
        assert_eq!(changes[0].before_json.as_deref(), Some(r#"{"password_min_length":12}"#));
        assert_eq!(changes[1].before_json, None);
        assert!(store.verify_audit().await.is_ok());
    }

    #[tokio::test]
    async fn delivery_settings_are_audited_without_their_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite:{}", dir.path().join("s.sqlite").display())).await.unwrap();
        let json = r#"{"smtp":{"host":"mail.example","password":"hunter2"},"webhook_url":"https://robot?key=abc"}"#;
        store.set_notification_delivery(json, &admin(), Utc::now()).await.unwrap();
        assert_eq!(store.notification_delivery().await.unwrap().as_deref(), Some(json));
        let filter = crate::AuditFilter { action: Some("settings.notification_delivery".into()), ..Default::default() };
        let changes = store.list_audit(&filter, crate::Page::default()).await.unwrap();
        let after = changes[0].after_json.as_deref().unwrap();
        assert!(after.contains("mail.example"), "{after}");
        assert!(!after.contains("hunter2") && !after.contains("key=abc"), "{after}");
    }
}
