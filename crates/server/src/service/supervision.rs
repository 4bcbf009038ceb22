//! Supervision (督办): reminders (催办) with the policy's minimum interval, the overdue and
//! at-risk measures of an inspection, and the bulk actions of the ledger page.

use chrono::NaiveDate;
use rectify_domain::roles::Role;
use rectify_domain::supervision::Light;
use rectify_domain::workflow::{Task, acting_role};
use rectify_domain::{Responsibility, Status};
use rectify_report_writer::{SupervisionNotice, render_supervision_notice};
use rectify_storage::{
    MeasureRecord, NewNotice, ProblemRecord, Reminder, ReminderTarget, ResponsibilityTarget, SentNotice,
};

use super::scope::{Visibility, require_inspection};
use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::{InspectionId, MeasureId};

/// The role in which an account supervises (decided in the domain).
fn supervising_role(principal: &Principal) -> Role {
    acting_role(&principal.roles(), Task::Reminder).unwrap_or(Role::AuditAdmin)
}

/// Sends one reminder as the principal's supervising role; returns its id.
pub async fn send_reminder(
    state: &AppState,
    principal: &Principal,
    measure: MeasureId,
    to: ReminderTarget,
    message: &str,
) -> Result<i64, AppError> {
    // Reminders go to people who work on the ledger: an unknown account is not found, and the
    // three administrators (三员) hold no business role, so nothing could be asked of them.
    let admin_only = |roles: &[Role]| roles.iter().all(|r| r.is_admin());
    let to_admin = match to {
        ReminderTarget::Role(role) => role.is_admin(),
        ReminderTarget::User(id) => match state.store().get_user(id).await? {
            None => return Err(AppError::NotFound { what: "user", id: id.to_string() }),
            Some(user) => admin_only(&user.roles()),
        },
    };
    if to_admin {
        return Err(AppError::BadRequest {
            message: "reminders go to accounts with a business role, not to administrators".to_owned(),
            message_zh:
                "不能向管理员账号催办：系统管理员、安全管理员、审计管理员不承担整改工作，请选择责任部门或相关负责人"
                    .to_owned(),
        });
    }
    let acting = principal.acting_as(supervising_role(principal));
    let interval = state.policy().reminder_min_interval();
    let notices = super::notify::for_reminder(state, principal, measure, to, message).await;
    Ok(state
        .store()
        .send_reminder_notifying(measure.get(), to, message, &acting, interval, state.now(), &notices)
        .await?)
}

/// The reminders the account received that are about measures it sees, newest first.
pub async fn reminders_for(state: &AppState, principal: &Principal) -> Result<Vec<Reminder>, AppError> {
    let visibility = Visibility::new(&principal.grants);
    let mut out = Vec::new();
    for r in state.store().list_reminders_for(principal.user.id).await? {
        if visibility.sees_measure_id(state, r.measure_id).await? {
            out.push(r);
        }
    }
    Ok(out)
}

/// One overdue or at-risk measure, with whoever answers for it.
#[derive(Debug, Clone)]
pub struct Flagged {
    pub measure_id: i64,
    pub problem_id: i64,
    pub light: Light,
    pub deadline: Option<String>,
    pub leader: Option<String>,
    pub departments: Vec<String>,
}

/// The flagged measures of an inspection that the principal sees.
#[derive(Debug, Clone)]
pub struct Supervision {
    pub inspection_id: i64,
    pub unit: Option<String>,
    pub today: NaiveDate,
    pub measures: Vec<Flagged>,
}

/// Overdue and at-risk measures of an inspection (within scope).
pub async fn supervision(state: &AppState, principal: &Principal, id: InspectionId) -> Result<Supervision, AppError> {
    let store = state.store();
    let s = require_inspection(state, id).await?;
    let today = state.today();
    let lights = store.round_policy(id.get()).await?.lights;
    let flagged = store.overdue_and_at_risk(id.get(), &lights, today).await?;
    let (problems, measures) = Visibility::new(&principal.grants).records(
        &s,
        store.list_problems(id.get()).await?,
        store.list_measures(id.get(), None).await?,
    );
    let mut out = Supervision { inspection_id: id.get(), unit: s.unit.clone(), today, measures: Vec::new() };
    for (record, light) in flagged {
        if !measures.iter().any(|m| m.id == record.id) {
            continue;
        }
        let Some(problem) = problems.iter().find(|p| p.id == record.problem_id) else { continue };
        let who = record.measure.effective_responsibility(&problem.problem);
        let (leader, departments) = (who.leader.map(str::to_owned), who.departments.to_vec());
        out.measures.push(Flagged {
            measure_id: record.id,
            problem_id: record.problem_id,
            light,
            deadline: record.measure.deadline.map(|d| d.to_string()),
            leader,
            departments,
        });
    }
    Ok(out)
}

/// The problems of `ids` that belong to the inspection and that the principal sees, with their
/// visible measures.
async fn selected(
    state: &AppState,
    principal: &Principal,
    inspection: InspectionId,
    ids: &[i64],
) -> Result<(Vec<ProblemRecord>, Vec<MeasureRecord>), AppError> {
    let s = require_inspection(state, inspection).await?;
    let store = state.store();
    let (problems, measures) = Visibility::new(&principal.grants).records(
        &s,
        store.list_problems(inspection.get()).await?,
        store.list_measures(inspection.get(), None).await?,
    );
    let chosen: Vec<_> = problems.into_iter().filter(|p| ids.contains(&p.id)).collect();
    let measures = measures.into_iter().filter(|m| chosen.iter().any(|p| p.id == m.problem_id)).collect();
    Ok((chosen, measures))
}

/// What a bulk reminder did: sent, skipped because reminded recently, and left out because
/// neither the measure nor its problem names a responsible department (nobody to remind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkReminder {
    pub sent: u32,
    pub recent: u32,
    pub unassigned: u32,
}

/// Reminds the departments of every open measure of the selected problems (one audited reminder
/// per measure that names a department, its own or its problem's).
pub async fn remind_problems(
    state: &AppState,
    principal: &Principal,
    inspection: InspectionId,
    problem_ids: &[i64],
    message: &str,
) -> Result<BulkReminder, AppError> {
    let (problems, measures) = selected(state, principal, inspection, problem_ids).await?;
    let mut done = BulkReminder::default();
    for m in measures.iter().filter(|m| !matches!(m.measure.status, Some(Status::Completed))) {
        let Some(id) = MeasureId::new(m.id) else { continue };
        let Some(problem) = problems.iter().find(|p| p.id == m.problem_id) else { continue };
        if m.measure.effective_responsibility(&problem.problem).departments.is_empty() {
            done.unassigned += 1;
            continue;
        }
        match send_reminder(state, principal, id, ReminderTarget::Role(Role::Department), message).await {
            Ok(_) => done.sent += 1,
            Err(AppError::TooSoon(_)) => done.recent += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Hands the selected problems to another leader and/or department (each hand-over audited with
/// before and after); returns how many problems changed hands.
pub async fn reassign_problems(
    state: &AppState,
    principal: &Principal,
    inspection: InspectionId,
    problem_ids: &[i64],
    leader: Option<String>,
    department: Option<String>,
) -> Result<usize, AppError> {
    if leader.is_none() && department.is_none() {
        return Err(AppError::Invalid("name a leader or a department".into()));
    }
    let role = [Role::UnitLiaison, Role::LeadingGroup, Role::InspectionOffice]
        .into_iter()
        .find(|r| principal.has_role(*r))
        .unwrap_or(Role::UnitLiaison);
    let acting = principal.acting_as(role);
    let (problems, _) = selected(state, principal, inspection, problem_ids).await?;
    for p in &problems {
        let old = &p.problem.responsibility;
        let new = Responsibility {
            leader: leader.clone().or_else(|| old.leader.clone()),
            departments: department.clone().map_or_else(|| old.departments.clone(), |d| vec![d]),
            ..old.clone()
        };
        state.store().reassign_responsibility(ResponsibilityTarget::Problem(p.id), &new, &acting, state.now()).await?;
    }
    Ok(problems.len())
}

/// Who issues a 督办单 by default: the inspection office, or the unit's leading group.
pub fn default_issuer(principal: &Principal, unit: Option<&str>) -> String {
    if principal.has_role(Role::InspectionOffice) {
        "巡察工作领导小组办公室".to_owned()
    } else {
        format!("{}巡察整改工作领导小组", unit.unwrap_or_default())
    }
}

/// The role in which an account issues a 督办单.
fn issuing_role(principal: &Principal) -> Role {
    if principal.has_role(Role::InspectionOffice) { Role::InspectionOffice } else { Role::LeadingGroup }
}

/// A 督办单 as it would be sent today: the red and yellow measures the principal sees.
pub struct NoticeDraft {
    /// `None` when nothing is red or yellow.
    pub notice: Option<SupervisionNotice>,
    pub flagged: Vec<Flagged>,
    pub sent: Vec<SentNotice>,
}

/// A 督办单's issuer and serial as typed, checked.
fn notice_fields(issuer: &str, serial: Option<&str>) -> Result<(String, Option<String>), AppError> {
    let issuer = issuer.trim();
    if issuer.is_empty() {
        return Err(AppError::BadRequest {
            message: "a supervision notice needs an issuer".to_owned(),
            message_zh: "请填写督办单位".to_owned(),
        });
    }
    let serial = serial.map(str::trim).filter(|s| !s.is_empty());
    for text in std::iter::once(issuer).chain(serial) {
        if text.chars().count() > 100 {
            return Err(AppError::BadRequest {
                message: "issuer and serial are at most 100 characters".to_owned(),
                message_zh: "督办单位和督办编号均不超过100个字".to_owned(),
            });
        }
    }
    Ok((issuer.to_owned(), serial.map(str::to_owned)))
}

/// The 督办单 of an inspection's red and yellow measures (within scope), with the ones sent before.
pub async fn notice_draft(
    state: &AppState,
    principal: &Principal,
    id: InspectionId,
    issuer: &str,
    serial: Option<&str>,
) -> Result<NoticeDraft, AppError> {
    let (issuer, serial) = notice_fields(issuer, serial)?;
    let visible = super::ledger::visible(state, principal, id).await?;
    let lights = state.store().round_policy(id.get()).await?.lights;
    let notice = SupervisionNotice::from_ledger(&visible.ledger, state.today(), &lights, &issuer)
        .map(|n| SupervisionNotice { serial, ..n });
    let flagged = supervision(state, principal, id)
        .await?
        .measures
        .into_iter()
        .filter(|f| matches!(f.light, Light::Red | Light::Yellow))
        .collect();
    let sent = state.store().list_notices_sent(id.get()).await?;
    Ok(NoticeDraft { notice, flagged, sent })
}

/// The 督办单 as a .docx; not found when nothing is red or yellow.
pub async fn notice_docx(
    state: &AppState,
    principal: &Principal,
    id: InspectionId,
    issuer: &str,
    serial: Option<&str>,
) -> Result<Vec<u8>, AppError> {
    let draft = notice_draft(state, principal, id, issuer, serial).await?;
    let notice = draft.notice.ok_or_else(|| AppError::not_found("supervision notice", id))?;
    render_supervision_notice(&notice).map_err(|e| AppError::Internal(e.to_string()))
}

/// Records the 督办单 of today's red and yellow measures as sent (audited); returns its id.
pub async fn record_notice_sent(
    state: &AppState,
    principal: &Principal,
    id: InspectionId,
    issuer: &str,
    serial: Option<&str>,
) -> Result<i64, AppError> {
    let (issuer, serial) = notice_fields(issuer, serial)?;
    let flagged: Vec<Flagged> = supervision(state, principal, id)
        .await?
        .measures
        .into_iter()
        .filter(|f| matches!(f.light, Light::Red | Light::Yellow))
        .collect();
    if flagged.is_empty() {
        return Err(AppError::BadRequest {
            message: "no measure is overdue or at risk: there is nothing to supervise".to_owned(),
            message_zh: "当前没有红灯或黄灯的整改措施，无需发送督办单".to_owned(),
        });
    }
    let red = flagged.iter().filter(|f| f.light == Light::Red).count();
    let ids: Vec<i64> = flagged.iter().map(|f| f.measure_id).collect();
    let notice = NewNotice {
        inspection_id: id.get(),
        serial: serial.as_deref(),
        issuer: &issuer,
        red: u32::try_from(red).unwrap_or(u32::MAX),
        yellow: u32::try_from(flagged.len() - red).unwrap_or(u32::MAX),
        measure_ids: &ids,
    };
    Ok(state.store().record_notice_sent(&notice, &principal.acting_as(issuing_role(principal)), state.now()).await?)
}
