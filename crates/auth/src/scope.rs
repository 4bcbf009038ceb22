//! Data scope (数据范围): which ledgers, problems and measures a role grant reaches. The
//! permission table says what a role may do; the scope says on which data.
//!
//! Rules, for the server to apply on every read and write:
//! - a unit's roles (liaison, department, leader in charge, leading group) see only the
//!   inspections of their own unit — the inspection ids of the grant, or every inspection whose
//!   ledger names the grant's unit;
//! - a department sees only measures whose responsibility lists its department (a measure with
//!   no departments of its own inherits its problem's), and the problems holding such measures;
//! - a leader in charge sees only problems whose responsibility names them as leader (with all
//!   their measures), plus measures that name them directly;
//! - the inspection office and discipline inspection see every inspection of their rounds (for
//!   now: every inspection, unless the grant lists ids);
//! - the administrators and the public see no ledger data.
//!
//! A unit-side grant missing the field that limits it (no inspection or unit, a department grant
//! with no department, a leader grant with no name) sees nothing: scopes fail closed. Names are
//! compared exactly after trimming spaces.

use std::collections::BTreeSet;

use rectify_domain::roles::Role;
use rectify_domain::{Aspect, Ledger, Measure, Problem, Responsibility};
use serde::{Deserialize, Serialize};

/// The storage identity of an inspection (one unit's ledger of one round).
pub type InspectionId = i64;

/// The limits of one grant. `None` means "not limited on this field", which only the inspection
/// office and discipline inspection may use for inspections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub inspection_ids: Option<BTreeSet<InspectionId>>,
    /// The unit (被巡察单位) as the ledger names it.
    pub unit: Option<String>,
    /// 责任部门, for department grants.
    pub department: Option<String>,
    /// 分管领导's name, for leader grants.
    pub leader: Option<String>,
}

/// A role with its data scope, as one account holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    #[serde(default)]
    pub scope: Scope,
}

/// What identifies an inspection for scope checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InspectionRef<'a> {
    pub id: InspectionId,
    /// The ledger's unit.
    pub unit: Option<&'a str>,
}

fn same(a: &str, b: &str) -> bool {
    let a = a.trim();
    !a.is_empty() && a == b.trim()
}

fn names_department(departments: &[String], department: &str) -> bool {
    departments.iter().any(|d| same(d, department))
}

fn names_leader(responsibility: &Responsibility, leader: &str) -> bool {
    responsibility.leader.as_deref().is_some_and(|l| same(l, leader))
}

impl Grant {
    pub fn new(role: Role, scope: Scope) -> Self {
        Grant { role, scope }
    }

    /// Whether the grant reaches every inspection with all its problems and measures (the
    /// inspection office or discipline inspection without limits), so that checking a record's
    /// scope needs no read of the record.
    pub fn sees_everything(&self) -> bool {
        matches!(self.role, Role::InspectionOffice | Role::DisciplineInspection)
            && self.scope.inspection_ids.is_none()
            && self.scope.unit.is_none()
    }

    /// Whether the grant reaches an inspection at all.
    pub fn sees_inspection(&self, inspection: InspectionRef<'_>) -> bool {
        let Scope { inspection_ids, unit, .. } = &self.scope;
        let by_id = inspection_ids.as_ref().map(|ids| ids.contains(&inspection.id));
        let by_unit = unit.as_deref().map(|u| inspection.unit.is_some_and(|name| same(u, name)));
        match self.role {
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => false,
            Role::InspectionOffice | Role::DisciplineInspection => by_id.unwrap_or(true) && by_unit.unwrap_or(true),
            Role::UnitLiaison | Role::Department | Role::LeaderInCharge | Role::LeadingGroup => {
                match (by_id, by_unit) {
                    (None, None) => false,
                    (id, unit) => id.unwrap_or(true) && unit.unwrap_or(true),
                }
            }
        }
    }

    /// Whether the grant reaches a problem of an inspection it sees.
    pub fn sees_problem(&self, inspection: InspectionRef<'_>, problem: &Problem) -> bool {
        self.sees_inspection(inspection) && self.problem_in_scope(problem)
    }

    /// Whether the grant reaches a measure of a problem.
    pub fn sees_measure(&self, inspection: InspectionRef<'_>, problem: &Problem, measure: &Measure) -> bool {
        self.sees_inspection(inspection) && self.measure_in_scope(problem, measure)
    }

    fn problem_in_scope(&self, problem: &Problem) -> bool {
        match self.role {
            Role::Department | Role::LeaderInCharge => {
                self.measure_rule_matches_problem(problem)
                    || problem.measures.iter().any(|m| self.measure_in_scope(problem, m))
            }
            _ => true,
        }
    }

    fn measure_rule_matches_problem(&self, problem: &Problem) -> bool {
        match (self.role, &self.scope) {
            (Role::Department, Scope { department: Some(d), .. }) => {
                names_department(&problem.responsibility.departments, d)
            }
            (Role::LeaderInCharge, Scope { leader: Some(l), .. }) => names_leader(&problem.responsibility, l),
            _ => false,
        }
    }

    fn measure_in_scope(&self, problem: &Problem, measure: &Measure) -> bool {
        match (self.role, &self.scope) {
            (Role::Department, Scope { department: Some(d), .. }) => {
                names_department(measure.effective_responsibility(problem).departments, d)
            }
            (Role::Department, _) => false,
            (Role::LeaderInCharge, Scope { leader: Some(l), .. }) => {
                names_leader(&problem.responsibility, l) || names_leader(&measure.responsibility, l)
            }
            (Role::LeaderInCharge, _) => false,
            _ => true,
        }
    }

    /// The part of a ledger this grant sees; see [`visible_ledger`].
    pub fn visible_ledger(&self, id: InspectionId, ledger: &Ledger) -> Option<Ledger> {
        visible_ledger(std::slice::from_ref(self), id, ledger)
    }
}

/// The part of a ledger an account with `grants` sees (the union of what each grant sees):
/// `None` if no grant sees the inspection, otherwise the ledger with only the problems and
/// measures in scope (aspects left empty are dropped). Statistics computed on the result describe
/// the visible part only. Outcomes point at problems and measures by position and belong to the
/// unit as a whole, so a partial view carries none rather than misattributed ones.
pub fn visible_ledger(grants: &[Grant], id: InspectionId, ledger: &Ledger) -> Option<Ledger> {
    let inspection = InspectionRef { id, unit: ledger.unit.as_deref() };
    if !any_sees_inspection(grants, inspection) {
        return None;
    }
    let mut partial = false;
    let mut aspects = Vec::new();
    for aspect in &ledger.aspects {
        let mut problems = Vec::new();
        for p in &aspect.problems {
            if !any_sees_problem(grants, inspection, p) {
                partial = true;
                continue;
            }
            let measures: Vec<Measure> =
                p.measures.iter().filter(|m| any_sees_measure(grants, inspection, p, m)).cloned().collect();
            partial |= measures.len() != p.measures.len();
            problems.push(Problem { measures, ..p.clone() });
        }
        if !problems.is_empty() {
            aspects.push(Aspect { problems, ..aspect.clone() });
        }
    }
    if !partial {
        return Some(ledger.clone());
    }
    Some(Ledger { aspects, outcomes: Default::default(), ..ledger.clone() })
}

/// Whether any of an account's grants sees the inspection.
pub fn any_sees_inspection(grants: &[Grant], inspection: InspectionRef<'_>) -> bool {
    grants.iter().any(|g| g.sees_inspection(inspection))
}

/// Whether any of an account's grants sees the problem.
pub fn any_sees_problem(grants: &[Grant], inspection: InspectionRef<'_>, problem: &Problem) -> bool {
    grants.iter().any(|g| g.sees_problem(inspection, problem))
}

/// Whether any of an account's grants sees the measure.
pub fn any_sees_measure(grants: &[Grant], inspection: InspectionRef<'_>, problem: &Problem, measure: &Measure) -> bool {
    grants.iter().any(|g| g.sees_measure(inspection, problem, measure))
}
