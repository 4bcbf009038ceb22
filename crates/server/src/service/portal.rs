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

use rectify_auth::Permission;
use rectify_domain::roles::Role;
use rectify_report_writer::{Block, ReportOptions, build_blocks, render_html, render_markdown};
use rectify_storage::portal::{FeedbackProblem, RECEIPT_ALPHABET};
use rectify_storage::{
    Acting, AnswerOutcome, FeedbackError, FeedbackStatus, NewFeedback, NewPublication, PublishedReport,
    PublishedSummary,
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

/// The public version of an inspection's report as it would be published now: what a preview
/// shows and what publishing freezes, rendered by the one function.
pub async fn render_publication(state: &AppState, inspection_id: i64) -> Result<NewPublication, AppError> {
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
    Ok(NewPublication {
        inspection_id,
        unit,
        title,
        body_html: render_html(&ledger, &options),
        body_markdown: render_markdown(&ledger, &options),
    })
}

/// A fingerprint of what a preview showed (unit, title and both bodies, SHA-256 in hex): the
/// confirmation carries it back, so that what is published is exactly what was previewed.
pub fn fingerprint(publication: &NewPublication) -> String {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    for part in [&publication.unit, &publication.title, &publication.body_html, &publication.body_markdown] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Publishes the public version of an inspection's report, rendered now and frozen: later
/// changes of the ledger do not alter what was published. Returns the publication's id.
pub async fn publish_inspection(
    state: &AppState,
    inspection_id: i64,
    acting: &Acting,
) -> Result<rectify_storage::portal::PublicationId, AppError> {
    let publication = render_publication(state, inspection_id).await?;
    Ok(state.store().publish_report(&publication, acting, state.now()).await?)
}

/// What a confirmed publication came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Published under this id.
    Published(i64),
    /// The report would differ from the previewed one (the ledger changed meanwhile): nothing
    /// was published; the preview is to be looked at again.
    Changed,
}

/// Publishes an inspection's report as the principal, if it is still the one previewed (its
/// [`fingerprint`] is `previewed`).
pub async fn publish_confirmed(
    state: &AppState,
    principal: &Principal,
    id: InspectionId,
    previewed: &str,
) -> Result<Confirmation, AppError> {
    let publication = render_publication(state, id.get()).await?;
    if fingerprint(&publication) != previewed.trim().to_ascii_lowercase() {
        return Ok(Confirmation::Changed);
    }
    let published = state.store().publish_report(&publication, &principal.acting(), state.now()).await?;
    Ok(Confirmation::Published(published))
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

/// The grants through which an account reads a unit's feedback as a whole: those of a role that
/// reads feedback, except a department's, which reads only what was forwarded (转办) to it.
fn whole_unit_grants(principal: &Principal) -> Vec<rectify_auth::Grant> {
    principal
        .grants
        .iter()
        .filter(|g| g.role != Role::Department && rectify_auth::allows_any(&[g.role], Permission::ReadFeedback))
        .cloned()
        .collect()
}

/// Whether the account reads whole units' feedback (not only what was forwarded to it).
pub fn reads_whole_units(principal: &Principal) -> bool {
    !whole_unit_grants(principal).is_empty()
}

/// The portal's units whose feedback the principal reads as a whole, within its data scope.
pub async fn units_in_scope(state: &AppState, principal: &Principal) -> Result<Vec<String>, AppError> {
    let grants = whole_unit_grants(principal);
    if grants.is_empty() {
        return Ok(Vec::new());
    }
    let all = state.store().portal_units().await?;
    if super::scope::sees_every_unit(principal) {
        return Ok(all);
    }
    let seen: std::collections::HashSet<String> =
        visible_inspections(state, &grants).await?.into_iter().filter_map(|s| s.unit).collect();
    Ok(all.into_iter().filter(|u| seen.contains(u)).collect())
}

/// A department's desk: its unit and its name, to which feedback may be forwarded (转办).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Desk {
    pub unit: String,
    pub department: String,
}

/// The desks of the principal's department grants: the units of the inspections each grant
/// sees, with the grant's department.
pub async fn desks(state: &AppState, principal: &Principal) -> Result<Vec<Desk>, AppError> {
    let mut out = std::collections::BTreeSet::new();
    for grant in principal.grants.iter().filter(|g| g.role == Role::Department) {
        let Some(department) = grant.scope.department.as_deref().map(str::trim).filter(|d| !d.is_empty()) else {
            continue;
        };
        for summary in visible_inspections(state, std::slice::from_ref(grant)).await? {
            if let Some(unit) = summary.unit {
                out.insert(Desk { unit, department: department.to_owned() });
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// For the navigation's 群众意见 link: how many feedback items of the units in the principal's
/// scope (and forwarded to its departments) still await an answer, or `None` when the
/// principal may not read feedback at all — or reads only what is forwarded to its department
/// and nothing is.
pub async fn unanswered_feedback(state: &AppState, principal: &Principal) -> Result<Option<usize>, AppError> {
    if !principal.may(&[Permission::ReadFeedback]) {
        return Ok(None);
    }
    if super::scope::sees_every_unit(principal) {
        let total = state.store().open_feedback_of_portal_units().await?;
        return Ok(Some(usize::try_from(total).unwrap_or(usize::MAX)));
    }
    let whole = reads_whole_units(principal);
    let units = if whole { units_in_scope(state, principal).await? } else { Vec::new() };
    let mut total: u64 = 0;
    if whole {
        let open = state.store().open_feedback_by_unit().await?;
        total = units.iter().filter_map(|unit| open.get(unit)).sum();
    }
    let mut forwarded_any = false;
    for desk in desks(state, principal).await? {
        if !units.contains(&desk.unit) {
            let forwarded = state.store().forwarded_feedback(&desk.unit, &desk.department).await?;
            forwarded_any |= !forwarded.is_empty();
            total += forwarded.iter().filter(|f| f.status != FeedbackStatus::Answered).count() as u64;
        }
    }
    if !whole && !forwarded_any {
        return Ok(None);
    }
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

/// The feedback forwarded to the principal's departments (all its desks), newest first.
pub async fn forwarded_to_me(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<rectify_storage::Feedback>, AppError> {
    let mut all = Vec::new();
    for desk in desks(state, principal).await? {
        all.extend(state.store().forwarded_feedback(&desk.unit, &desk.department).await?);
    }
    all.sort_by(|a, b| b.submitted_at.cmp(&a.submitted_at).then(b.id.cmp(&a.id)));
    all.dedup_by_key(|f| f.id);
    Ok(all)
}

/// How the principal reaches a feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// As one who reads the unit's feedback as a whole (liaison, leading group, office).
    WholeUnit,
    /// As the department it was forwarded to: it sees what the citizen wrote, not who they are.
    Forwarded,
}

/// One feedback the principal may read, and how: a unit in its scope, or forwarded (转办) to one
/// of its departments. A department reading it sees no name or contact of the citizen.
pub async fn feedback_reached(
    state: &AppState,
    principal: &Principal,
    id: FeedbackId,
) -> Result<(rectify_storage::Feedback, Reach), AppError> {
    let mut f = state.store().get_feedback(id.get()).await?.ok_or_else(|| AppError::not_found("feedback", id))?;
    if units_in_scope(state, principal).await?.contains(&f.unit) {
        return Ok((f, Reach::WholeUnit));
    }
    let forwarded_here = match f.forwarded.as_ref() {
        Some(w) => {
            desks(state, principal).await?.iter().any(|d| d.unit == f.unit && d.department == w.department.trim())
        }
        None => false,
    };
    if !forwarded_here {
        return Err(AppError::Forbidden("the feedback belongs to a unit outside the account's scope".into()));
    }
    f.name = None;
    f.contact = None;
    Ok((f, Reach::Forwarded))
}

/// One feedback of a unit in the principal's scope (as a whole, see [`feedback_reached`]).
pub async fn feedback(
    state: &AppState,
    principal: &Principal,
    id: FeedbackId,
) -> Result<rectify_storage::Feedback, AppError> {
    match feedback_reached(state, principal, id).await? {
        (f, Reach::WholeUnit) => Ok(f),
        (_, Reach::Forwarded) => Err(AppError::Forbidden("a forwarded feedback is answered by the unit".into())),
    }
}

/// Answers a feedback in scope; `Ok(None)` when the answer is empty, otherwise whether it is
/// public now or waits for approval (答复需审核).
pub async fn answer(
    state: &AppState,
    principal: &Principal,
    id: FeedbackId,
    text: &str,
) -> Result<Option<AnswerOutcome>, AppError> {
    let f = feedback(state, principal, id).await?;
    match state.store().answer_feedback(id.get(), text, &principal.acting(), state.now()).await {
        Ok(outcome) => {
            if outcome == AnswerOutcome::AwaitingApproval {
                super::notify::answer_awaiting_approval(state, principal, &f).await;
            }
            Ok(Some(outcome))
        }
        Err(FeedbackError::EmptyAnswer) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Marks a feedback in scope as being handled (开始办理).
pub async fn mark_processing(state: &AppState, principal: &Principal, id: FeedbackId) -> Result<(), AppError> {
    feedback(state, principal, id).await?;
    state.store().mark_feedback_processing(id.get(), &principal.acting(), state.now()).await?;
    Ok(())
}
