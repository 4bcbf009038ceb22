//! Data scope: which inspections, problems and measures an account's grants reach, the one
//! lookup of an inspection by id, and the permission groups the route table and the pages share.

use std::sync::Arc;

use rectify_auth::scope::{any_sees_inspection, any_sees_measure, any_sees_problem};
use rectify_auth::{Grant, InspectionRef};
use rectify_domain::roles::Role;
use rectify_domain::{Ledger, Problem};
use rectify_storage::{InspectionSummary, MeasureRecord, ProblemInScope, ProblemRecord, RecordPlace};

use super::state::AppState;
use crate::error::AppError;
use crate::ids::{AspectId, InspectionId, LookbackItemId, MeasureId, ProblemId};

/// Groups of permissions that several routes and pages share.
pub mod sets {
    use rectify_auth::Permission as P;

    /// Reading a ledger within one's scope.
    pub const READ: &[P] = &[P::ReadOwnUnitLedger, P::ReadAllUnits];
    /// Taking a step of the closure workflow (the state machine decides which step).
    pub const WORKFLOW: &[P] = &[
        P::UpdateOwnMeasures,
        P::EditLedger,
        P::RequestExtension,
        P::ReviewAssignedProblems,
        P::ConfirmClosure,
        P::VerifyClosure,
        P::ApproveExtension,
    ];
    /// Recording progress and evidence.
    pub const REPORT_PROGRESS: &[P] = &[P::UpdateOwnMeasures, P::EditLedger];
    /// Reviewing claimed closures (the 待办/审核 inbox).
    pub const REVIEW: &[P] = &[P::ReviewAssignedProblems, P::ConfirmClosure, P::VerifyClosure, P::ApproveExtension];
    /// Editing the ledger: the unit's liaison (the service checks the grant's scope).
    pub const EDIT: &[P] = &[P::EditLedger];
    /// Creating an inspection: the inspection office, or a unit's liaison for its own unit.
    pub const CREATE_INSPECTION: &[P] = &[P::CreateInspection, P::EditLedger];
    /// Handing responsibility over (the unit's liaison, its leading group, the inspection office).
    pub const REASSIGN: &[P] = &[P::EditLedger, P::ConfirmClosure, P::VerifyClosure];
    /// The documents page: import, generate or export.
    pub const DOCUMENTS: &[P] = &[P::ImportDocuments, P::GenerateReports, P::ExportLedger];
}

/// The record a route's path names, whose scope the http layer checks before any handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named<'a> {
    Inspection(InspectionId),
    Aspect(AspectId),
    Problem(ProblemId),
    Measure(MeasureId),
    LookbackItem(LookbackItemId),
    /// An evidence file by its SHA-256: some measure it belongs to must be visible.
    Evidence(&'a str),
}

/// Whether the record a route names lies in the grants' scope. A record that does not exist
/// passes, so that the handler answers 404 for everyone alike.
pub async fn in_scope(state: &AppState, grants: &[Grant], named: Named<'_>) -> Result<bool, AppError> {
    let store = state.store();
    let visibility = Visibility::new(grants);
    // An unlimited office grant sees every record: no read to decide (a look-back item still
    // needs its inspection to exist).
    if grants.iter().any(Grant::sees_everything) && !matches!(named, Named::LookbackItem(_)) {
        return Ok(true);
    }
    match named {
        Named::Evidence(sha256) => {
            let measures = store.evidence_measure(sha256).await?;
            if measures.is_empty() {
                return Ok(true);
            }
            for measure in measures {
                if visibility.sees_measure_id(state, measure).await? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Named::Inspection(id) => match inspection(state, id).await? {
            Some(s) => Ok(visibility.sees_inspection(&s)),
            None => Ok(true),
        },
        Named::Aspect(id) => match store.aspect_inspection(id.get()).await?.and_then(InspectionId::new) {
            Some(inspection_id) => match inspection(state, inspection_id).await? {
                Some(s) => Ok(visibility.sees_inspection(&s)),
                None => Ok(true),
            },
            None => Ok(true),
        },
        // Where the record is decides for every grant that sees whole inspections; only a
        // department's or a leader's grant needs the problem with its measures, read from there.
        Named::Problem(id) => match store.problem_place(id.get()).await? {
            None => Ok(true),
            Some(place) => match visibility.decided_by_place(&place) {
                Some(answer) => Ok(answer),
                None => match store.problem_at(&place).await? {
                    Some((found, _)) => Ok(visibility.sees_problem_in(&found)),
                    None => Ok(true),
                },
            },
        },
        Named::Measure(id) => match store.measure_place(id.get()).await? {
            None => Ok(true),
            Some(place) => match visibility.decided_by_place(&place) {
                Some(answer) => Ok(answer),
                None => match store.problem_at(&place).await? {
                    // A measure gone from its problem meanwhile names nothing, as before: 404 for all.
                    Some((found, ids)) => Ok(ids
                        .iter()
                        .position(|m| *m == id.get())
                        .is_none_or(|index| visibility.sees_measure_in(&found, index))),
                    None => Ok(true),
                },
            },
        },
        Named::LookbackItem(id) => match super::lookback::locate_item(state, id).await {
            Ok((_, inspection_id)) => match inspection(state, inspection_id).await? {
                Some(s) => Ok(visibility.sees_inspection(&s)),
                None => Ok(false),
            },
            // An item that does not exist names nothing: 404 for everyone.
            Err(AppError::NotFound { .. }) => Ok(true),
            Err(e) => Err(e),
        },
    }
}

/// The summary of one inspection, if it exists: the one lookup of an inspection by id.
pub async fn inspection(state: &AppState, id: InspectionId) -> Result<Option<InspectionSummary>, AppError> {
    // The remembered list is in id order: a binary search, no copy of the list.
    let all = state.store().inspections_shared().await?;
    Ok(all.binary_search_by_key(&id.get(), |s| s.id).ok().and_then(|i| all.get(i)).cloned())
}

/// [`inspection`], or 404.
pub async fn require_inspection(state: &AppState, id: InspectionId) -> Result<InspectionSummary, AppError> {
    inspection(state, id).await?.ok_or_else(|| AppError::not_found("inspection", id))
}

/// The inspections the grants see, oldest first.
pub async fn visible_inspections(state: &AppState, grants: &[Grant]) -> Result<Vec<InspectionSummary>, AppError> {
    let all = state.store().inspections_shared().await?;
    let visibility = Visibility::new(grants);
    Ok(all.iter().filter(|s| visibility.sees_inspection(s)).cloned().collect())
}

/// Whether the account sees every unit (the inspection office, or any reader without a
/// limit), so that lists across units need no narrowing.
pub fn sees_every_unit(principal: &super::session::Principal) -> bool {
    principal.may(sets::READ)
        && principal.grants.iter().any(|g| {
            !matches!(g.role, Role::Department | Role::LeaderInCharge)
                && g.scope.inspection_ids.is_none()
                && g.scope.unit.is_none()
                && rectify_auth::allows_any(&[g.role], rectify_auth::Permission::ReadAllUnits)
        })
}

/// The name an inspection goes by on screen: its unit, else its title.
pub fn inspection_name(s: &InspectionSummary) -> String {
    s.unit.clone().or_else(|| s.title.clone()).unwrap_or_else(|| format!("巡察台账{}", s.id))
}

/// A problem record with its measures put back, as the scope rules need them.
pub(crate) fn with_measures(record: &ProblemRecord, measures: &[MeasureRecord]) -> Problem {
    let mut own: Vec<&MeasureRecord> = measures.iter().filter(|m| m.problem_id == record.id).collect();
    own.sort_by_key(|m| m.position);
    Problem { measures: own.into_iter().map(|m| m.measure.clone()).collect(), ..record.problem.clone() }
}

/// What an account's grants see: the union of its grants' scopes.
#[derive(Debug, Clone, Copy)]
pub struct Visibility<'a> {
    grants: &'a [Grant],
}

impl<'a> Visibility<'a> {
    pub fn new(grants: &'a [Grant]) -> Self {
        Visibility { grants }
    }

    fn reference(summary: &InspectionSummary) -> InspectionRef<'_> {
        InspectionRef { id: summary.id, unit: summary.unit.as_deref() }
    }

    pub fn sees_inspection(&self, summary: &InspectionSummary) -> bool {
        any_sees_inspection(self.grants, Self::reference(summary))
    }

    /// Whether some grant sees the whole inspection (not only some departments' or a leader's part).
    pub fn sees_everything_of(&self, summary: &InspectionSummary) -> bool {
        self.sees_all_of(Self::reference(summary))
    }

    fn sees_all_of(&self, inspection: InspectionRef<'_>) -> bool {
        self.grants
            .iter()
            .any(|g| !matches!(g.role, Role::Department | Role::LeaderInCharge) && g.sees_inspection(inspection))
    }

    /// Whether the account sees a record in `place`, when where it is decides: yes if a grant
    /// sees the whole inspection, no if none sees the inspection at all; `None` when a
    /// department's or a leader's part of the inspection must be read to decide.
    fn decided_by_place(&self, place: &RecordPlace) -> Option<bool> {
        let inspection = InspectionRef { id: place.inspection_id, unit: place.unit.as_deref() };
        if self.sees_all_of(inspection) {
            Some(true)
        } else if !any_sees_inspection(self.grants, inspection) {
            Some(false)
        } else {
            None
        }
    }

    /// Whether the account sees a problem read with all its measures.
    fn sees_problem_in(&self, found: &ProblemInScope) -> bool {
        let inspection = InspectionRef { id: found.record.inspection_id, unit: found.unit.as_deref() };
        any_sees_problem(self.grants, inspection, &found.record.problem)
    }

    pub(crate) async fn sees_measure_id(&self, state: &AppState, measure_id: i64) -> Result<bool, AppError> {
        match state.store().problem_of_measure(measure_id).await? {
            Some((found, index)) => Ok(self.sees_measure_in(&found, index)),
            None => Ok(false),
        }
    }

    /// Whether the account sees the measure at `index` of a problem read with its measures.
    fn sees_measure_in(&self, found: &ProblemInScope, index: usize) -> bool {
        let inspection = InspectionRef { id: found.record.inspection_id, unit: found.unit.as_deref() };
        let problem = &found.record.problem;
        problem.measures.get(index).is_some_and(|measure| any_sees_measure(self.grants, inspection, problem, measure))
    }

    /// The inspections the account sees.
    pub fn inspections(&self, all: Vec<InspectionSummary>) -> Vec<InspectionSummary> {
        all.into_iter().filter(|s| self.sees_inspection(s)).collect()
    }

    /// The problems and measures of one inspection the account sees.
    pub fn records(
        &self,
        summary: &InspectionSummary,
        problems: Vec<ProblemRecord>,
        measures: Vec<MeasureRecord>,
    ) -> (Vec<ProblemRecord>, Vec<MeasureRecord>) {
        if !self.sees_inspection(summary) {
            return (Vec::new(), Vec::new());
        }
        if self.sees_everything_of(summary) {
            return (problems, measures);
        }
        let inspection = Self::reference(summary);
        let full: Vec<(ProblemRecord, Problem)> = problems
            .into_iter()
            .map(|p| {
                let problem = with_measures(&p, &measures);
                (p, problem)
            })
            .filter(|(_, problem)| any_sees_problem(self.grants, inspection, problem))
            .collect();
        let measures = measures
            .into_iter()
            .filter(|m| {
                full.iter()
                    .find(|(p, _)| p.id == m.problem_id)
                    .is_some_and(|(_, problem)| any_sees_measure(self.grants, inspection, problem, &m.measure))
            })
            .collect();
        (full.into_iter().map(|(p, _)| p).collect(), measures)
    }

    /// The part of a ledger the account sees; see [`rectify_auth::scope::visible_ledger`].
    pub fn ledger(&self, summary: &InspectionSummary, ledger: &Ledger) -> Option<Ledger> {
        rectify_auth::scope::visible_ledger(self.grants, summary.id, ledger)
    }

    /// [`Visibility::ledger`] of a remembered (shared) ledger: the ledger itself when the account
    /// sees the whole inspection, no copy.
    pub fn shared_ledger(&self, summary: &InspectionSummary, ledger: Arc<Ledger>) -> Option<Arc<Ledger>> {
        if self.sees_everything_of(summary) { Some(ledger) } else { self.ledger(summary, &ledger).map(Arc::new) }
    }

    /// [`Visibility::records`] of remembered (shared) lists: the lists themselves when the account
    /// sees the whole inspection, filtered copies otherwise.
    pub fn shared_records(
        &self,
        summary: &InspectionSummary,
        problems: Arc<Vec<ProblemRecord>>,
        measures: Arc<Vec<MeasureRecord>>,
    ) -> (Arc<Vec<ProblemRecord>>, Arc<Vec<MeasureRecord>>) {
        if self.sees_everything_of(summary) {
            return (problems, measures);
        }
        let (problems, measures) = self.records(summary, Vec::clone(&problems), Vec::clone(&measures));
        (Arc::new(problems), Arc::new(measures))
    }
}
