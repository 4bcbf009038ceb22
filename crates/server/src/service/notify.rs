//! Notifications (消息提醒): addressing a notice about an event to the accounts whose part it is
//! — each one checked against its data scope, so that no text names an item the recipient does
//! not see — with copies queued for mail and the group robot; the notification centre's reads;
//! and the daily deadline notices.
//!
//! The notices of a workflow step or a reminder are addressed before the event is written and
//! stored in the event's own transaction, so that they exist exactly when it does; those of
//! public feedback and the daily deadline notices are stored on their own. A failure to address
//! notices is logged and never fails the event.

use std::collections::HashMap;

use chrono::TimeDelta;
use rectify_auth::scope::any_sees_measure;
use rectify_auth::{Grant, InspectionRef};
use rectify_domain::roles::Role;
use rectify_domain::workflow::{Action, Actor, MeasureFacts, MeasureState, Person, ReviewStage, apply};
use rectify_storage::{
    Channel, MeasureWorkflowView, NewNotification, Notification, NotificationKind, Outbound, Page, ProblemInScope,
    ReminderTarget, User,
};

use super::delivery::{self, DeliverySettings};
use super::session::{Principal, grants_of};
use super::state::AppState;
use crate::error::AppError;
use crate::ids::MeasureId;
use crate::text::short;

/// How many deadline notices the daily run writes per transaction.
const NOTICE_BATCH: usize = 500;

/// Days before a deadline that the deadline notice comes.
pub const DEADLINE_NOTICE_DAYS: i64 = 7;

/// The roles that carry a measure out and hear of its send-backs and extension decisions.
const CARRIERS: &[Role] = &[Role::Department, Role::UnitLiaison];

/// A page of the account's notifications, with their number and the unread count.
pub async fn list(
    state: &AppState,
    principal: &Principal,
    page: Page,
) -> Result<(Vec<Notification>, u64, u64), AppError> {
    Ok(state.store().notifications_for(principal.user.id, page).await?)
}

/// The unread count of the page header.
pub async fn unread(state: &AppState, principal: &Principal) -> Result<u64, AppError> {
    Ok(state.store().unread_notifications(principal.user.id).await?)
}

/// Marks one of the account's notifications read (404 for another's).
pub async fn mark_read(state: &AppState, principal: &Principal, id: i64) -> Result<(), AppError> {
    if state.store().mark_notification_read(principal.user.id, id, state.now()).await? {
        Ok(())
    } else {
        Err(AppError::not_found("notification", id))
    }
}

/// Marks all of the account's notifications read; returns how many were unread.
pub async fn mark_all_read(state: &AppState, principal: &Principal) -> Result<u64, AppError> {
    Ok(state.store().mark_all_notifications_read(principal.user.id, state.now()).await?)
}

/// The account's own mail address for notifications.
pub async fn email(state: &AppState, principal: &Principal) -> Result<Option<String>, AppError> {
    Ok(state.store().notification_email(principal.user.id).await?)
}

/// Sets (or, empty, removes) the account's own mail address for notifications.
pub async fn set_email(state: &AppState, principal: &Principal, email: &str) -> Result<Option<String>, AppError> {
    let email = email.trim();
    let email = (!email.is_empty()).then_some(email);
    if let Some(address) = email {
        delivery::check_address(address)?;
    }
    let acting = principal.acting_as(principal.roles().first().copied().unwrap_or(Role::AuditAdmin));
    state.store().set_notification_email(principal.user.id, email, &acting, state.now()).await?;
    Ok(email.map(str::to_owned))
}

/// What a notice says, before it is addressed.
struct Notice {
    kind: NotificationKind,
    title: String,
    body: String,
    link: Option<String>,
    measure_id: Option<i64>,
    dedup: Option<String>,
}

/// A measure as a notice names it: its unit, problem and text.
struct Subject {
    found: ProblemInScope,
    index: usize,
}

impl Subject {
    async fn load(state: &AppState, measure: i64) -> Result<Option<Subject>, AppError> {
        Ok(state.store().problem_of_measure(measure).await?.map(|(found, index)| Subject { found, index }))
    }

    fn unit(&self) -> &str {
        self.found.unit.as_deref().unwrap_or("（未填写单位）")
    }

    fn problem(&self) -> String {
        short(self.found.record.problem.title.as_str(), 30)
    }

    fn measure(&self) -> String {
        self.found.record.problem.measures.get(self.index).map_or_else(String::new, |m| short(m.text.as_str(), 60))
    }

    /// Whether grants reach the measure (the rule `service::scope` applies to requests).
    fn seen_by(&self, grants: &[Grant]) -> bool {
        let inspection = InspectionRef { id: self.found.record.inspection_id, unit: self.found.unit.as_deref() };
        let problem = &self.found.record.problem;
        problem.measures.get(self.index).is_some_and(|measure| any_sees_measure(grants, inspection, problem, measure))
    }

    fn notice(&self, kind: NotificationKind, measure: i64, what: &str, extra: Option<String>) -> Notice {
        let mut body = format!("{}｜问题：{}\n整改措施：{}", self.unit(), self.problem(), self.measure());
        if let Some(extra) = extra {
            body.push('\n');
            body.push_str(&extra);
        }
        Notice {
            kind,
            title: format!("【{}】{}", kind.label_zh(), what),
            body,
            link: Some(format!("/measures/{measure}")),
            measure_id: Some(measure),
            dedup: None,
        }
    }
}

/// `notice` for every given account that sees the measure, except the one who acted, with
/// copies for mail and the robot.
async fn address(
    state: &AppState,
    subject: &Subject,
    recipients: Vec<User>,
    except: Option<i64>,
    notice: &Notice,
) -> Result<Vec<NewNotification>, AppError> {
    let settings = delivery::settings(state).await?;
    let mut items = Vec::new();
    for user in recipients {
        if Some(user.id) == except || user.disabled {
            continue;
        }
        if !subject.seen_by(&grants_of(&user)) {
            continue;
        }
        let outbound = copies(state, &settings, &user, notice).await?;
        items.push(NewNotification {
            user_id: user.id,
            kind: notice.kind,
            title: notice.title.clone(),
            body: notice.body.clone(),
            link: notice.link.clone(),
            measure_id: notice.measure_id,
            dedup: notice.dedup.clone(),
            outbound,
        });
    }
    Ok(items)
}

/// The outbound copies of a notice to one account: mail if a server is set and the account gave
/// an address, the robot if a webhook is set.
async fn copies(
    state: &AppState,
    settings: &DeliverySettings,
    user: &User,
    notice: &Notice,
) -> Result<Vec<Outbound>, AppError> {
    let mut out = Vec::new();
    if settings.smtp.is_some()
        && let Some(address) = state.store().notification_email(user.id).await?
    {
        out.push(Outbound {
            channel: Channel::Mail,
            address,
            subject: format!("【整改系统】{}", notice.title),
            body: format!("{}：\n\n{}\n\n请登录整改系统查看处理。", user.display_name, notice.body),
        });
    }
    // The daily deadline notices stay off the group robot: one message per measure and account
    // would flood the group (and the robots accept some 20 a minute).
    let daily = matches!(notice.kind, NotificationKind::Deadline | NotificationKind::Overdue);
    if settings.webhook.is_some() && !daily {
        out.push(Outbound {
            channel: Channel::Webhook,
            address: String::new(),
            subject: format!("{}（致{}）", notice.title, user.display_name),
            body: notice.body.clone(),
        });
    }
    Ok(out)
}

/// Holders of `roles` for the measure's inspection.
async fn holders(state: &AppState, subject: &Subject, roles: &[Role]) -> Result<Vec<User>, AppError> {
    Ok(state.store().users_holding(roles, subject.found.record.inspection_id).await?)
}

/// The role that reviews at a stage.
fn reviewer(stage: ReviewStage) -> Role {
    match stage {
        ReviewStage::AwaitingLeader => Role::LeaderInCharge,
        ReviewStage::AwaitingLeadingGroup => Role::LeadingGroup,
        ReviewStage::AwaitingVerifier => Role::InspectionOffice,
    }
}

/// The notices of a step of the closure workflow about to be taken on a measure now in
/// `before`: the next reviewer of a claim or approval, the carriers of a sent-back claim (with
/// the reason) and of an extension decision, the office of an extension request. The caller
/// stores them in the step's own transaction. A step the rules refuse has none; a failure to
/// address them is logged and leaves the step without notices.
pub async fn for_step(
    state: &AppState,
    principal: &Principal,
    measure: MeasureId,
    actor: Actor,
    action: &Action,
    before: &MeasureWorkflowView,
) -> Vec<NewNotification> {
    match step_notices(state, principal, measure.get(), actor, action, before).await {
        Ok(items) => items,
        Err(error) => {
            tracing::error!(%error, measure = measure.get(), "addressing the notices of a workflow step failed");
            Vec::new()
        }
    }
}

async fn step_notices(
    state: &AppState,
    principal: &Principal,
    measure: i64,
    actor: Actor,
    action: &Action,
    before: &MeasureWorkflowView,
) -> Result<Vec<NewNotification>, AppError> {
    let facts = MeasureFacts {
        state: before.state,
        deadline: before.deadline,
        evidence: before.evidence,
        pending_extension: before.pending_extension.clone(),
        hands: before.hands.clone(),
    };
    // The state the step leads to, by the same rules the store applies as it writes.
    let Ok(after) = apply(&facts, actor, Person(principal.user.id), action) else { return Ok(Vec::new()) };
    let Some(subject) = Subject::load(state, measure).await? else { return Ok(Vec::new()) };
    let name = &principal.user.display_name;
    let (roles, notice) = match action {
        Action::SendBack { reason } => (
            CARRIERS.to_vec(),
            subject.notice(
                NotificationKind::SentBack,
                measure,
                "销号申请被退回",
                Some(format!("{name}退回，理由：{reason}")),
            ),
        ),
        Action::ApproveExtension { comment } => {
            let detail = match comment {
                Some(c) => format!("审批人：{name}，意见：{c}"),
                None => format!("审批人：{name}"),
            };
            (CARRIERS.to_vec(), subject.notice(NotificationKind::Extension, measure, "延期申请已同意", Some(detail)))
        }
        Action::DeclineExtension { reason } => (
            CARRIERS.to_vec(),
            subject.notice(NotificationKind::Extension, measure, "延期申请未同意", Some(format!("{name}：{reason}"))),
        ),
        Action::RequestExtension { .. } => (
            vec![Role::InspectionOffice],
            subject.notice(NotificationKind::Awaiting, measure, "延期申请待审批", Some(format!("申请人：{name}"))),
        ),
        _ => match after.state {
            MeasureState::UnderReview { stage } => (
                vec![reviewer(stage)],
                subject.notice(NotificationKind::Awaiting, measure, "销号申请待审核", Some(format!("提交人：{name}"))),
            ),
            _ => return Ok(Vec::new()),
        },
    };
    let recipients = holders(state, &subject, &roles).await?;
    address(state, &subject, recipients, Some(principal.user.id), &notice).await
}

/// The notices of a reminder (催办) to its addressees within their scope, for the reminder's
/// own transaction. A failure to address them is logged and leaves the reminder without.
pub async fn for_reminder(
    state: &AppState,
    principal: &Principal,
    measure: MeasureId,
    to: ReminderTarget,
    message: &str,
) -> Vec<NewNotification> {
    let run = async {
        let Some(subject) = Subject::load(state, measure.get()).await? else { return Ok::<_, AppError>(Vec::new()) };
        let recipients = match to {
            ReminderTarget::Role(role) => holders(state, &subject, &[role]).await?,
            ReminderTarget::User(id) => state.store().get_user(id).await?.into_iter().collect(),
        };
        let notice = subject.notice(
            NotificationKind::Reminder,
            measure.get(),
            "督办催办",
            Some(format!("{}催办：{message}", principal.user.display_name)),
        );
        address(state, &subject, recipients, Some(principal.user.id), &notice).await
    };
    match run.await {
        Ok(items) => items,
        Err(error) => {
            tracing::error!(%error, measure = measure.get(), "addressing the notices of a reminder failed");
            Vec::new()
        }
    }
}

/// Notices of new public feedback to the unit liaisons who answer it. Failures are logged.
pub async fn after_feedback(state: &AppState, unit: &str, inspection: Option<i64>, feedback_id: i64, subject: &str) {
    let notice = Notice {
        kind: NotificationKind::Feedback,
        title: "【群众反馈】收到新的意见建议，待答复".to_owned(),
        body: format!("{unit}｜主题：{}", short(subject, 40)),
        link: Some(format!("/feedback/{feedback_id}")),
        measure_id: None,
        dedup: Some(format!("feedback:{feedback_id}")),
    };
    let to = FeedbackAddressees { unit, inspection, roles: &[Role::UnitLiaison], department: None, except: None };
    if let Err(error) = feedback_notices(state, &to, &notice).await {
        tracing::error!(%error, feedback_id, "notices of feedback failed");
    }
}

/// Notices of a reply that waits for approval (答复需审核) to the unit's leading group, not to
/// the replier. Failures are logged.
pub async fn answer_awaiting_approval(state: &AppState, principal: &Principal, feedback: &rectify_storage::Feedback) {
    let notice = Notice {
        kind: NotificationKind::Feedback,
        title: "【群众反馈】答复待审核".to_owned(),
        body: format!(
            "{}｜主题：{}｜答复人：{}",
            feedback.unit,
            short(&feedback.subject, 40),
            principal.user.display_name
        ),
        link: Some(format!("/feedback/{}", feedback.id)),
        measure_id: None,
        dedup: None,
    };
    let to = FeedbackAddressees {
        unit: &feedback.unit,
        inspection: feedback.inspection_id,
        roles: &[Role::LeadingGroup],
        department: None,
        except: Some(principal.user.id),
    };
    if let Err(error) = feedback_notices(state, &to, &notice).await {
        tracing::error!(%error, feedback = feedback.id, "notices of a reply awaiting approval failed");
    }
}

/// Notices of a feedback forwarded (转办) to a department, to that department's accounts of the
/// unit. Failures are logged.
pub async fn after_forward(
    state: &AppState,
    principal: &Principal,
    feedback: &rectify_storage::Feedback,
    department: &str,
) {
    let notice = Notice {
        kind: NotificationKind::Feedback,
        title: "【群众反馈】转办意见建议，请办理".to_owned(),
        body: format!(
            "{}｜主题：{}｜转办人：{}",
            feedback.unit,
            short(&feedback.subject, 40),
            principal.user.display_name
        ),
        link: Some(format!("/feedback/{}", feedback.id)),
        measure_id: None,
        dedup: None,
    };
    let to = FeedbackAddressees {
        unit: &feedback.unit,
        inspection: feedback.inspection_id,
        roles: &[Role::Department],
        department: Some(department),
        except: Some(principal.user.id),
    };
    if let Err(error) = feedback_notices(state, &to, &notice).await {
        tracing::error!(%error, feedback = feedback.id, "notices of a forwarded feedback failed");
    }
}

/// Who hears of a feedback: holders of `roles` for the unit's inspections (the one named, or
/// every inspection of the unit), within their scope; of a department role only those of
/// `department`; never `except` (the one who acted).
struct FeedbackAddressees<'a> {
    unit: &'a str,
    inspection: Option<i64>,
    roles: &'a [Role],
    department: Option<&'a str>,
    except: Option<i64>,
}

async fn feedback_notices(state: &AppState, to: &FeedbackAddressees<'_>, notice: &Notice) -> Result<u64, AppError> {
    let all = state.store().inspections_shared().await?;
    let inspections: Vec<_> =
        all.iter().filter(|s| to.inspection.map_or(s.unit.as_deref() == Some(to.unit), |id| s.id == id)).collect();
    let settings = delivery::settings(state).await?;
    let mut items: Vec<NewNotification> = Vec::new();
    for summary in inspections {
        for user in state.store().users_holding(to.roles, summary.id).await? {
            if Some(user.id) == to.except || items.iter().any(|i| i.user_id == user.id) {
                continue;
            }
            let grants = grants_of(&user);
            let inspection = InspectionRef { id: summary.id, unit: summary.unit.as_deref() };
            let reached = grants.iter().any(|g| {
                to.roles.contains(&g.role)
                    && g.sees_inspection(inspection)
                    && to.department.is_none_or(|d| g.scope.department.as_deref().map(str::trim) == Some(d.trim()))
            });
            if !reached {
                continue;
            }
            let outbound = copies(state, &settings, &user, notice).await?;
            items.push(NewNotification {
                user_id: user.id,
                kind: notice.kind,
                title: notice.title.clone(),
                body: notice.body.clone(),
                link: notice.link.clone(),
                measure_id: None,
                dedup: notice.dedup.clone(),
                outbound,
            });
        }
    }
    Ok(state.store().add_notifications(&items, state.now()).await?)
}

/// The deadline notices of today (Beijing time): each open measure due within
/// [`DEADLINE_NOTICE_DAYS`] days or overdue, to its carriers — at most once per measure and
/// account per day. Returns how many notices were stored.
pub async fn deadline_notices(state: &AppState) -> Result<u64, AppError> {
    let today = state.today();
    let horizon = today + TimeDelta::days(DEADLINE_NOTICE_DAYS);
    let mut stored = 0;
    // The carriers of each inspection, read once per run.
    let mut carriers: HashMap<i64, Vec<User>> = HashMap::new();
    let mut pending = Vec::new();
    for due in state.store().measures_due_by(horizon).await? {
        let last_day = due.deadline.latest();
        if last_day > horizon {
            continue;
        }
        let Some(subject) = Subject::load(state, due.measure_id).await? else { continue };
        let days = (last_day - today).num_days();
        let (kind, what, extra) = if days < 0 {
            (
                NotificationKind::Overdue,
                "整改措施已逾期",
                format!("完成时限：{}，已逾期{}天", due.deadline.to_chinese(), -days),
            )
        } else {
            (
                NotificationKind::Deadline,
                "整改时限临近",
                format!("完成时限：{}，还剩{days}天", due.deadline.to_chinese()),
            )
        };
        let mut notice = subject.notice(kind, due.measure_id, what, Some(extra));
        notice.dedup = Some(format!("{}:{}:{today}", kind.as_str(), due.measure_id));
        let inspection = subject.found.record.inspection_id;
        let recipients = match carriers.get(&inspection) {
            Some(users) => users.clone(),
            None => {
                let users = holders(state, &subject, CARRIERS).await?;
                carriers.insert(inspection, users.clone());
                users
            }
        };
        pending.extend(address(state, &subject, recipients, None, &notice).await?);
        // Written in batches: one transaction per notice would queue thousands of writes at
        // 2,000 units ahead of the users' own.
        if pending.len() >= NOTICE_BATCH {
            stored += state.store().add_notifications(&std::mem::take(&mut pending), state.now()).await?;
        }
    }
    stored += state.store().add_notifications(&pending, state.now()).await?;
    Ok(stored)
}
