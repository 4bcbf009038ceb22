//! The rule table of the machine: who may take which step in which state, where it leads and
//! what it needs. [`apply`] decides a step with it, [`available_actions`] lists the steps open to
//! an actor; both read the same rows, so a button is shown exactly when its step would be taken.

use serde::Serialize;

use super::action::{Action, ActionKind};
use super::refusal::WorkflowError;
use super::state::{Actor, ExtensionRequest, Hands, MeasureFacts, MeasureState, OwnWork, Person, ReviewStage};
use crate::date::PartialDate;

/// What the step changes, for the caller to record (with its audit entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: MeasureState,
    pub deadline: Option<PartialDate>,
    pub pending_extension: Option<ExtensionRequest>,
    /// The hands after the step: a claim names its claimant, an approval adds its approver, a
    /// sending back starts the claim afresh, a reopening starts a new round.
    pub hands: Hands,
}

/// A step an actor may take now, or could once the blocker is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Availability {
    pub kind: ActionKind,
    /// `Some`: the step is the actor's, but the facts do not allow it yet; a page shows it
    /// disabled with the reason, so the user knows what to do first.
    pub blocked: Option<Blocker>,
}

/// What keeps an actor's step from being taken, that the actor can remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Blocker {
    /// No evidence (佐证材料) is attached yet.
    NeedsEvidence,
}

impl Blocker {
    pub fn label_zh(self) -> &'static str {
        match self {
            Blocker::NeedsEvidence => "需先上传佐证材料",
        }
    }
}

/// What a step needs of the facts besides the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Evidence,
    PendingExtension,
    NoPendingExtension,
}

impl Need {
    fn unmet(self, facts: &MeasureFacts) -> Option<WorkflowError> {
        match self {
            Need::Evidence if facts.evidence == 0 => Some(WorkflowError::NoEvidence),
            Need::PendingExtension if facts.pending_extension.is_none() => Some(WorkflowError::NoExtensionPending),
            Need::NoPendingExtension if facts.pending_extension.is_some() => Some(WorkflowError::ExtensionPending),
            _ => None,
        }
    }

    /// Whether the actor can meet the need on the measure's page (shown blocked) or not (hidden).
    fn blocker(self) -> Option<Blocker> {
        match self {
            Need::Evidence => Some(Blocker::NeedsEvidence),
            Need::PendingExtension | Need::NoPendingExtension => None,
        }
    }
}

/// One row of the rule table.
#[derive(Debug, Clone, Copy)]
struct Rule {
    /// Whose step it is; empty when nobody's in this state (an approval outside a review).
    actors: &'static [Actor],
    /// Where the step leads; `None` when the state admits no step of this kind.
    next: Option<MeasureState>,
    needs: Option<Need>,
}

const UNIT_WORKERS: &[Actor] = &[Actor::Department, Actor::UnitLiaison];
const LEADER: &[Actor] = &[Actor::LeaderInCharge];
const LEADING_GROUP: &[Actor] = &[Actor::LeadingGroup];
const VERIFIER: &[Actor] = &[Actor::Verifier];

/// Who reviews at a stage, as a list for [`WorkflowError::NotYourStep`].
fn reviewers(stage: ReviewStage) -> &'static [Actor] {
    match stage {
        ReviewStage::AwaitingLeader => LEADER,
        ReviewStage::AwaitingLeadingGroup => LEADING_GROUP,
        ReviewStage::AwaitingVerifier => VERIFIER,
    }
}

/// Whose step `kind` is in `state` by the rule table (empty when nobody may take it there), so
/// a page can say who will decide what waits, e.g. an extension request (the verifier's).
pub fn deciders(kind: ActionKind, state: MeasureState) -> &'static [Actor] {
    rule(kind, state).actors
}

/// The rule table: a step of `kind` in `state`.
fn rule(kind: ActionKind, state: MeasureState) -> Rule {
    use ActionKind as K;
    use MeasureState as S;
    let when =
        |actors, admitted: bool, next: MeasureState| Rule { actors, next: admitted.then_some(next), needs: None };
    match kind {
        K::Start => when(UNIT_WORKERS, state == S::NotStarted, S::InProgress),
        K::MarkBasicallyCompleted => when(UNIT_WORKERS, state == S::InProgress, S::BasicallyCompleted),
        K::Resume => when(UNIT_WORKERS, state == S::BasicallyCompleted, S::InProgress),
        K::Claim => Rule {
            needs: Some(Need::Evidence),
            ..when(
                UNIT_WORKERS,
                matches!(state, S::InProgress | S::BasicallyCompleted),
                S::UnderReview { stage: ReviewStage::AwaitingLeader },
            )
        },
        K::Approve => match state {
            S::UnderReview { stage } => {
                let next = match stage {
                    ReviewStage::AwaitingLeader => S::UnderReview { stage: ReviewStage::AwaitingLeadingGroup },
                    ReviewStage::AwaitingLeadingGroup => S::UnderReview { stage: ReviewStage::AwaitingVerifier },
                    ReviewStage::AwaitingVerifier => S::Closed,
                };
                when(reviewers(stage), true, next)
            }
            _ => when(&[], false, state),
        },
        K::SendBack => match state {
            S::UnderReview { stage } => when(reviewers(stage), true, S::InProgress),
            _ => when(&[], false, state),
        },
        K::RequestExtension => Rule {
            needs: Some(Need::NoPendingExtension),
            ..when(UNIT_WORKERS, matches!(state, S::NotStarted | S::InProgress | S::BasicallyCompleted), state)
        },
        K::ApproveExtension | K::DeclineExtension => {
            Rule { needs: Some(Need::PendingExtension), ..when(VERIFIER, true, state) }
        }
        K::DeclareLongTerm => {
            when(VERIFIER, matches!(state, S::InProgress | S::BasicallyCompleted), S::LongTerm { stages_closed: 0 })
        }
        K::CloseStage => match state {
            S::LongTerm { stages_closed } => Rule {
                needs: Some(Need::Evidence),
                ..when(VERIFIER, true, S::LongTerm { stages_closed: stages_closed.saturating_add(1) })
            },
            _ => when(VERIFIER, false, state),
        },
        K::CloseLongTerm => {
            when(VERIFIER, matches!(state, S::LongTerm { stages_closed } if stages_closed > 0), S::Closed)
        }
        K::Reopen => when(VERIFIER, state == S::Closed, S::InProgress),
    }
}

impl Rule {
    /// The state the step leads to, if it is `actor`'s and the state admits it. Whose step it is
    /// is checked first, so an actor is told "not yours" rather than "not now"; a step that is
    /// nobody's in this state is "not now".
    fn admit(&self, kind: ActionKind, state: MeasureState, actor: Actor) -> Result<MeasureState, WorkflowError> {
        let not_now = || WorkflowError::NotNow { action: kind, state };
        if !self.actors.contains(&actor) {
            return Err(if self.actors.is_empty() {
                not_now()
            } else {
                WorkflowError::NotYourStep { action: kind, allowed: self.actors, actor }
            });
        }
        self.next.ok_or_else(not_now)
    }
}

/// Separation of duties: why `person` may not take a step of `kind`, if it would approve their
/// own work. Approving a claim: not its claimant, not an earlier approver of it, nobody who
/// recorded the measure's progress or evidence. Closing a long-term measure's stage or the
/// measure: nobody who recorded its work (the same verifier closes every stage).
fn own_work(kind: ActionKind, hands: &Hands, person: Person) -> Option<OwnWork> {
    match kind {
        ActionKind::Approve => hands.own_work(person),
        ActionKind::CloseStage | ActionKind::CloseLongTerm => {
            hands.own_work(person).filter(|w| *w == OwnWork::ReportedWork)
        }
        _ => None,
    }
}

/// The hands after a step of `kind` by `person`.
fn next_hands(kind: ActionKind, hands: &Hands, person: Person) -> Hands {
    let mut next = hands.clone();
    match kind {
        ActionKind::Claim => {
            next.claimant = Some(person);
            next.approvers.clear();
        }
        ActionKind::Approve => next.approvers.push(person),
        ActionKind::SendBack => {
            next.claimant = None;
            next.approvers.clear();
        }
        ActionKind::Reopen => next = Hands::default(),
        _ => {}
    }
    next
}

/// Whose step a step of `kind` is in `state`; empty when nobody's (an approval outside a review).
pub(super) fn whose_step(kind: ActionKind, state: MeasureState) -> &'static [Actor] {
    rule(kind, state).actors
}

/// Decides a step of `person` acting as `actor`. Returns the new facts, or why the step is
/// refused. The checks run in one order: whose step, the state, separation of duties, the
/// reason, the facts (evidence, extension), the new deadline.
pub fn apply(facts: &MeasureFacts, actor: Actor, person: Person, action: &Action) -> Result<Outcome, WorkflowError> {
    let kind = action.kind();
    let rule = rule(kind, facts.state);
    let next = rule.admit(kind, facts.state, actor)?;
    if let Some(why) = own_work(kind, &facts.hands, person) {
        return Err(WorkflowError::OwnWork { action: kind, why });
    }
    let reason = match action {
        Action::SendBack { reason }
        | Action::RequestExtension { reason, .. }
        | Action::DeclineExtension { reason }
        | Action::Reopen { reason } => Some(reason),
        _ => None,
    };
    if reason.is_some_and(|r| r.trim().is_empty()) {
        return Err(WorkflowError::NoReason);
    }
    if let Some(reason) = reason {
        crate::limits::REASON.check(reason)?;
    }
    if let Some(comment) = action.comment() {
        crate::limits::REVIEW_COMMENT.check(comment)?;
    }
    if let Some(unmet) = rule.needs.and_then(|need| need.unmet(facts)) {
        return Err(unmet);
    }
    let mut outcome = Outcome {
        state: next,
        deadline: facts.deadline,
        pending_extension: facts.pending_extension.clone(),
        hands: next_hands(kind, &facts.hands, person),
    };
    match action {
        Action::RequestExtension { new_deadline, reason } => {
            if let Some(current) = facts.deadline
                && new_deadline.latest() <= current.latest()
            {
                return Err(WorkflowError::DeadlineNotLater { new: *new_deadline, current });
            }
            outcome.pending_extension = Some(ExtensionRequest { new_deadline: *new_deadline, reason: reason.clone() });
        }
        Action::ApproveExtension { .. } => {
            outcome.deadline = facts.pending_extension.as_ref().map(|r| r.new_deadline).or(facts.deadline);
            outcome.pending_extension = None;
        }
        Action::DeclineExtension { .. } => outcome.pending_extension = None,
        _ if next == MeasureState::Closed => outcome.pending_extension = None,
        _ => {}
    }
    Ok(outcome)
}

/// The steps `person` acting as `actor` may take on the measure now (`blocked: None`), and those
/// that are the actor's but wait for something the actor can do first (a claim without
/// evidence), in the order of [`ActionKind::ALL`]. Exactly the kinds [`apply`] would accept with
/// well-formed input; an approval of the person's own work is not listed.
pub fn available_actions(facts: &MeasureFacts, actor: Actor, person: Person) -> Vec<Availability> {
    ActionKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let rule = rule(kind, facts.state);
            rule.admit(kind, facts.state, actor).ok()?;
            if own_work(kind, &facts.hands, person).is_some() {
                return None;
            }
            match rule.needs.filter(|need| need.unmet(facts).is_some()) {
                None => Some(Availability { kind, blocked: None }),
                Some(need) => need.blocker().map(|b| Availability { kind, blocked: Some(b) }),
            }
        })
        .collect()
}

/// [`available_actions`] for an account acting as any of `actors` (several roles): a kind
/// appears once, unblocked if it is for one of them.
pub fn available_actions_any(
    facts: &MeasureFacts,
    actors: impl IntoIterator<Item = Actor>,
    person: Person,
) -> Vec<Availability> {
    let mut out: Vec<Availability> = Vec::new();
    for actor in actors {
        for available in available_actions(facts, actor, person) {
            match out.iter_mut().find(|a| a.kind == available.kind) {
                Some(seen) => {
                    if available.blocked.is_none() {
                        seen.blocked = None;
                    }
                }
                None => out.push(available),
            }
        }
    }
    out.sort_by_key(|a| a.kind);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Status;

    fn facts(state: MeasureState, evidence: u32) -> MeasureFacts {
        MeasureFacts {
            state,
            deadline: "2024-06".parse().ok(),
            evidence,
            pending_extension: None,
            hands: Hands::default(),
        }
    }

    /// Each actor a person of their own, so that separation of duties does not get in the way.
    fn apply(f: &MeasureFacts, actor: Actor, action: &Action) -> Result<Outcome, WorkflowError> {
        let person = Person(Actor::ALL.iter().position(|a| *a == actor).map_or(0, |i| i as i64 + 1));
        super::apply(f, actor, person, action)
    }

    /// Issue 12: the leader in charge sees a pending extension, so the page must say whose
    /// decision it is; `deciders` names exactly the actors `apply` lets decide it.
    #[test]
    fn deciders_of_an_extension_are_the_ones_the_rules_let_decide_it() {
        let mut f = facts(MeasureState::InProgress, 0);
        f.pending_extension =
            Some(ExtensionRequest { new_deadline: "2025-06".parse().unwrap(), reason: "需上级审批".into() });
        let named = deciders(ActionKind::ApproveExtension, f.state);
        assert_eq!(named, &[Actor::Verifier]);
        for actor in Actor::ALL {
            let decided = apply(&f, actor, &Action::ApproveExtension { comment: None }).is_ok();
            assert_eq!(decided, named.contains(&actor), "{actor:?}");
        }
        assert_eq!(deciders(ActionKind::DeclineExtension, f.state), named);
    }

    #[test]
    fn a_claim_under_review_is_named_with_the_ledgers_status_word() {
        for stage in [ReviewStage::AwaitingLeader, ReviewStage::AwaitingLeadingGroup, ReviewStage::AwaitingVerifier] {
            let state = MeasureState::UnderReview { stage };
            assert!(state.label_zh().starts_with(state.status().label_zh()), "{}", state.label_zh());
            assert!(state.label_zh().contains(stage.reviewer().name_zh()), "{}", state.label_zh());
        }
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
            (Actor::LeaderInCharge, Action::Approve { comment: None }),
            (Actor::LeadingGroup, Action::Approve { comment: None }),
            (Actor::Verifier, Action::Approve { comment: None }),
        ] {
            f.state = apply(&f, actor, &action).unwrap().state;
        }
        assert_eq!(f.state, MeasureState::Closed);
        assert_eq!(f.state.status(), Status::Completed);
    }

    /// Issue 13, finding 1: one account holding every role of the chain records work, claims and
    /// then cannot approve any stage; each stage needs a person who did none of the earlier ones.
    #[test]
    fn nobody_approves_their_own_work_or_two_stages() {
        let (me, leader, reporter, group, verifier) = (Person(1), Person(2), Person(3), Person(4), Person(5));
        let mut f = facts(MeasureState::InProgress, 1);
        f.hands.record_work(me);
        f.hands.record_work(reporter);
        let step = |f: &mut MeasureFacts, actor, person, action: Action| -> Result<(), WorkflowError> {
            let out = super::apply(f, actor, person, &action)?;
            (f.state, f.hands) = (out.state, out.hands);
            Ok(())
        };
        step(&mut f, Actor::Department, me, Action::Claim).unwrap();
        let own = |why| Err(WorkflowError::OwnWork { action: ActionKind::Approve, why });
        assert_eq!(step(&mut f, Actor::LeaderInCharge, me, Action::Approve { comment: None }), own(OwnWork::Claimed));
        assert_eq!(
            step(&mut f, Actor::LeaderInCharge, reporter, Action::Approve { comment: None }),
            own(OwnWork::ReportedWork)
        );
        assert!(available_actions(&f, Actor::LeaderInCharge, me).iter().all(|a| a.kind != ActionKind::Approve));
        step(&mut f, Actor::LeaderInCharge, leader, Action::Approve { comment: None }).unwrap();
        assert_eq!(
            step(&mut f, Actor::LeadingGroup, leader, Action::Approve { comment: None }),
            own(OwnWork::ApprovedEarlier)
        );
        assert_eq!(
            own(OwnWork::ApprovedEarlier).unwrap_err().message_zh(),
            "您已审核过本次销号申请的前一环节，同一人不能审核两个环节，须由其他人员办理"
        );
        step(&mut f, Actor::LeadingGroup, group, Action::Approve { comment: None }).unwrap();
        assert_eq!(step(&mut f, Actor::Verifier, me, Action::Approve { comment: None }), own(OwnWork::Claimed));
        // Sending back starts the claim afresh: the earlier approvers may review the next one.
        step(&mut f, Actor::Verifier, verifier, Action::SendBack { reason: "材料不全".into() }).unwrap();
        assert_eq!(f.hands, Hands { reporters: vec![me, reporter], claimant: None, approvers: vec![] });
        step(&mut f, Actor::UnitLiaison, reporter, Action::Claim).unwrap();
        step(&mut f, Actor::LeaderInCharge, leader, Action::Approve { comment: None }).unwrap();
        step(&mut f, Actor::LeadingGroup, group, Action::Approve { comment: None }).unwrap();
        step(&mut f, Actor::Verifier, verifier, Action::Approve { comment: None }).unwrap();
        assert_eq!(f.state, MeasureState::Closed);
    }

    #[test]
    fn reviewers_cannot_skip_each_other() {
        let f = facts(MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader }, 1);
        assert!(matches!(
            apply(&f, Actor::Verifier, &Action::Approve { comment: None }),
            Err(WorkflowError::NotYourStep { .. })
        ));
        assert!(matches!(
            apply(&f, Actor::LeadingGroup, &Action::Approve { comment: None }),
            Err(WorkflowError::NotYourStep { .. })
        ));
        assert!(matches!(
            apply(&f, Actor::Department, &Action::Approve { comment: None }),
            Err(WorkflowError::NotYourStep { .. })
        ));
    }

    #[test]
    fn sending_back_needs_a_reason_and_returns_to_work() {
        let f = facts(MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier }, 1);
        assert_eq!(apply(&f, Actor::Verifier, &Action::SendBack { reason: " ".into() }), Err(WorkflowError::NoReason));
        let long = "理".repeat(crate::limits::REASON.max_chars + 1);
        assert!(matches!(
            apply(&f, Actor::Verifier, &Action::SendBack { reason: long }),
            Err(WorkflowError::TooLong(e)) if e.limit == crate::limits::REASON
        ));
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
            apply(&f2, Actor::Department, &Action::ApproveExtension { comment: None }),
            Err(WorkflowError::NotYourStep { .. })
        ));
        let approved = apply(&f2, Actor::Verifier, &Action::ApproveExtension { comment: None }).unwrap();
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
