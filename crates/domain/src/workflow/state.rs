//! Who acts in the workflow and where a measure stands.

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

impl Actor {
    pub const ALL: [Actor; 5] =
        [Actor::Department, Actor::UnitLiaison, Actor::LeaderInCharge, Actor::LeadingGroup, Actor::Verifier];

    /// English, for the messages of errors and logs.
    pub fn label(self) -> &'static str {
        match self {
            Actor::Department => "the responsible department",
            Actor::UnitLiaison => "the unit liaison",
            Actor::LeaderInCharge => "the leader in charge",
            Actor::LeadingGroup => "the leading group",
            Actor::Verifier => "the verifier",
        }
    }

    /// How a refusal names the actor whose step it is (该环节应由…办理).
    pub fn label_zh(self) -> &'static str {
        match self {
            Actor::Department => "责任部门",
            Actor::UnitLiaison => "单位联络员",
            Actor::LeaderInCharge => "分管领导",
            Actor::LeadingGroup => "整改领导小组",
            Actor::Verifier => "巡察办（核验销号）",
        }
    }
}

/// Where a claimed closure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    AwaitingLeader,
    AwaitingLeadingGroup,
    AwaitingVerifier,
}

impl ReviewStage {
    /// Who reviews at this stage.
    pub fn reviewer(self) -> Actor {
        match self {
            ReviewStage::AwaitingLeader => Actor::LeaderInCharge,
            ReviewStage::AwaitingLeadingGroup => Actor::LeadingGroup,
            ReviewStage::AwaitingVerifier => Actor::Verifier,
        }
    }
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

    /// Where the measure stands, in the words of the measure page; a claim under review says
    /// whose review it waits for, which the ledger's status (已完成待核) does not.
    pub fn label_zh(self) -> &'static str {
        match self {
            MeasureState::NotStarted => "未启动",
            MeasureState::InProgress => "正在整改",
            MeasureState::BasicallyCompleted => "基本完成",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader } => "已申请销号，待分管领导审核",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => {
                "分管领导已审核，待整改领导小组确认"
            }
            MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier } => "领导小组已确认，待巡察办核验销号",
            MeasureState::Closed => "已销号",
            MeasureState::LongTerm { .. } => "长期坚持",
        }
    }

    /// English, for the messages of errors and logs.
    pub(crate) fn label(self) -> &'static str {
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
