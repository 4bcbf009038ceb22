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
    use rectify_domain::workflow::{
        Action, ActionKind, Actor, Blocker, MeasureFacts, MeasureState, ReviewStage, WorkflowError, apply,
        available_actions, available_actions_any,
    };

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
            8 => Just(Action::Approve),
            1 => Just(Action::SendBack { reason: "材料不全".into() }),
            1 => Just(Action::SendBack { reason: String::new() }),
            1 => Just(Action::RequestExtension { new_deadline: "2031-01".parse().unwrap(), reason: "客观原因".into() }),
            1 => Just(Action::ApproveExtension),
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
                Action::Approve | Action::SendBack { .. },
            ) => Actor::LeaderInCharge,
            (
                MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup },
                Action::Approve | Action::SendBack { .. },
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
            let mut facts = MeasureFacts { state: MeasureState::NotStarted, deadline: "2030-06".parse().ok(), evidence: 0, pending_extension: None };
            let mut approvals = Approvals::default();
            for (random_actor, use_random_actor, action, add_evidence) in steps {
                if add_evidence { facts.evidence += 1; }
                let actor = if use_random_actor { random_actor } else { plausible_actor(facts.state, &action) };
                let before = facts.state;
                let Ok(out) = apply(&facts, actor, &action) else {
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
                    prop_assert_eq!(&action, &Action::ApproveExtension, "the deadline moved silently");
                }
                facts = MeasureFacts { state: out.state, deadline: out.deadline, evidence: facts.evidence, pending_extension: out.pending_extension };
            }
        }
    }

    proptest! {
        /// The buttons a page shows and the steps the machine takes cannot drift apart.
        #[test]
        fn available_actions_are_exactly_the_steps_apply_takes(
            facts in arbitrary::workflow::measure_facts(),
            actor in arbitrary::workflow::actor(),
        ) {
            let listed = available_actions(&facts, actor);
            prop_assert!(listed.windows(2).all(|w| w[0].kind < w[1].kind), "each kind once, in order");
            for kind in ActionKind::ALL {
                let Some(action) = arbitrary::workflow::well_formed(kind, &facts) else { continue };
                let applied = apply(&facts, actor, &action);
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
        ) {
            let merged = available_actions_any(&facts, actors.iter().copied());
            for kind in ActionKind::ALL {
                let each: Vec<_> =
                    actors.iter().filter_map(|a| available_actions(&facts, *a).into_iter().find(|x| x.kind == kind)).collect();
                let entry = merged.iter().find(|a| a.kind == kind);
                prop_assert_eq!(entry.is_some(), !each.is_empty());
                prop_assert_eq!(entry.is_some_and(|a| a.blocked.is_none()), each.iter().any(|a| a.blocked.is_none()));
            }
        }
    }
}
