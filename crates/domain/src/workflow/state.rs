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

    /// The actor's plain name, as a page says who will decide (待巡察办审批).
    pub fn name_zh(self) -> &'static str {
        match self {
            Actor::Verifier => "巡察办",
            other => other.label_zh(),
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

    /// Where the measure stands, in the words of the measure page: the ledger's status word
    /// (already what the badge beside it says, so one state has one name) and, for a claim under
    /// review, whose review it waits for.
    pub fn label_zh(self) -> &'static str {
        match self {
            MeasureState::NotStarted => "未启动",
            MeasureState::InProgress => "正在整改",
            MeasureState::BasicallyCompleted => "基本完成",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader } => "已完成待核 · 待分管领导审核",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => "已完成待核 · 待整改领导小组确认",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier } => "已完成待核 · 待巡察办核验销号",
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
    /// Who did the work and the steps of the current round of the measure (separation of duties).
    #[serde(default)]
    pub hands: Hands,
}

/// A person (经办人): the id of the account that acts. Roles say which steps a person may take;
/// the person says whose work a step would approve, whatever roles the account combines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Person(pub i64);

/// The hands of the current round of a measure (since it was imported or last reopened): who
/// recorded progress or evidence, who claimed completion and who approved the claim so far.
/// Separation of duties (职责分离) reads them: nobody approves work or a step that is their own,
/// so a closure takes as many distinct people as the chain has steps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hands {
    /// Who recorded progress or evidence (报送人), sorted, each once.
    pub reporters: Vec<Person>,
    /// Who claimed completion (申请销号人) of the claim under review.
    pub claimant: Option<Person>,
    /// Who approved the claim under review, in the order of the stages.
    pub approvers: Vec<Person>,
}

impl Hands {
    /// Records that `person` reported work; `false` when they had already (nothing to store).
    pub fn record_work(&mut self, person: Person) -> bool {
        match self.reporters.binary_search(&person) {
            Ok(_) => false,
            Err(at) => {
                self.reporters.insert(at, person);
                true
            }
        }
    }

    /// Why `person` may not approve (or verify) now, if they may not.
    pub fn own_work(&self, person: Person) -> Option<OwnWork> {
        if self.claimant == Some(person) {
            Some(OwnWork::Claimed)
        } else if self.approvers.contains(&person) {
            Some(OwnWork::ApprovedEarlier)
        } else if self.reporters.binary_search(&person).is_ok() {
            Some(OwnWork::ReportedWork)
        } else {
            None
        }
    }
}

/// Why an approval would be the approver's own work (separation of duties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnWork {
    /// The approver recorded progress or evidence of the measure.
    ReportedWork,
    /// The approver claimed the completion under review.
    Claimed,
    /// The approver approved an earlier stage of the same claim.
    ApprovedEarlier,
}

impl OwnWork {
    pub fn label(self) -> &'static str {
        match self {
            OwnWork::ReportedWork => "recorded progress or evidence of the measure",
            OwnWork::Claimed => "claimed the completion under review",
            OwnWork::ApprovedEarlier => "approved an earlier stage of this claim",
        }
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            OwnWork::ReportedWork => "您报送过该措施的整改进展或佐证材料，不能审核本人报送的工作，须由其他人员办理",
            OwnWork::Claimed => "该销号申请由您提出，不能由本人审核，须由其他人员办理",
            OwnWork::ApprovedEarlier => "您已审核过本次销号申请的前一环节，同一人不能审核两个环节，须由其他人员办理",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    pub new_deadline: PartialDate,
    pub reason: String,
}
