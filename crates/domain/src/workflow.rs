//! The closure (销号) workflow of a measure as an explicit state machine (domain brief §6.3).
//!
//! 未启动 → 正在整改 (↔ 基本完成) → claimed complete with evidence → checked by the leader in charge →
//! confirmed by the unit's leading group (已完成待核) → verified and closed (已销号) by the verifier
//! outside the unit. Every review step can send the measure back with a reason (退回重办); an
//! extension is a request the verifier approves, never a silent date change; long-term measures
//! close stages and stay open; look-back can reopen a closed measure (反弹).
//!
//! The machine is pure: it decides, the storage layer records. Illegal transitions are refused
//! with a message that says what would be allowed.

use serde::{Deserialize, Serialize};

use crate::date::PartialDate;
use crate::status::Status;

/// Who acts. Data scope (which unit, which department) is checked by the caller; the machine
/// checks that the kind of actor may take the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// 责任部门 — updates its own measures.
    Department,
    /// 联络员 — edits the unit's ledger.
    UnitLiaison,
    /// 分管领导 / 责任领导 — reviews the problems assigned to them.
    LeaderInCharge,
    /// 整改工作领导小组 / 第一责任人 — confirms closures for the unit.
    LeadingGroup,
    /// The verifier outside the unit (巡察办 by default, configurable per round).
    Verifier,
}

/// Where a claimed closure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    AwaitingLeader,
    AwaitingLeadingGroup,
    AwaitingVerifier,
}

/// The state of one measure in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MeasureState {
    NotStarted,
    InProgress,
    BasicallyCompleted,
    /// 已完成待核, at one of the review stages.
    UnderReview {
        stage: ReviewStage,
    },
    /// 已销号.
    Closed,
    /// 长期坚持: work continues and is reported in stages; `stages_closed` counts verified stages.
    LongTerm {
        stages_closed: u32,
    },
}

impl MeasureState {
    /// The status a ledger or a report shows for this state.
    pub fn status(self) -> Status {
        match self {
            MeasureState::NotStarted => Status::NotStarted,
            MeasureState::InProgress => Status::InProgress,
            MeasureState::BasicallyCompleted => Status::BasicallyCompleted,
            MeasureState::UnderReview { .. } => Status::PendingVerification,
            MeasureState::Closed => Status::Completed,
            MeasureState::LongTerm { .. } => Status::LongTerm,
        }
    }
}

/// Everything the machine needs to know about a measure besides its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureFacts {
    pub state: MeasureState,
    pub deadline: Option<PartialDate>,
    /// Number of evidence items attached to the measure and its progress entries.
    pub evidence: u32,
    /// An extension request waiting for the verifier.
    pub pending_extension: Option<ExtensionRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    pub new_deadline: PartialDate,
    pub reason: String,
}

/// A step someone wants to take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Start,
    MarkBasicallyCompleted,
    Resume,
    /// Claim completion; needs evidence.
    Claim,
    /// Approve at the current review stage.
    Approve,
    /// 退回重办, with a reason.
    SendBack {
        reason: String,
    },
    RequestExtension {
        new_deadline: PartialDate,
        reason: String,
    },
    ApproveExtension,
    DeclineExtension {
        reason: String,
    },
    /// Turn a measure into a long-term one (with the verifier's consent).
    DeclareLongTerm,
    /// Verify one stage of a long-term measure.
    CloseStage,
    /// Close a long-term measure for good.
    CloseLongTerm,
    /// Look-back found the problem back (反弹).
    Reopen {
        reason: String,
    },
}

/// What the step changes, for the caller to record (with its audit entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: MeasureState,
    pub deadline: Option<PartialDate>,
    pub pending_extension: Option<ExtensionRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("{action} is not possible while the measure is {state}")]
    NotNow { action: &'static str, state: &'static str },
    #[error("{action} is for {allowed}, not for {actor}")]
    NotYourStep { action: &'static str, allowed: &'static str, actor: &'static str },
    #[error("a completion claim needs at least one piece of evidence (佐证材料)")]
    NoEvidence,
    #[error("a reason is required")]
    NoReason,
    #[error("the new deadline {new} must be later than the current one {current}")]
    DeadlineNotLater { new: PartialDate, current: PartialDate },
    #[error("an extension request is already waiting for the verifier")]
    ExtensionPending,
    #[error("there is no extension request to decide")]
    NoExtensionPending,
}

impl Actor {
    pub fn label(self) -> &'static str {
        match self {
            Actor::Department => "the responsible department",
            Actor::UnitLiaison => "the unit liaison",
            Actor::LeaderInCharge => "the leader in charge",
            Actor::LeadingGroup => "the leading group",
            Actor::Verifier => "the verifier",
        }
    }
}

impl MeasureState {
    fn label(self) -> &'static str {
        match self {
            MeasureState::NotStarted => "not started",
            MeasureState::InProgress => "in progress",
            MeasureState::BasicallyCompleted => "basically completed",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader } => "awaiting the leader in charge",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => "awaiting the leading group",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier } => "awaiting the verifier",
            MeasureState::Closed => "closed",
            MeasureState::LongTerm { .. } => "long-term",
        }
    }
}

impl Action {
    /// A short stable name, as the audit trail and the API write it (`claim`, `send_back` …).
    pub fn name(&self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::MarkBasicallyCompleted => "mark_basically_completed",
            Action::Resume => "resume",
            Action::Claim => "claim",
            Action::Approve => "approve",
            Action::SendBack { .. } => "send_back",
            Action::RequestExtension { .. } => "request_extension",
            Action::ApproveExtension => "approve_extension",
            Action::DeclineExtension { .. } => "decline_extension",
            Action::DeclareLongTerm => "declare_long_term",
            Action::CloseStage => "close_stage",
            Action::CloseLongTerm => "close_long_term",
            Action::Reopen { .. } => "reopen",
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Action::Start => "starting work",
            Action::MarkBasicallyCompleted => "marking basically completed",
            Action::Resume => "resuming work",
            Action::Claim => "claiming completion",
            Action::Approve => "approving",
            Action::SendBack { .. } => "sending back",
            Action::RequestExtension { .. } => "requesting an extension",
            Action::ApproveExtension => "approving an extension",
            Action::DeclineExtension { .. } => "declining an extension",
            Action::DeclareLongTerm => "declaring long-term",
            Action::CloseStage => "closing a stage",
            Action::CloseLongTerm => "closing a long-term measure",
            Action::Reopen { .. } => "reopening",
        }
    }
}

const UNIT_WORKERS: &[Actor] = &[Actor::Department, Actor::UnitLiaison];

/// Decides a step. Returns the new facts, or why the step is refused.
pub fn apply(facts: &MeasureFacts, actor: Actor, action: &Action) -> Result<Outcome, WorkflowError> {
    use MeasureState as S;
    let state = facts.state;
    let not_now = || WorkflowError::NotNow { action: action.label(), state: state.label() };
    let only = |allowed: &[Actor], who: &'static str| -> Result<(), WorkflowError> {
        if allowed.contains(&actor) {
            Ok(())
        } else {
            Err(WorkflowError::NotYourStep { action: action.label(), allowed: who, actor: actor.label() })
        }
    };
    let to = |state: MeasureState| Outcome {
        state,
        deadline: facts.deadline,
        pending_extension: facts.pending_extension.clone(),
    };
    let need_reason = |reason: &str| if reason.trim().is_empty() { Err(WorkflowError::NoReason) } else { Ok(()) };

    match action {
        Action::Start => {
            only(UNIT_WORKERS, "the department or the liaison")?;
            match state {
                S::NotStarted => Ok(to(S::InProgress)),
                _ => Err(not_now()),
            }
        }
        Action::MarkBasicallyCompleted => {
            only(UNIT_WORKERS, "the department or the liaison")?;
            match state {
                S::InProgress => Ok(to(S::BasicallyCompleted)),
                _ => Err(not_now()),
            }
        }
        Action::Resume => {
            only(UNIT_WORKERS, "the department or the liaison")?;
            match state {
                S::BasicallyCompleted => Ok(to(S::InProgress)),
                _ => Err(not_now()),
            }
        }
        Action::Claim => {
            only(UNIT_WORKERS, "the department or the liaison")?;
            match state {
                S::InProgress | S::BasicallyCompleted => {
                    if facts.evidence == 0 {
                        return Err(WorkflowError::NoEvidence);
                    }
                    Ok(to(S::UnderReview { stage: ReviewStage::AwaitingLeader }))
                }
                _ => Err(not_now()),
            }
        }
        Action::Approve => match state {
            S::UnderReview { stage: ReviewStage::AwaitingLeader } => {
                only(&[Actor::LeaderInCharge], Actor::LeaderInCharge.label())?;
                Ok(to(S::UnderReview { stage: ReviewStage::AwaitingLeadingGroup }))
            }
            S::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => {
                only(&[Actor::LeadingGroup], Actor::LeadingGroup.label())?;
                Ok(to(S::UnderReview { stage: ReviewStage::AwaitingVerifier }))
            }
            S::UnderReview { stage: ReviewStage::AwaitingVerifier } => {
                only(&[Actor::Verifier], Actor::Verifier.label())?;
                Ok(Outcome { state: S::Closed, deadline: facts.deadline, pending_extension: None })
            }
            _ => Err(not_now()),
        },
        Action::SendBack { reason } => {
            let reviewer = match state {
                S::UnderReview { stage: ReviewStage::AwaitingLeader } => Actor::LeaderInCharge,
                S::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => Actor::LeadingGroup,
                S::UnderReview { stage: ReviewStage::AwaitingVerifier } => Actor::Verifier,
                _ => return Err(not_now()),
            };
            only(&[reviewer], reviewer.label())?;
            need_reason(reason)?;
            Ok(to(S::InProgress))
        }
        Action::RequestExtension { new_deadline, reason } => {
            only(UNIT_WORKERS, "the department or the liaison")?;
            if !matches!(state, S::NotStarted | S::InProgress | S::BasicallyCompleted) {
                return Err(not_now());
            }
            need_reason(reason)?;
            if facts.pending_extension.is_some() {
                return Err(WorkflowError::ExtensionPending);
            }
            if let Some(current) = facts.deadline
                && new_deadline.latest() <= current.latest()
            {
                return Err(WorkflowError::DeadlineNotLater { new: *new_deadline, current });
            }
            Ok(Outcome {
                state,
                deadline: facts.deadline,
                pending_extension: Some(ExtensionRequest { new_deadline: *new_deadline, reason: reason.clone() }),
            })
        }
        Action::ApproveExtension => {
            only(&[Actor::Verifier], Actor::Verifier.label())?;
            let request = facts.pending_extension.as_ref().ok_or(WorkflowError::NoExtensionPending)?;
            Ok(Outcome { state, deadline: Some(request.new_deadline), pending_extension: None })
        }
        Action::DeclineExtension { reason } => {
            only(&[Actor::Verifier], Actor::Verifier.label())?;
            need_reason(reason)?;
            if facts.pending_extension.is_none() {
                return Err(WorkflowError::NoExtensionPending);
            }
            Ok(Outcome { state, deadline: facts.deadline, pending_extension: None })
        }
        Action::DeclareLongTerm => {
            only(&[Actor::Verifier], Actor::Verifier.label())?;
            match state {
                S::InProgress | S::BasicallyCompleted => Ok(to(S::LongTerm { stages_closed: 0 })),
                _ => Err(not_now()),
            }
        }
        Action::CloseStage => {
            only(&[Actor::Verifier], Actor::Verifier.label())?;
            match state {
                S::LongTerm { stages_closed } => {
                    if facts.evidence == 0 {
                        return Err(WorkflowError::NoEvidence);
                    }
                    Ok(to(S::LongTerm { stages_closed: stages_closed.saturating_add(1) }))
                }
                _ => Err(not_now()),
            }
        }
        Action::CloseLongTerm => {
            only(&[Actor::Verifier], Actor::Verifier.label())?;
            match state {
                S::LongTerm { stages_closed } if stages_closed > 0 => {
                    Ok(Outcome { state: S::Closed, deadline: facts.deadline, pending_extension: None })
                }
                _ => Err(not_now()),
            }
        }
        Action::Reopen { reason } => {
            only(&[Actor::Verifier], Actor::Verifier.label())?;
            need_reason(reason)?;
            match state {
                S::Closed => Ok(to(S::InProgress)),
                _ => Err(not_now()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(state: MeasureState, evidence: u32) -> MeasureFacts {
        MeasureFacts { state, deadline: "2024-06".parse().ok(), evidence, pending_extension: None }
    }

    #[test]
    fn the_full_path_to_closure() {
        let mut f = facts(MeasureState::NotStarted, 0);
        let steps = [
            (Actor::Department, Action::Start),
            (Actor::Department, Action::MarkBasicallyCompleted),
            (Actor::Department, Action::Resume),
        ];
        for (actor, action) in steps {
            f.state = apply(&f, actor, &action).unwrap().state;
        }
        assert_eq!(apply(&f, Actor::Department, &Action::Claim), Err(WorkflowError::NoEvidence));
        f.evidence = 1;
        for (actor, action) in [
            (Actor::Department, Action::Claim),
            (Actor::LeaderInCharge, Action::Approve),
            (Actor::LeadingGroup, Action::Approve),
            (Actor::Verifier, Action::Approve),
        ] {
            f.state = apply(&f, actor, &action).unwrap().state;
        }
        assert_eq!(f.state, MeasureState::Closed);
        assert_eq!(f.state.status(), Status::Completed);
    }

    #[test]
    fn reviewers_cannot_skip_each_other() {
        let f = facts(MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader }, 1);
        assert!(matches!(apply(&f, Actor::Verifier, &Action::Approve), Err(WorkflowError::NotYourStep { .. })));
        assert!(matches!(apply(&f, Actor::LeadingGroup, &Action::Approve), Err(WorkflowError::NotYourStep { .. })));
        assert!(matches!(apply(&f, Actor::Department, &Action::Approve), Err(WorkflowError::NotYourStep { .. })));
    }

    #[test]
    fn sending_back_needs_a_reason_and_returns_to_work() {
        let f = facts(MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier }, 1);
        assert_eq!(apply(&f, Actor::Verifier, &Action::SendBack { reason: " ".into() }), Err(WorkflowError::NoReason));
        let out = apply(&f, Actor::Verifier, &Action::SendBack { reason: "佐证材料不完整".into() }).unwrap();
        assert_eq!(out.state, MeasureState::InProgress);
    }

    #[test]
    fn an_extension_is_a_request_the_verifier_decides() {
        let f = facts(MeasureState::InProgress, 0);
        let earlier =
            Action::RequestExtension { new_deadline: "2024-05".parse().unwrap(), reason: "资金未到位".into() };
        assert!(matches!(apply(&f, Actor::Department, &earlier), Err(WorkflowError::DeadlineNotLater { .. })));
        let later =
            Action::RequestExtension { new_deadline: "2024-12-31".parse().unwrap(), reason: "资金未到位".into() };
        let requested = apply(&f, Actor::Department, &later).unwrap();
        assert_eq!(requested.deadline, f.deadline, "the deadline does not move until approved");
        let f2 = MeasureFacts { pending_extension: requested.pending_extension, ..f.clone() };
        assert!(matches!(
            apply(&f2, Actor::Department, &Action::ApproveExtension),
            Err(WorkflowError::NotYourStep { .. })
        ));
        let approved = apply(&f2, Actor::Verifier, &Action::ApproveExtension).unwrap();
        assert_eq!(approved.deadline, "2024-12-31".parse().ok());
        assert_eq!(approved.pending_extension, None);
    }

    #[test]
    fn long_term_measures_close_in_stages_and_look_back_reopens() {
        let f = facts(MeasureState::InProgress, 1);
        let lt = apply(&f, Actor::Verifier, &Action::DeclareLongTerm).unwrap().state;
        let f = MeasureFacts { state: lt, ..f };
        assert!(apply(&f, Actor::Verifier, &Action::CloseLongTerm).is_err(), "no stage closed yet");
        let staged = apply(&f, Actor::Verifier, &Action::CloseStage).unwrap().state;
        assert_eq!(staged, MeasureState::LongTerm { stages_closed: 1 });
        let closed =
            apply(&MeasureFacts { state: staged, ..f.clone() }, Actor::Verifier, &Action::CloseLongTerm).unwrap();
        assert_eq!(closed.state, MeasureState::Closed);
        let reopened = apply(
            &MeasureFacts { state: MeasureState::Closed, ..f },
            Actor::Verifier,
            &Action::Reopen { reason: "问题反弹".into() },
        )
        .unwrap();
        assert_eq!(reopened.state, MeasureState::InProgress);
    }
}
