//! The public portal's side of the service: published reports (frozen at publication), units
//! that take feedback, citizens' feedback with receipt codes and its rate limits, and the
//! unit's handling of it (within the account's scope).
//!
//! Rate limits: per network address the limits live in this process's memory only, keyed by the
//! address (IPv6 by its /64 prefix), and are never written to the database or the log; they
//! reset when the server restarts. Beyond its allowance a sender solves a proof of work per
//! submission; nobody else is refused. The per-unit threshold counts the stored submissions
//! (no personal data) and only alerts the staff. Nothing about an anonymous sender is kept.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use rectify_report_writer::{Block, ReportOptions, build_blocks, render_html, render_markdown};
use rectify_storage::portal::{FeedbackProblem, RECEIPT_ALPHABET};
use rectify_storage::{
    Acting, FeedbackError, FeedbackStatus, NewFeedback, NewPublication, PublishedReport, PublishedSummary,
};

pub use super::portal_limits::{PortalConfig, RateLimit};
use super::scope::visible_inspections;
use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::{FeedbackId, InspectionId, PublicationId};

/// Characters of a unit's short code.
const UNIT_CODE_LEN: usize = 8;

/// A short, stable code for a unit's name (FNV-1a, 40 bits, in the receipt codes' unambiguous
/// alphabet). The QR link carries it instead of the percent-encoded name, which is some 200
/// characters: the short link makes a coarse code that still scans when printed small or worn,
/// and can be typed from the sheet. A renamed unit gets a new code, and needs a new sheet anyway.
pub fn unit_code(unit: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in unit.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..UNIT_CODE_LEN).map(|i| char::from(RECEIPT_ALPHABET[((hash >> (i * 5)) & 0x1f) as usize])).collect()
}

/// Reports on show, newest first.
pub async fn published_reports(state: &AppState) -> Result<Vec<PublishedSummary>, AppError> {
    Ok(state.store().list_published(None).await?)
}

/// Units that take feedback.
pub async fn units(state: &AppState) -> Result<Vec<String>, AppError> {
    Ok(state.store().portal_units().await?)
}

/// A published report still on show; 404 when there is none, 410 when it was withdrawn.
pub async fn published(state: &AppState, id: PublicationId) -> Result<PublishedReport, AppError> {
    let report = state.store().get_published(id.get()).await?.ok_or_else(|| AppError::not_found("report", id))?;
    if report.summary.withdrawn_at.is_some() {
        return Err(AppError::Gone("the report"));
    }
    Ok(report)
}

/// The unit named in a path, when the portal serves it.
pub async fn known_unit(state: &AppState, unit: &str) -> Result<String, AppError> {
    let unit = unit.trim();
    if unit.is_empty() || !state.store().is_portal_unit(unit).await? {
        return Err(AppError::not_found("unit", unit));
    }
    Ok(unit.to_owned())
}

/// The unit whose short code (of its QR link) is `code`.
pub async fn unit_of_code(state: &AppState, code: &str) -> Result<String, AppError> {
    let code = code.trim().to_ascii_uppercase();
    let unit = state.store().portal_units().await?.into_iter().find(|u| unit_code(u) == code);
    unit.ok_or_else(|| AppError::not_found("unit", code))
}

/// What became of a citizen's submission.
#[derive(Debug)]
pub enum Submission {
    /// Stored: the receipt code and when.
    Stored { code: String, submitted_at: String },
    /// Fields to correct.
    Invalid(Vec<FeedbackProblem>),
    /// This address has sent many lately: the submission needs a proof of work for the new
    /// `challenge` (`refused`: one was sent but did not hold).
    NeedsProof { challenge: String, bits: u32, refused: bool },
}

/// A sender's answer to a proof-of-work challenge (the form's hidden fields).
#[derive(Debug, Clone, Copy)]
pub struct Proof<'a> {
    pub challenge: &'a str,
    pub nonce: &'a str,
}

/// The form a challenge is bound to: the unit's feedback form.
fn proof_form(unit: &str) -> String {
    format!("feedback:{}", unit_code(unit))
}

fn new_challenge(state: &AppState, unit: &str) -> Result<String, AppError> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|e| AppError::Internal(format!("no entropy for a challenge: {e}")))?;
    let bits = state.portal().config.proof_bits;
    Ok(rectify_auth::proof_of_work::issue_challenge(
        state.form_key(),
        &proof_form(unit),
        bits,
        state.now().timestamp(),
        random,
    ))
}

/// Whether `proof` solves a live challenge of this unit's form not spent before (and spends it).
fn proof_holds(state: &AppState, unit: &str, proof: Option<Proof<'_>>) -> bool {
    let Some(proof) = proof.filter(|p| !p.challenge.is_empty()) else { return false };
    let portal = state.portal();
    let max_age = i64::try_from(super::portal_limits::CHALLENGE_MAX_AGE.as_secs()).unwrap_or(600);
    let checked = rectify_auth::proof_of_work::verify_proof(
        state.form_key(),
        &proof_form(unit),
        proof.challenge,
        proof.nonce,
        state.now().timestamp(),
        max_age,
    );
    match checked {
        // A challenge issued when the difficulty was lower is not taken.
        Ok(bits) if bits >= portal.config.proof_bits => portal.spent.spend(proof.challenge, Instant::now()),
        Ok(_) => false,
        Err(e) => {
            tracing::info!(error = %e, "a feedback proof of work was refused");
            false
        }
    }
}

/// Checks the limits, then stores a submission (already validated by the caller's form check).
///
/// Beyond its allowance an address must solve a proof of work for each further submission;
/// nobody else is slowed by it (issue 13, finding 5). A unit receiving more than its hourly
/// threshold refuses nobody: the staff are alerted by an audit entry when it is crossed.
pub async fn submit_feedback(
    state: &AppState,
    new: &NewFeedback,
    client: IpAddr,
    proof: Option<Proof<'_>>,
) -> Result<Submission, AppError> {
    let portal = state.portal();
    if portal.submissions.hit(client, portal.config.submissions_per_address, Instant::now()).is_err()
        && !proof_holds(state, &new.unit, proof)
    {
        let refused = proof.is_some_and(|p| !p.challenge.is_empty());
        return Ok(Submission::NeedsProof {
            challenge: new_challenge(state, &new.unit)?,
            bits: portal.config.proof_bits,
            refused,
        });
    }
    let unit_limit = portal.config.submissions_per_unit;
    let window = chrono::TimeDelta::from_std(unit_limit.window).unwrap_or(chrono::TimeDelta::hours(1));
    let before = state.store().count_feedback_since(&new.unit, state.now() - window).await?;
    let stored = match state.store().submit_feedback(new, state.now()).await {
        Ok(receipt) => {
            super::notify::after_feedback(state, &new.unit, new.inspection_id, receipt.id, &new.subject).await;
            Submission::Stored { code: receipt.code, submitted_at: receipt.submitted_at }
        }
        Err(FeedbackError::Invalid(problems)) => return Ok(Submission::Invalid(problems)),
        Err(e) => return Err(e.into()),
    };
    if before == u64::from(unit_limit.max) {
        // This submission crossed the threshold: tell the unit's staff (no sender data kept).
        let record = rectify_storage::AuditRecord::new(&Acting::system(), "feedback.surge", "unit", None, state.now())
            .after(serde_json::json!({
                "unit": new.unit,
                "submissions": before + 1,
                "window_minutes": unit_limit.window.as_secs() / 60,
            }));
        super::audit::record_event(state, &record).await?;
    }
    Ok(stored)
}

/// Counts a receipt-code lookup from `client`; on refusal, how long to wait.
pub fn lookup_allowed(state: &AppState, client: IpAddr) -> Result<(), Duration> {
    let portal = state.portal();
    portal.lookups.hit(client, portal.config.lookups_per_address, Instant::now())
}

/// The feedback of a receipt code, as the citizen may see it.
pub async fn find_by_code(state: &AppState, code: &str) -> Result<Option<rectify_storage::FeedbackLookup>, AppError> {
    Ok(state.store().find_feedback_by_code(code).await?)
}

/// Publishes the public version of an inspection's report, rendered now and frozen: later
/// changes of the ledger do not alter what was published. Returns the publication's id.
pub async fn publish_inspection(
    state: &AppState,
    inspection_id: i64,
    acting: &Acting,
) -> Result<rectify_storage::portal::PublicationId, AppError> {
    let ledger = state.store().export_ledger(inspection_id).await?;
    let unit = ledger.unit.clone().filter(|u| !u.trim().is_empty()).ok_or_else(|| {
        AppError::refused(
            "the inspection names no unit, so its report cannot be published",
            "该巡察台账未填写被巡察单位名称，补充后才能公开发布。",
        )
    })?;
    let mut options = ReportOptions::for_ledger(&ledger);
    options.indicators = super::indicators::summaries(state, inspection_id).await?;
    let title = build_blocks(&ledger, &options)
        .into_iter()
        .find_map(|b| if let Block::Title(t) = b { Some(t) } else { None })
        .or_else(|| ledger.title.clone())
        .unwrap_or_else(|| "关于巡察整改进展情况的通报".to_owned());
    let publication = NewPublication {
        inspection_id,
        unit,
        title,
        body_html: render_html(&ledger, &options),
        body_markdown: render_markdown(&ledger, &options),
    };
    Ok(state.store().publish_report(&publication, acting, state.now()).await?)
}

/// Publishes an inspection's report as the principal.
pub async fn publish(state: &AppState, principal: &Principal, id: InspectionId) -> Result<i64, AppError> {
    publish_inspection(state, id.get(), &principal.acting()).await
}

/// Withdraws a published report of a unit in the principal's scope.
pub async fn withdraw(state: &AppState, principal: &Principal, id: PublicationId) -> Result<(), AppError> {
    let report = state.store().get_published(id.get()).await?.ok_or_else(|| AppError::not_found("report", id))?;
    if !units_in_scope(state, principal).await?.contains(&report.summary.unit) {
        return Err(AppError::out_of_scope());
    }
    state.store().withdraw_published(id.get(), &principal.acting(), state.now()).await?;
    Ok(())
}

/// The portal's units within the principal's data scope.
pub async fn units_in_scope(state: &AppState, principal: &Principal) -> Result<Vec<String>, AppError> {
    let all = state.store().portal_units().await?;
    if super::scope::sees_every_unit(principal) {
        return Ok(all);
    }
    let seen: std::collections::HashSet<String> =
        visible_inspections(state, &principal.grants).await?.into_iter().filter_map(|s| s.unit).collect();
    Ok(all.into_iter().filter(|u| seen.contains(u)).collect())
}

/// For the navigation's 群众意见 link: how many feedback items of the units in the principal's
/// scope still await an answer, or `None` when the principal may not read feedback at all.
pub async fn unanswered_feedback(state: &AppState, principal: &Principal) -> Result<Option<usize>, AppError> {
    if !principal.may(&[rectify_auth::Permission::ReadFeedback]) {
        return Ok(None);
    }
    if super::scope::sees_every_unit(principal) {
        let total = state.store().open_feedback_of_portal_units().await?;
        return Ok(Some(usize::try_from(total).unwrap_or(usize::MAX)));
    }
    let open = state.store().open_feedback_by_unit().await?;
    let units = units_in_scope(state, principal).await?;
    let total: u64 = units.iter().filter_map(|unit| open.get(unit)).sum();
    Ok(Some(usize::try_from(total).unwrap_or(usize::MAX)))
}

/// A unit's feedback, newest first, optionally of one status.
pub async fn list_feedback(
    state: &AppState,
    unit: &str,
    status: Option<FeedbackStatus>,
) -> Result<Vec<rectify_storage::Feedback>, AppError> {
    Ok(state.store().list_feedback(unit, status).await?)
}

/// One feedback of a unit in the principal's scope.
pub async fn feedback(
    state: &AppState,
    principal: &Principal,
    id: FeedbackId,
) -> Result<rectify_storage::Feedback, AppError> {
    let f = state.store().get_feedback(id.get()).await?.ok_or_else(|| AppError::not_found("feedback", id))?;
    if !units_in_scope(state, principal).await?.contains(&f.unit) {
        return Err(AppError::Forbidden("the feedback belongs to a unit outside the account's scope".into()));
    }
    Ok(f)
}

/// Answers a feedback in scope; `Ok(false)` when the answer is empty.
pub async fn answer(state: &AppState, principal: &Principal, id: FeedbackId, text: &str) -> Result<bool, AppError> {
    feedback(state, principal, id).await?;
    match state.store().answer_feedback(id.get(), text, &principal.acting(), state.now()).await {
        Ok(()) => Ok(true),
        Err(FeedbackError::EmptyAnswer) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Marks a feedback in scope as being handled (开始办理).
pub async fn mark_processing(state: &AppState, principal: &Principal, id: FeedbackId) -> Result<(), AppError> {
    feedback(state, principal, id).await?;
    state.store().mark_feedback_processing(id.get(), &principal.acting(), state.now()).await?;
    Ok(())
}
