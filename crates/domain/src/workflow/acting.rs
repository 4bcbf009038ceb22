//! Which of its roles an account acts in. An account may hold several (a department head who is
//! also the unit's liaison); what it does is recorded, and checked, under one of them, so the
//! choice must be the one whose part of the work the task is.

use super::action::ActionKind;
use super::rules::whose_step;
use super::state::MeasureState;
use crate::roles::Role;

/// What an account is about to do, for [`acting_role`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Task {
    /// A step of the closure workflow on a measure in `state`.
    Step { kind: ActionKind, state: MeasureState },
    /// Reporting progress on a measure or attaching evidence (报送进展).
    Progress,
    /// Sending a reminder about a measure (催办).
    Reminder,
    /// The verifier's work beyond a measure's steps: closing or reopening a problem (销号, 反弹),
    /// scheduling and recording a look-back (回头看).
    Verification,
}

/// Who reports progress, in order of preference.
const REPORTERS: [Role; 2] = [Role::Department, Role::UnitLiaison];

/// Who sends reminders, in order of preference: the most supervising role first.
const REMINDER_SENDERS: [Role; 5] =
    [Role::InspectionOffice, Role::LeadingGroup, Role::LeaderInCharge, Role::UnitLiaison, Role::DisciplineInspection];

/// The role an account holding `roles` acts in for `task`: the one whose part of the work the
/// task is; failing that its first role, which the rules then refuse with a reason that names
/// whose part it is (rather than an error here). `None` only for an account without roles.
///
/// For a workflow step, the roles are read in the account's order, and a role that takes some
/// step (in a round verified by [`Role::DEFAULT_VERIFIER`]) is preferred over one that takes none.
pub fn acting_role(roles: &[Role], task: Task) -> Option<Role> {
    let held = |candidates: &[Role]| candidates.iter().copied().find(|r| roles.contains(r));
    let chosen = match task {
        Task::Step { kind, state } => {
            let whose = whose_step(kind, state);
            roles
                .iter()
                .copied()
                .find(|r| r.default_workflow_actor().is_some_and(|a| whose.contains(&a)))
                .or_else(|| roles.iter().copied().find(|r| r.default_workflow_actor().is_some()))
        }
        Task::Progress => held(&REPORTERS),
        Task::Reminder => held(&REMINDER_SENDERS),
        Task::Verification => held(&[Role::DEFAULT_VERIFIER]),
    };
    chosen.or_else(|| roles.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::ReviewStage;

    fn step(kind: ActionKind, state: MeasureState) -> Task {
        Task::Step { kind, state }
    }

    fn review(stage: ReviewStage) -> MeasureState {
        MeasureState::UnderReview { stage }
    }

    #[test]
    fn an_account_with_several_roles_acts_in_the_one_whose_step_it_is() {
        let both = [Role::LeaderInCharge, Role::Department];
        assert_eq!(acting_role(&both, step(ActionKind::Claim, MeasureState::InProgress)), Some(Role::Department));
        assert_eq!(
            acting_role(&both, step(ActionKind::Approve, review(ReviewStage::AwaitingLeader))),
            Some(Role::LeaderInCharge)
        );
        assert_eq!(
            acting_role(&both, step(ActionKind::SendBack, review(ReviewStage::AwaitingLeader))),
            Some(Role::LeaderInCharge)
        );
        let group_and_office = [Role::LeadingGroup, Role::InspectionOffice];
        assert_eq!(
            acting_role(&group_and_office, step(ActionKind::Approve, review(ReviewStage::AwaitingVerifier))),
            Some(Role::InspectionOffice)
        );
        assert_eq!(
            acting_role(&group_and_office, step(ActionKind::Approve, review(ReviewStage::AwaitingLeadingGroup))),
            Some(Role::LeadingGroup)
        );
        assert_eq!(
            acting_role(&group_and_office, step(ActionKind::ApproveExtension, MeasureState::InProgress)),
            Some(Role::InspectionOffice)
        );
    }

    #[test]
    fn a_step_that_is_not_the_accounts_goes_out_under_a_workflow_role() {
        // The rules then refuse it as "not your step", naming whose it is.
        let roles = [Role::DisciplineInspection, Role::Department];
        assert_eq!(acting_role(&roles, step(ActionKind::Reopen, MeasureState::Closed)), Some(Role::Department));
        assert_eq!(
            acting_role(&[Role::AuditAdmin], step(ActionKind::Start, MeasureState::NotStarted)),
            Some(Role::AuditAdmin)
        );
        assert_eq!(acting_role(&[], step(ActionKind::Start, MeasureState::NotStarted)), None);
    }

    #[test]
    fn progress_reminders_and_verification_prefer_their_roles() {
        let roles = [Role::LeaderInCharge, Role::UnitLiaison, Role::Department];
        assert_eq!(acting_role(&roles, Task::Progress), Some(Role::Department));
        assert_eq!(acting_role(&roles, Task::Reminder), Some(Role::LeaderInCharge));
        assert_eq!(acting_role(&roles, Task::Verification), Some(Role::LeaderInCharge), "first role: refused later");
        let office = [Role::DisciplineInspection, Role::InspectionOffice];
        assert_eq!(acting_role(&office, Task::Reminder), Some(Role::InspectionOffice));
        assert_eq!(acting_role(&office, Task::Verification), Some(Role::InspectionOffice));
        assert_eq!(acting_role(&office, Task::Progress), Some(Role::DisciplineInspection));
    }
}
