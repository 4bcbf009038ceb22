//! The steps of the workflow: [`Action`] with its input, [`ActionKind`] without, and the one table
//! of their names, inputs and Chinese labels.

use serde::{Deserialize, Serialize};

use super::state::{MeasureState, ReviewStage};
use crate::date::PartialDate;

/// A step someone wants to take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Start,
    MarkBasicallyCompleted,
    Resume,
    /// Claim completion; needs evidence.
    Claim,
    /// Approve at the current review stage, with an optional comment (审核意见) that the
    /// measure's history keeps.
    Approve {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// 退回重办, with a reason.
    SendBack {
        reason: String,
    },
    RequestExtension {
        new_deadline: PartialDate,
        reason: String,
    },
    /// 同意延期, with an optional comment.
    ApproveExtension {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
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

/// What kind of step an [`Action`] is, without its input: what a button, a form field or an
/// audit entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Start,
    MarkBasicallyCompleted,
    Resume,
    Claim,
    Approve,
    SendBack,
    RequestExtension,
    ApproveExtension,
    DeclineExtension,
    DeclareLongTerm,
    CloseStage,
    CloseLongTerm,
    Reopen,
}

impl ActionKind {
    /// Every kind, in the order a page shows its buttons.
    pub const ALL: [ActionKind; 13] = [
        ActionKind::Start,
        ActionKind::MarkBasicallyCompleted,
        ActionKind::Resume,
        ActionKind::Claim,
        ActionKind::Approve,
        ActionKind::SendBack,
        ActionKind::RequestExtension,
        ActionKind::ApproveExtension,
        ActionKind::DeclineExtension,
        ActionKind::DeclareLongTerm,
        ActionKind::CloseStage,
        ActionKind::CloseLongTerm,
        ActionKind::Reopen,
    ];

    /// A short stable name, as the audit trail (`measure.<name>`), the API and the forms write it.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Start => "start",
            ActionKind::MarkBasicallyCompleted => "mark_basically_completed",
            ActionKind::Resume => "resume",
            ActionKind::Claim => "claim",
            ActionKind::Approve => "approve",
            ActionKind::SendBack => "send_back",
            ActionKind::RequestExtension => "request_extension",
            ActionKind::ApproveExtension => "approve_extension",
            ActionKind::DeclineExtension => "decline_extension",
            ActionKind::DeclareLongTerm => "declare_long_term",
            ActionKind::CloseStage => "close_stage",
            ActionKind::CloseLongTerm => "close_long_term",
            ActionKind::Reopen => "reopen",
        }
    }

    pub fn from_name(name: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The step takes a reason (退回, 延期, 不同意延期, 反弹).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            ActionKind::SendBack | ActionKind::RequestExtension | ActionKind::DeclineExtension | ActionKind::Reopen
        )
    }

    /// The step takes an optional comment (审核意见): the approvals.
    pub fn takes_comment(self) -> bool {
        matches!(self, ActionKind::Approve | ActionKind::ApproveExtension)
    }

    /// The step takes a new deadline.
    pub fn needs_deadline(self) -> bool {
        self == ActionKind::RequestExtension
    }

    /// The step turns a request down, so a page shows it as such.
    pub fn is_danger(self) -> bool {
        matches!(self, ActionKind::SendBack | ActionKind::DeclineExtension)
    }

    /// The Chinese label of the step, for its button and for the measure's history; the one
    /// table of them. An approval is named by the review stage it passes (`state` before the
    /// step); outside a review, as in an audit entry read without its state, it is 审核通过.
    pub fn label_zh(self, state: MeasureState) -> &'static str {
        match self {
            ActionKind::Start => "开始整改",
            ActionKind::MarkBasicallyCompleted => "标记基本完成",
            ActionKind::Resume => "恢复整改",
            ActionKind::Claim => "申请销号",
            ActionKind::Approve => match state {
                MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => "确认整改完成",
                MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier } => "核验通过并销号",
                _ => "审核通过",
            },
            ActionKind::SendBack => "退回重办",
            ActionKind::RequestExtension => "申请延期",
            ActionKind::ApproveExtension => "同意延期",
            ActionKind::DeclineExtension => "不同意延期",
            ActionKind::DeclareLongTerm => "转为长期坚持",
            ActionKind::CloseStage => "阶段性核验通过",
            ActionKind::CloseLongTerm => "长期措施销号",
            ActionKind::Reopen => "重新整改",
        }
    }

    /// English, for the messages of errors and logs ("starting work is not possible …").
    pub(crate) fn doing(self) -> &'static str {
        match self {
            ActionKind::Start => "starting work",
            ActionKind::MarkBasicallyCompleted => "marking basically completed",
            ActionKind::Resume => "resuming work",
            ActionKind::Claim => "claiming completion",
            ActionKind::Approve => "approving",
            ActionKind::SendBack => "sending back",
            ActionKind::RequestExtension => "requesting an extension",
            ActionKind::ApproveExtension => "approving an extension",
            ActionKind::DeclineExtension => "declining an extension",
            ActionKind::DeclareLongTerm => "declaring long-term",
            ActionKind::CloseStage => "closing a stage",
            ActionKind::CloseLongTerm => "closing a long-term measure",
            ActionKind::Reopen => "reopening",
        }
    }
}

impl std::str::FromStr for ActionKind {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActionKind::from_name(s).ok_or_else(|| UnknownAction(s.to_owned()))
    }
}

/// A name that is no [`ActionKind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action {0:?}")]
pub struct UnknownAction(pub String);

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Start => ActionKind::Start,
            Action::MarkBasicallyCompleted => ActionKind::MarkBasicallyCompleted,
            Action::Resume => ActionKind::Resume,
            Action::Claim => ActionKind::Claim,
            Action::Approve { .. } => ActionKind::Approve,
            Action::SendBack { .. } => ActionKind::SendBack,
            Action::RequestExtension { .. } => ActionKind::RequestExtension,
            Action::ApproveExtension { .. } => ActionKind::ApproveExtension,
            Action::DeclineExtension { .. } => ActionKind::DeclineExtension,
            Action::DeclareLongTerm => ActionKind::DeclareLongTerm,
            Action::CloseStage => ActionKind::CloseStage,
            Action::CloseLongTerm => ActionKind::CloseLongTerm,
            Action::Reopen { .. } => ActionKind::Reopen,
        }
    }

    /// A short stable name, as the audit trail and the API write it (`claim`, `send_back` …).
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The comment of an approval (审核意见), if one was given.
    pub fn comment(&self) -> Option<&str> {
        match self {
            Action::Approve { comment } | Action::ApproveExtension { comment } => comment.as_deref(),
            _ => None,
        }
    }

    /// The step with a blank comment dropped and a given one trimmed, as the history keeps it.
    pub fn normalized(self) -> Action {
        let tidy = |c: Option<String>| c.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        match self {
            Action::Approve { comment } => Action::Approve { comment: tidy(comment) },
            Action::ApproveExtension { comment } => Action::ApproveExtension { comment: tidy(comment) },
            other => other,
        }
    }

    /// The step of `kind` with the input a form gave: `text` is the reason of a kind that needs
    /// one, the comment of an approval (blank: none), and ignored by the other kinds. `None`
    /// when the kind needs a deadline and none is given (an empty reason is the machine's to
    /// refuse, with [`super::WorkflowError::NoReason`]).
    pub fn from_kind(kind: ActionKind, text: String, new_deadline: Option<PartialDate>) -> Option<Action> {
        let reason = text;
        let comment = || Some(reason.trim().to_owned()).filter(|c| !c.is_empty());
        Some(match kind {
            ActionKind::Start => Action::Start,
            ActionKind::MarkBasicallyCompleted => Action::MarkBasicallyCompleted,
            ActionKind::Resume => Action::Resume,
            ActionKind::Claim => Action::Claim,
            ActionKind::Approve => Action::Approve { comment: comment() },
            ActionKind::SendBack => Action::SendBack { reason },
            ActionKind::RequestExtension => Action::RequestExtension { new_deadline: new_deadline?, reason },
            ActionKind::ApproveExtension => Action::ApproveExtension { comment: comment() },
            ActionKind::DeclineExtension => Action::DeclineExtension { reason },
            ActionKind::DeclareLongTerm => Action::DeclareLongTerm,
            ActionKind::CloseStage => Action::CloseStage,
            ActionKind::CloseLongTerm => Action::CloseLongTerm,
            ActionKind::Reopen => Action::Reopen { reason },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_match_the_serde_names() {
        for kind in ActionKind::ALL {
            assert_eq!(ActionKind::from_name(kind.name()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::from(kind.name()));
            let deadline = "2031-01".parse().ok();
            let action = Action::from_kind(kind, "理由".into(), deadline).unwrap();
            assert_eq!(action.kind(), kind);
            let json = serde_json::to_value(&action).unwrap();
            assert_eq!(json["action"], kind.name(), "the API's tag is the same name");
            assert_eq!(kind.needs_reason(), json.get("reason").is_some(), "{kind:?}");
            assert_eq!(kind.needs_deadline(), json.get("new_deadline").is_some(), "{kind:?}");
        }
        assert_eq!("send_back".parse::<ActionKind>(), Ok(ActionKind::SendBack));
        assert!("sendback".parse::<ActionKind>().is_err());
        assert_eq!(Action::from_kind(ActionKind::RequestExtension, "理由".into(), None), None);
    }

    #[test]
    fn an_approval_carries_an_optional_comment() {
        let with = Action::from_kind(ActionKind::Approve, " 材料齐全，同意 ".into(), None).unwrap();
        assert_eq!(with.comment(), Some("材料齐全，同意"));
        assert_eq!(
            serde_json::to_value(&with).unwrap(),
            serde_json::json!({"action": "approve", "comment": "材料齐全，同意"})
        );
        let without = Action::from_kind(ActionKind::ApproveExtension, "  ".into(), None).unwrap();
        assert_eq!(without, Action::ApproveExtension { comment: None });
        assert_eq!(serde_json::to_value(&without).unwrap(), serde_json::json!({"action": "approve_extension"}));
        // The API's body without a comment still reads, and a blank one is dropped.
        let read: Action = serde_json::from_value(serde_json::json!({"action": "approve"})).unwrap();
        assert_eq!(read, Action::Approve { comment: None });
        let blank: Action = serde_json::from_value(serde_json::json!({"action": "approve", "comment": " "})).unwrap();
        assert_eq!(blank.normalized(), Action::Approve { comment: None });
        assert_eq!(Action::from_kind(ActionKind::Claim, "说明".into(), None).unwrap().comment(), None);
    }

    #[test]
    fn one_label_per_step_and_approval_by_stage() {
        let review = |stage| MeasureState::UnderReview { stage };
        assert_eq!(ActionKind::Start.label_zh(MeasureState::NotStarted), "开始整改");
        assert_eq!(ActionKind::Approve.label_zh(review(ReviewStage::AwaitingLeader)), "审核通过");
        assert_eq!(ActionKind::Approve.label_zh(review(ReviewStage::AwaitingLeadingGroup)), "确认整改完成");
        assert_eq!(ActionKind::Approve.label_zh(review(ReviewStage::AwaitingVerifier)), "核验通过并销号");
        assert_eq!(ActionKind::Approve.label_zh(MeasureState::Closed), "审核通过");
        let labels: std::collections::HashSet<_> =
            ActionKind::ALL.iter().map(|k| k.label_zh(MeasureState::InProgress)).collect();
        assert_eq!(labels.len(), ActionKind::ALL.len(), "no two steps share a label");
    }
}
