//! The workflow panel of a measure's page: where it stands, the steps the viewer may take, and
//! the progress and reminder forms when they apply.

use minijinja::{Value, context};
use rectify_auth::Permission;
use rectify_domain::roles::Role;
use rectify_domain::workflow::{ActionKind, MeasureState, deciders};
use rectify_storage::MeasureWorkflowView;

use super::ser;
use crate::service::EVIDENCE_LIMIT_BYTES;
use crate::service::session::Principal;
use crate::service::workflow::buttons;

/// The panel's template values; `has_department` says whether the measure (or its problem) names
/// a responsible department, the one a reminder (催办) goes to.
pub(crate) fn panel(
    principal: &Principal,
    view: &MeasureWorkflowView,
    has_department: bool,
    today: chrono::NaiveDate,
) -> Value {
    let may_report = principal.has_role(Role::Department) || principal.has_role(Role::UnitLiaison);
    let may_remind = principal.may(&[Permission::SendReminder]);
    let buttons = buttons(principal, view);
    // Who decides an extension, by the domain's rule table (the verifier): a viewer who sees a
    // pending request without being able to decide it is told whose decision it is.
    let decided_by =
        deciders(ActionKind::ApproveExtension, view.state).iter().map(|a| a.name_zh()).collect::<Vec<_>>().join("或");
    let yours = buttons.iter().any(|b| b.action == ActionKind::ApproveExtension.name());
    context! {
        version => view.version,
        state_label => view.state.label_zh(),
        evidence => view.evidence,
        pending_extension => view.pending_extension.as_ref().map(|e| context! {
            new_deadline => e.new_deadline.to_chinese(),
            reason => e.reason.clone(),
            decided_by => decided_by.clone(),
            yours,
        }),
        extension_decided_by => decided_by.clone(),
        buttons => ser(buttons),
        progress_form => may_report && view.state != MeasureState::Closed,
        remind_form => may_remind && has_department && view.state != MeasureState::Closed,
        remind_nobody => may_remind && !has_department && view.state != MeasureState::Closed,
        today => today.to_string(),
        limit_mb => EVIDENCE_LIMIT_BYTES / (1024 * 1024),
    }
}
