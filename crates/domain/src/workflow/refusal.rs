//! Why the machine refuses a step: typed, so that a caller shows its own words without reading
//! English back, and with the Chinese message the pages and the API give.

use super::action::ActionKind;
use super::state::{Actor, MeasureState, OwnWork};
use crate::date::PartialDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The measure's state admits no step of this kind.
    #[error("{} is not possible while the measure is {}", .action.doing(), .state.label())]
    NotNow { action: ActionKind, state: MeasureState },
    /// The step is another actor's (`allowed` lists whose).
    #[error("{} is for {}, not for {}", .action.doing(), english_list(.allowed), .actor.label())]
    NotYourStep { action: ActionKind, allowed: &'static [Actor], actor: Actor },
    /// Separation of duties: the approval would be the approver's own work.
    #[error("{} is refused: the same person {}", .action.doing(), .why.label())]
    OwnWork { action: ActionKind, why: OwnWork },
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
    /// A text given with the step (a reason, a progress text, an evidence title) is over its
    /// limit (see [`crate::limits`]).
    #[error(transparent)]
    TooLong(#[from] crate::limits::TooLong),
}

impl WorkflowError {
    /// The refusal as the pages and the API's `message_zh` say it.
    pub fn message_zh(&self) -> String {
        match self {
            WorkflowError::NotNow { .. } => "该措施当前所处环节不能办理此项操作，请刷新页面查看最新状态".to_owned(),
            WorkflowError::NotYourStep { allowed, .. } => format!("该环节应由{}办理", chinese_list(allowed)),
            WorkflowError::OwnWork { why, .. } => why.message_zh().to_owned(),
            WorkflowError::NoEvidence => "申请销号须至少上传一份佐证材料".to_owned(),
            WorkflowError::NoReason => "请填写理由".to_owned(),
            WorkflowError::DeadlineNotLater { new, current } => {
                format!("申请的完成时限（{}）须晚于原时限（{}）", new.to_chinese(), current.to_chinese())
            }
            WorkflowError::ExtensionPending => "已有延期申请正在等待审批".to_owned(),
            WorkflowError::NoExtensionPending => "没有待审批的延期申请".to_owned(),
            WorkflowError::TooLong(e) => e.message_zh(),
        }
    }
}

/// "the department or the liaison" style: the English the refusals said before they were typed
/// (the audit trail keeps these texts, so they stay).
fn english_list(actors: &[Actor]) -> String {
    match actors {
        [Actor::Department, Actor::UnitLiaison] => "the department or the liaison".to_owned(),
        [one] => one.label().to_owned(),
        many => many.iter().map(|a| a.label()).collect::<Vec<_>>().join(" or "),
    }
}

/// 责任部门或单位联络员.
fn chinese_list(actors: &[Actor]) -> String {
    if actors.is_empty() {
        return "其他角色".to_owned();
    }
    actors.iter().map(|a| a.label_zh()).collect::<Vec<_>>().join("或")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::ReviewStage;

    #[test]
    fn refusals_keep_their_english_and_say_it_in_chinese() {
        let unit = WorkflowError::NotYourStep {
            action: ActionKind::Claim,
            allowed: &[Actor::Department, Actor::UnitLiaison],
            actor: Actor::Verifier,
        };
        assert_eq!(unit.to_string(), "claiming completion is for the department or the liaison, not for the verifier");
        assert_eq!(unit.message_zh(), "该环节应由责任部门或单位联络员办理");
        let leader = WorkflowError::NotYourStep {
            action: ActionKind::Approve,
            allowed: &[Actor::LeaderInCharge],
            actor: Actor::LeadingGroup,
        };
        assert_eq!(leader.message_zh(), "该环节应由分管领导办理");
        let verifier = WorkflowError::NotYourStep {
            action: ActionKind::Reopen,
            allowed: &[Actor::Verifier],
            actor: Actor::Department,
        };
        assert_eq!(verifier.message_zh(), "该环节应由巡察办（核验销号）办理");
        let not_now = WorkflowError::NotNow {
            action: ActionKind::Approve,
            state: MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier },
        };
        assert_eq!(not_now.to_string(), "approving is not possible while the measure is awaiting the verifier");
    }
}
