//! Property tests of the domain's parsers and rules.

use proptest::prelude::*;
use rectify_domain::arbitrary;
use rectify_domain::{Ledger, PartialDate, Status, WanYuan};

proptest! {
    #[test]
    fn dates_print_and_read_back(d in arbitrary::partial_date()) {
        prop_assert_eq!(d.to_string().parse::<PartialDate>().unwrap(), d);
        prop_assert!(d.earliest() <= d.latest());
    }

    #[test]
    fn date_parser_never_panics(s in "\\PC{0,12}") {
        let _ = s.parse::<PartialDate>();
    }

    #[test]
    fn amounts_print_and_read_back(w in arbitrary::wan_yuan()) {
        let printed = w.format_number();
        let back = WanYuan::parse_wan_yuan(&printed).unwrap();
        prop_assert_eq!(back.fen(), w.fen());
        prop_assert_eq!(back.to_string(), w.to_string());
        let via_json: WanYuan = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        prop_assert_eq!(via_json.fen(), w.fen());
    }

    #[test]
    fn ledgers_round_trip_through_json(l in arbitrary::ledger()) {
        let text = serde_json::to_string(&l).unwrap();
        let back = Ledger::from_json(&text).unwrap();
        prop_assert_eq!(&back, &l);
    }

    #[test]
    fn statistics_recount(l in arbitrary::ledger()) {
        let s = l.statistics();
        let p = s.problems;
        prop_assert_eq!(p.total as usize, l.problems().count());
        prop_assert_eq!(
            p.completed + p.in_progress + p.not_started + p.basically_completed + p.pending_verification
                + p.extended + p.long_term + p.not_done + p.unknown,
            p.total
        );
        let completed = l.problems().filter(|x| x.status == Status::Completed).count() as u32;
        let long_term = l.problems().filter(|x| x.status == Status::LongTerm).count() as u32;
        let expected = completed + if l.policy.long_term_counts_as_completed { long_term } else { 0 };
        prop_assert_eq!(s.completion.numerator, expected);
        prop_assert!(s.completion.numerator <= s.completion.denominator);
        prop_assert_eq!(s.measures_total as usize, l.measures().count());
    }
}

mod workflow {
    use proptest::prelude::*;
    use rectify_domain::arbitrary;
    use std::collections::BTreeSet;

    use rectify_domain::roles::Role;
    use rectify_domain::workflow::{
        Action, ActionKind, Actor, Blocker, Hands, MeasureFacts, MeasureState, Person, ReviewStage, Task,
        WorkflowError, acting_role, apply, available_actions, available_actions_any,
    };

    /// A person of their own for each actor.
    fn person_of(actor: Actor) -> Person {
        Person(Actor::ALL.iter().position(|a| *a == actor).map_or(0, |i| i as i64 + 1))
    }

    fn actor() -> impl Strategy<Value = Actor> {
        prop_oneof![
            Just(Actor::Department),
            Just(Actor::UnitLiaison),
            Just(Actor::LeaderInCharge),
            Just(Actor::LeadingGroup),
            Just(Actor::Verifier),
        ]
    }

    /// Weighted so that random sequences often get through the whole review chain.
    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            3 => Just(Action::Start),
            1 => Just(Action::MarkBasicallyCompleted),
            1 => Just(Action::Resume),
            3 => Just(Action::Claim),
            6 => Just(Action::Approve { comment: None }),
            2 => Just(Action::Approve { comment: Some("同意，材料齐全".into()) }),
            1 => Just(Action::SendBack { reason: "材料不全".into() }),
            1 => Just(Action::SendBack { reason: String::new() }),
            1 => Just(Action::RequestExtension { new_deadline: "2031-01".parse().unwrap(), reason: "客观原因".into() }),
            1 => Just(Action::ApproveExtension { comment: None }),
            1 => Just(Action::DeclineExtension { reason: "理由不充分".into() }),
            1 => Just(Action::DeclareLongTerm),
            1 => Just(Action::CloseStage),
            1 => Just(Action::CloseLongTerm),
            1 => Just(Action::Reopen { reason: "回头看发现反弹".into() }),
        ]
    }

    /// The actor who would normally take `action` in `state`; random sequences use it most of the
    /// time so that they reach deep states, and a random actor otherwise.
    fn plausible_actor(state: MeasureState, action: &Action) -> Actor {
        match (state, action) {
            (
                MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader },
                Action::Approve { .. } | Action::SendBack { .. },
            ) => Actor::LeaderInCharge,
            (
                MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup },
                Action::Approve { .. } | Action::SendBack { .. },
            ) => Actor::LeadingGroup,
            (
                _,
                Action::Start
                | Action::MarkBasicallyCompleted
                | Action::Resume
                | Action::Claim
                | Action::RequestExtension { .. },
            ) => Actor::Department,
            _ => Actor::Verifier,
        }
    }

    /// The approvals seen since the last claim, to check that a closure had all of them.
    #[derive(Default)]
    struct Approvals {
        leader: bool,
        group: bool,
    }

    proptest! {
        #[test]
        fn no_closure_without_evidence_and_both_approvals(
            steps in proptest::collection::vec((actor(), any::<bool>(), action(), any::<bool>()), 1..60)
        ) {
            let mut facts = MeasureFacts { state: MeasureState::NotStarted, deadline: "2030-06".parse().ok(), evidence: 0, pending_extension: None, hands: Hands::default() };
            let mut approvals = Approvals::default();
            for (random_actor, use_random_actor, action, add_evidence) in steps {
                if add_evidence { facts.evidence += 1; }
                let actor = if use_random_actor { random_actor } else { plausible_actor(facts.state, &action) };
                let before = facts.state;
                let Ok(out) = apply(&facts, actor, person_of(actor), &action) else {
                    continue; // refused steps change nothing
                };
                match (before, out.state) {
                    (MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader }, MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup }) => {
                        prop_assert_eq!(actor, Actor::LeaderInCharge);
                        approvals.leader = true;
                    }
                    (MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup }, MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier }) => {
                        prop_assert_eq!(actor, Actor::LeadingGroup);
                        approvals.group = true;
                    }
                    (_, MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader }) => {
                        prop_assert!(facts.evidence > 0, "claimed without evidence");
                        approvals = Approvals::default();
                    }
                    (MeasureState::UnderReview { .. }, MeasureState::Closed) => {
                        prop_assert_eq!(actor, Actor::Verifier);
                        prop_assert!(approvals.leader && approvals.group, "closed without both approvals");
                        prop_assert!(facts.evidence > 0);
                    }
                    (MeasureState::LongTerm { stages_closed }, MeasureState::Closed) => {
                        prop_assert!(stages_closed > 0);
                        prop_assert_eq!(actor, Actor::Verifier);
                    }
                    (from, MeasureState::Closed) => prop_assert!(false, "closed from {:?}", from),
                    _ => {}
                }
                if out.deadline != facts.deadline {
                    prop_assert!(matches!(action, Action::ApproveExtension { .. }), "the deadline moved silently");
                }
                facts = MeasureFacts { state: out.state, deadline: out.deadline, evidence: facts.evidence, pending_extension: out.pending_extension, hands: out.hands };
            }
        }
    }

    proptest! {
        /// The buttons a page shows and the steps the machine takes cannot drift apart.
        #[test]
        fn available_actions_are_exactly_the_steps_apply_takes(
            facts in arbitrary::workflow::measure_facts(),
            actor in arbitrary::workflow::actor(),
            person in arbitrary::workflow::person(),
        ) {
            let listed = available_actions(&facts, actor, person);
            prop_assert!(listed.windows(2).all(|w| w[0].kind < w[1].kind), "each kind once, in order");
            for kind in ActionKind::ALL {
                let Some(action) = arbitrary::workflow::well_formed(kind, &facts) else { continue };
                let applied = apply(&facts, actor, person, &action);
                let entry = listed.iter().find(|a| a.kind == kind);
                prop_assert_eq!(entry.is_some_and(|a| a.blocked.is_none()), applied.is_ok(), "{:?}: {:?}", kind, applied);
                prop_assert_eq!(
                    entry.is_some_and(|a| a.blocked == Some(Blocker::NeedsEvidence)),
                    applied == Err(WorkflowError::NoEvidence),
                    "{:?}: {:?}", kind, applied
                );
            }
        }

        /// An account with several roles sees a step once, open if any of its actors may take it.
        #[test]
        fn several_actors_see_the_union(
            facts in arbitrary::workflow::measure_facts(),
            actors in proptest::collection::vec(arbitrary::workflow::actor(), 0..3),
            person in arbitrary::workflow::person(),
        ) {
            let merged = available_actions_any(&facts, actors.iter().copied(), person);
            for kind in ActionKind::ALL {
                let each: Vec<_> = actors
                    .iter()
                    .filter_map(|a| available_actions(&facts, *a, person).into_iter().find(|x| x.kind == kind))
                    .collect();
                let entry = merged.iter().find(|a| a.kind == kind);
                prop_assert_eq!(entry.is_some(), !each.is_empty());
                prop_assert_eq!(entry.is_some_and(|a| a.blocked.is_none()), each.iter().any(|a| a.blocked.is_none()));
            }
        }
    }

    /// The roles of the closure chain an account may be given (with 巡察办 as the verifier).
    fn chain_roles() -> impl Strategy<Value = Vec<Role>> {
        proptest::sample::subsequence(
            vec![Role::UnitLiaison, Role::Department, Role::LeaderInCharge, Role::LeadingGroup, Role::InspectionOffice],
            1..=5,
        )
    }

    proptest! {
        /// Issue 13, finding 1: for any assignment of roles to people (up to five people, any of
        /// whom may hold every role), and any sequence of attempts — each person acting in the role
        /// the server would choose — no claim closes with fewer distinct people than the chain has
        /// steps (claimant, leader in charge, leading group, verifier), and nobody who recorded the
        /// measure's work approves it.
        #[test]
        fn no_closure_with_fewer_people_than_the_chain_needs(
            people in proptest::collection::vec(chain_roles(), 1..6),
            steps in proptest::collection::vec(
                (0usize..5, action(), proptest::bool::weighted(0.7), proptest::bool::weighted(0.15)),
                1..120,
            ),
        ) {
            let mut facts = MeasureFacts { state: MeasureState::NotStarted, deadline: "2030-06".parse().ok(), evidence: 0, pending_extension: None, hands: Hands::default() };
            // Kept here independently of the machine's own hands.
            let mut chain: Vec<usize> = Vec::new();
            let mut reporters: BTreeSet<usize> = BTreeSet::new();
            for (who, random_action, use_next, reports) in steps {
                let who = who % people.len();
                // Mostly the step that moves the measure on, so that sequences reach closures.
                let action = match facts.state {
                    _ if !use_next => random_action,
                    MeasureState::NotStarted => Action::Start,
                    MeasureState::InProgress | MeasureState::BasicallyCompleted => Action::Claim,
                    MeasureState::UnderReview { .. } => Action::Approve { comment: None },
                    MeasureState::LongTerm { .. } => Action::CloseStage,
                    MeasureState::Closed => Action::Reopen { reason: "回头看发现反弹".into() },
                };
                let roles = &people[who];
                let person = Person(who as i64);
                if reports && roles.iter().any(|r| matches!(r, Role::Department | Role::UnitLiaison)) && facts.state != MeasureState::Closed {
                    facts.evidence += 1;
                    facts.hands.record_work(person);
                    reporters.insert(who);
                }
                let task = Task::Step { kind: action.kind(), state: facts.state };
                let Some(actor) = acting_role(roles, task).and_then(Role::default_workflow_actor) else { continue };
                let before = facts.state;
                let Ok(out) = apply(&facts, actor, person, &action) else { continue };
                match action {
                    Action::Claim => chain = vec![who],
                    Action::Approve { .. } => {
                        prop_assert!(!reporters.contains(&who), "an approver had recorded the work");
                        chain.push(who);
                    }
                    Action::SendBack { .. } => chain.clear(),
                    Action::Reopen { .. } => { chain.clear(); reporters.clear(); }
                    _ => {}
                }
                if matches!(before, MeasureState::UnderReview { .. }) && out.state == MeasureState::Closed {
                    let distinct: BTreeSet<usize> = chain.iter().copied().collect();
                    prop_assert_eq!(chain.len(), 4, "claim and three approvals: {:?}", chain);
                    prop_assert_eq!(distinct.len(), 4, "closed by fewer than four people: {:?}", chain);
                }
                if before != MeasureState::Closed && out.state == MeasureState::Closed {
                    prop_assert!(people.len() >= 2, "one person closed a measure alone");
                }
                facts = MeasureFacts { state: out.state, deadline: out.deadline, evidence: facts.evidence, pending_extension: out.pending_extension, hands: out.hands };
            }
        }
    }
}
