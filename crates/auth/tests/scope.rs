//! Data scope on a small ledger written for the test: two aspects, three problems with their
//! leaders and departments, measures that inherit or override the departments.

use std::collections::BTreeSet;

use rectify_auth::scope::{Grant, InspectionRef, Scope, any_sees_inspection, any_sees_measure};
use rectify_domain::Ledger;
use rectify_domain::roles::Role;

const LEDGER: &str = r#"{
  "title": "测试单位巡察整改台账",
  "unit": "某某局党组",
  "report_date": "2024-07-23",
  "inspection": { "inspector": "区委第一巡察组", "start": "2023-03-01", "end": "2023-05-01", "feedback_date": "2023-06-01" },
  "claimed": { "aspects": 2, "problems": 3, "measures": 5, "completed": null, "in_progress": null,
               "completion_rate_percent": null, "rules_made_or_revised": null, "funds_recovered_wan_yuan": null,
               "accountability": {} },
  "aspects": [
    { "number": "一", "title": "政治建设方面", "problems": [
      { "number": "1", "title": "学习制度落实不到位的问题", "status": "in_progress",
        "responsibility": { "leader": "王五", "departments": ["办公室"] },
        "measures": [
          { "text": "修订学习制度", "dates": [], "amounts_wan_yuan": [], "documents": [] },
          { "text": "开展专题培训", "dates": [], "amounts_wan_yuan": [], "documents": [],
            "responsibility": { "departments": ["人事科", "办公室"] } }
        ] },
      { "number": "2", "title": "财务管理不规范的问题", "status": "in_progress",
        "responsibility": { "leader": "赵六", "departments": ["财务科"] },
        "measures": [
          { "text": "清理往来款项", "dates": [], "amounts_wan_yuan": [], "documents": [] },
          { "text": "完善报销流程", "dates": [], "amounts_wan_yuan": [], "documents": [],
            "responsibility": { "leader": "王五", "departments": [" 办公室 "] } }
        ] }
    ] },
    { "number": "二", "title": "作风建设方面", "problems": [
      { "number": "3", "title": "公务用车管理不严的问题", "status": "completed",
        "responsibility": { "leader": "赵六", "departments": ["后勤科"] },
        "measures": [ { "text": "建立用车台账", "dates": [], "amounts_wan_yuan": [], "documents": [] } ] }
    ] }
  ],
  "named_documents": [],
  "contacts": { "phones": [], "emails": [], "addresses": [], "postcodes": [] }
}"#;

fn ledger() -> Ledger {
    Ledger::from_json(LEDGER).unwrap()
}

fn ids(ids: &[i64]) -> Option<BTreeSet<i64>> {
    Some(ids.iter().copied().collect())
}

/// (problem number, measure texts) of what a grant sees.
fn seen(grant: &Grant, id: i64) -> Option<Vec<(String, Vec<String>)>> {
    grant.visible_ledger(id, &ledger()).map(|l| {
        l.aspects
            .iter()
            .flat_map(|a| &a.problems)
            .map(|p| (p.number.clone().unwrap_or_default(), p.measures.iter().map(|m| m.text.to_string()).collect()))
            .collect()
    })
}

fn owned(rows: &[(&str, &[&str])]) -> Option<Vec<(String, Vec<String>)>> {
    Some(rows.iter().map(|(n, ms)| (n.to_string(), ms.iter().map(|m| m.to_string()).collect())).collect())
}

#[test]
fn unit_roles_see_only_their_own_inspections() {
    let liaison = Grant::new(Role::UnitLiaison, Scope { inspection_ids: ids(&[7]), ..Scope::default() });
    let unit = InspectionRef { id: 7, unit: Some("某某局党组") };
    assert!(liaison.sees_inspection(unit));
    assert!(!liaison.sees_inspection(InspectionRef { id: 8, unit: Some("某某局党组") }));
    assert_eq!(seen(&liaison, 8), None);
    let all = seen(&liaison, 7).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all.iter().map(|(_, m)| m.len()).sum::<usize>(), 5);

    // By unit name: every inspection of that unit, none of another.
    let by_unit = Grant::new(Role::LeadingGroup, Scope { unit: Some("某某局党组".into()), ..Scope::default() });
    assert!(by_unit.sees_inspection(InspectionRef { id: 99, unit: Some("某某局党组") }));
    assert!(!by_unit.sees_inspection(InspectionRef { id: 99, unit: Some("另一单位") }));
    assert!(!by_unit.sees_inspection(InspectionRef { id: 99, unit: None }));

    // An unlimited unit grant sees nothing (fail closed).
    for role in [Role::UnitLiaison, Role::Department, Role::LeaderInCharge, Role::LeadingGroup] {
        assert!(!Grant::new(role, Scope::default()).sees_inspection(unit), "{role:?}");
    }
}

#[test]
fn department_sees_only_its_measures() {
    let office = Grant::new(
        Role::Department,
        Scope { inspection_ids: ids(&[7]), department: Some("办公室".into()), ..Scope::default() },
    );
    // Problem 1: both measures (the first inherits the problem's 办公室, the second lists it);
    // problem 2: only the measure that lists 办公室 (spaces trimmed); problem 3: nothing.
    assert_eq!(seen(&office, 7), owned(&[("1", &["修订学习制度", "开展专题培训"]), ("2", &["完善报销流程"])]));
    let hr = Grant::new(
        Role::Department,
        Scope { inspection_ids: ids(&[7]), department: Some("人事科".into()), ..Scope::default() },
    );
    assert_eq!(seen(&hr, 7), owned(&[("1", &["开展专题培训"])]));
    let no_department = Grant::new(Role::Department, Scope { inspection_ids: ids(&[7]), ..Scope::default() });
    assert_eq!(seen(&no_department, 7), Some(vec![]));
}

#[test]
fn leader_sees_only_assigned_problems() {
    let wang = Grant::new(
        Role::LeaderInCharge,
        Scope { inspection_ids: ids(&[7]), leader: Some("王五".into()), ..Scope::default() },
    );
    // Problem 1 is Wang's with both measures; in problem 2 (Zhao's) one measure names Wang.
    assert_eq!(seen(&wang, 7), owned(&[("1", &["修订学习制度", "开展专题培训"]), ("2", &["完善报销流程"])]));
    let zhao = Grant::new(
        Role::LeaderInCharge,
        Scope { inspection_ids: ids(&[7]), leader: Some("赵六".into()), ..Scope::default() },
    );
    assert_eq!(seen(&zhao, 7), owned(&[("2", &["清理往来款项", "完善报销流程"]), ("3", &["建立用车台账"])]));
    let nobody = Grant::new(
        Role::LeaderInCharge,
        Scope { inspection_ids: ids(&[7]), leader: Some("".into()), ..Scope::default() },
    );
    assert_eq!(seen(&nobody, 7), Some(vec![]));
}

#[test]
fn inspection_office_and_discipline_see_all_and_admins_nothing() {
    for role in [Role::InspectionOffice, Role::DisciplineInspection] {
        let grant = Grant::new(role, Scope::default());
        assert_eq!(seen(&grant, 1).unwrap().len(), 3, "{role:?}");
        assert_eq!(seen(&grant, 12345).unwrap().len(), 3, "{role:?}");
        let limited = Grant::new(role, Scope { inspection_ids: ids(&[1, 2]), ..Scope::default() });
        assert!(seen(&limited, 2).is_some());
        assert!(seen(&limited, 3).is_none());
    }
    for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
        assert_eq!(seen(&Grant::new(role, Scope::default()), 7), None, "{role:?}");
        let pointed = Grant::new(role, Scope { inspection_ids: ids(&[7]), ..Scope::default() });
        assert_eq!(seen(&pointed, 7), None, "{role:?}");
    }
}

#[test]
fn several_grants_combine() {
    let l = ledger();
    let problem = &l.aspects[0].problems[1];
    let measure = &problem.measures[0];
    let unit = InspectionRef { id: 7, unit: l.unit.as_deref() };
    let hr = Grant::new(
        Role::Department,
        Scope { inspection_ids: ids(&[7]), department: Some("人事科".into()), ..Scope::default() },
    );
    let finance = Grant::new(
        Role::Department,
        Scope { inspection_ids: ids(&[7]), department: Some("财务科".into()), ..Scope::default() },
    );
    assert!(!any_sees_measure(std::slice::from_ref(&hr), unit, problem, measure));
    assert!(any_sees_measure(&[hr.clone(), finance], unit, problem, measure));
    assert!(any_sees_inspection(&[hr], unit));
    assert!(!any_sees_inspection(&[], unit));
}

#[test]
fn grants_round_trip_through_json() {
    let grant: Grant =
        serde_json::from_str(r#"{"role":"department","scope":{"inspection_ids":[3],"department":"办公室"}}"#).unwrap();
    assert_eq!(grant.role, Role::Department);
    assert_eq!(grant.scope.department.as_deref(), Some("办公室"));
    let back: Grant = serde_json::from_str(&serde_json::to_string(&grant).unwrap()).unwrap();
    assert_eq!(back, grant);
}

/// Outcomes point at problems by position: a partial view must not carry them (they would point
/// at the wrong problems), a full view keeps them.
#[test]
fn outcomes_stay_only_in_a_full_view() {
    let mut full = ledger();
    full.outcomes.rules.push(rectify_domain::Rule {
        title: rectify_domain::DocumentTitle::new("《公务用车管理办法》").unwrap(),
        action: rectify_domain::RuleAction::Made,
        date: None,
        measure: Some(rectify_domain::MeasureRef { aspect: 1, problem: 0, measure: 0 }),
    });
    let unit = Grant::new(Role::UnitLiaison, Scope { inspection_ids: ids(&[7]), ..Scope::default() });
    let whole = unit.visible_ledger(7, &full).unwrap();
    assert_eq!(whole, full, "nothing filtered, nothing dropped");
    let department = Grant::new(
        Role::Department,
        Scope { inspection_ids: ids(&[7]), department: Some("财务科".into()), ..Scope::default() },
    );
    let part = department.visible_ledger(7, &full).unwrap();
    assert_eq!(part.problems().count(), 1);
    assert!(part.outcomes.rules.is_empty(), "the rule points at a problem the department does not see");
    part.check().expect("what a partial view shows is a valid ledger");
    // Several grants see their union.
    let both = rectify_auth::scope::visible_ledger(&[department, unit], 7, &full).unwrap();
    assert_eq!(both, full);
}

/// `sees_everything` lets the server skip reading a record to check its scope: it must hold
/// only for grants that see every problem and measure of any inspection, and never for a
/// limited or unit-side grant.
#[test]
fn sees_everything_only_when_every_record_is_seen() {
    let l = ledger();
    let scopes = [
        Scope::default(),
        Scope { inspection_ids: ids(&[7]), ..Scope::default() },
        Scope { unit: Some("某某局党组".into()), ..Scope::default() },
        Scope { inspection_ids: ids(&[7]), department: Some("办公室".into()), ..Scope::default() },
        Scope { unit: Some("某某局党组".into()), leader: Some("王五".into()), ..Scope::default() },
    ];
    let roles = [
        Role::InspectionOffice,
        Role::DisciplineInspection,
        Role::UnitLiaison,
        Role::Department,
        Role::LeaderInCharge,
        Role::LeadingGroup,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];
    let mut everything = 0;
    for role in roles {
        for scope in &scopes {
            let grant = Grant::new(role, scope.clone());
            if !grant.sees_everything() {
                continue;
            }
            everything += 1;
            for (id, unit) in [(7, l.unit.as_deref()), (8, Some("另一单位")), (9, None)] {
                let inspection = InspectionRef { id, unit };
                assert!(grant.sees_inspection(inspection), "{role:?} {scope:?}");
                for problem in l.aspects.iter().flat_map(|a| &a.problems) {
                    assert!(grant.sees_problem(inspection, problem), "{role:?} {scope:?}");
                    for measure in &problem.measures {
                        assert!(grant.sees_measure(inspection, problem, measure), "{role:?} {scope:?}");
                    }
                }
            }
        }
    }
    // Exactly the office and discipline inspection without limits.
    assert_eq!(everything, 2);
}
