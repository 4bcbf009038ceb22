//! The tamper-evident audit trail: reading and exporting it (the audit administrator), checking
//! its chain, and the history of one problem or measure for the people who read the item.

use std::collections::HashMap;

use rectify_domain::roles::Role;
use rectify_storage::{AuditEntry, AuditFilter, AuditVerifyError, Page};

use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;

/// Entries of the trail, newest first.
pub async fn list(state: &AppState, filter: &AuditFilter, page: Page) -> Result<Vec<AuditEntry>, AppError> {
    Ok(state.store().list_audit(filter, page).await?)
}

/// [`list`] with how many entries match in all (the API's `total`).
pub async fn page(state: &AppState, filter: &AuditFilter, page: Page) -> Result<(Vec<AuditEntry>, u64), AppError> {
    Ok((list(state, filter, page).await?, state.store().count_audit(filter).await?))
}

/// The filtered trail as CSV (UTF-8 with BOM); the export is itself audited.
pub async fn export_csv(state: &AppState, principal: &Principal, filter: &AuditFilter) -> Result<String, AppError> {
    let acting = principal.acting_as(Role::AuditAdmin);
    Ok(state.store().export_audit_csv(filter, &acting, state.now()).await?)
}

/// The result of checking the chain.
#[derive(Debug, Clone)]
pub enum ChainCheck {
    Intact { entries: u64 },
    Broken { seq: i64, reason: String },
}

/// Checks every link and hash of the SM3-chained trail.
pub async fn verify(state: &AppState) -> Result<ChainCheck, AppError> {
    match state.store().verify_audit().await {
        Ok(check) => Ok(ChainCheck::Intact { entries: check.entries }),
        Err(AuditVerifyError::Broken(b)) => Ok(ChainCheck::Broken { seq: b.seq, reason: b.reason }),
        Err(AuditVerifyError::Storage(e)) => Err(e.into()),
    }
}

/// How many audit entries of one item its page shows; older ones are in the audit trail.
const HISTORY_LIMIT: u32 = 50;

/// The successful audited actions on the given items (`("problem", id)`, `("measure", id)`),
/// newest first: one query for a problem and all its measures.
pub async fn item_history(state: &AppState, targets: &[(&str, i64)]) -> Result<Vec<AuditEntry>, AppError> {
    let limit = HISTORY_LIMIT.saturating_mul(u32::try_from(targets.len()).unwrap_or(u32::MAX));
    Ok(state.store().item_history(targets, limit).await?)
}

/// How many entries of one measure the API's history reads at most (then pages through them).
const API_HISTORY_CAP: u32 = 1_000;

/// The successful audited actions on one measure, newest first, for the API's history (which
/// filters and pages them): at most [`API_HISTORY_CAP`], one indexed query.
pub async fn measure_trail(state: &AppState, measure: i64) -> Result<Vec<AuditEntry>, AppError> {
    Ok(state.store().item_history(&[("measure", measure)], API_HISTORY_CAP).await?)
}

/// What an item's history entry says beyond its action, as the step's audit entry keeps it: the
/// reason (理由) of a send-back, an extension request or decision, a reopening or a retirement,
/// and the comment (审核意见) of an approval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryNote {
    pub reason: Option<String>,
    pub comment: Option<String>,
}

/// The [`EntryNote`] of an entry (empty when its record holds neither).
pub fn note_of(entry: &AuditEntry) -> EntryNote {
    let Some(after) = entry.after_json.as_deref().and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
    else {
        return EntryNote::default();
    };
    let text =
        |key: &str| after.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    EntryNote { reason: text("reason"), comment: text("comment") }
}

/// The people of audit entries as pages name them (issue 12): the account's display name, 系统
/// for the system's own entries, else the login name the entry kept (an account since deleted).
pub struct People(HashMap<i64, String>);

impl People {
    /// The names of the entries' actors, in one query.
    pub async fn of(state: &AppState, entries: &[AuditEntry]) -> Result<Self, AppError> {
        let ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_user_id).collect();
        Ok(Self(state.store().display_names(&ids).await?))
    }

    pub fn name(&self, e: &AuditEntry) -> String {
        match e.actor_user_id {
            Some(id) => self.0.get(&id).cloned().unwrap_or_else(|| e.actor_name.clone()),
            None if e.actor_name == "system" => "系统".to_owned(),
            None => e.actor_name.clone(),
        }
    }
}

/// Records a security event that is not a change of the ledger (an export, a download).
pub async fn record_event(state: &AppState, record: &rectify_storage::AuditRecord) -> Result<(), AppError> {
    state.store().record_security_event(record).await?;
    Ok(())
}
