//! The workflow on the ledger: closure steps, users and sessions, supervision, look-back,
//! evidence and the audit trail. Every test runs on SQLite and, when configured, on PostgreSQL.

#![recursion_limit = "512"]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rectify_domain::roles::{Role, RoleConflict};
use rectify_domain::supervision::{Light, LightPolicy};
use rectify_domain::workflow::{Action, MeasureState, ReviewStage, WorkflowError};
use rectify_domain::{Evidence, Ledger, NonEmptyText, PartialDate, ProgressEntry, Responsibility, Status};
use rectify_storage::*;
use serde_json::json;
use sqlx::AssertSqlSafe;

mod common;

use common::{TestDb, backends};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-07-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

/// A person per role, known by name (no account: separation of duties tells them apart by it).
fn acting(role: Role) -> Acting {
    Acting { user_id: None, user_name: format!("{}甲", role.label_zh()), role, address: Some("192.0.2.7".into()) }
}

fn dept() -> Acting {
    acting(Role::Department)
}
fn leader() -> Acting {
    acting(Role::LeaderInCharge)
}
fn group() -> Acting {
    acting(Role::LeadingGroup)
}
fn office() -> Acting {
    acting(Role::InspectionOffice)
}

/// An account named `username` with `roles`, its password already set.
fn account(username: &str, display_name: &str, roles: Vec<RoleGrant>) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: display_name.into(),
        password_phc: "x".into(),
        must_change_password: false,
        roles,
    }
}

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn evidence(n: u8) -> Evidence {
    Evidence {
        title: NonEmptyText::new("整改会议纪要").unwrap(),
        kind: Some("会议纪要".into()),
        date: None,
        media_type: Some("application/pdf".into()),
        size_bytes: Some(1024),
        sha256: Some(sha(n)),
    }
}

/// Two aspects; problem 0 has three measures in different states, problem 1 one completed
/// measure (so it can be closed), problem 2 is completed with one completed measure.
fn ledger() -> Ledger {
    let doc = json!({
        "title": "关于巡察整改进展情况的通报", "unit": "中共示例县样本局党组", "report_date": "2024-06",
        "inspection": { "inspector": "县委第一巡察组", "start": null, "end": null, "feedback_date": "2023-12" },
        "claimed": { "aspects": 2, "problems": 3, "measures": null, "completed": null, "in_progress": null,
                     "completion_rate_percent": null, "rules_made_or_revised": null,
                     "funds_recovered_wan_yuan": null, "accountability": {} },
        "aspects": [
            { "number": "一", "title": "关于落实主体责任方面", "problems": [
                { "number": "1", "title": "针对学习不深入的问题", "status": "in_progress",
                  "responsibility": { "first_responsible": "赵某", "leader": "钱某", "departments": ["办公室"], "liaison": null },
                  "measures": [
                    { "text": "一是制定学习计划。", "dates": [], "amounts_wan_yuan": [], "documents": [],
                      "deadline": "2024-07-10", "status": null },
                    { "text": "二是开展专题学习。", "dates": [], "amounts_wan_yuan": [], "documents": [],
                      "deadline": "2024-06-15", "status": "extended" },
                    { "text": "三是建立长效机制。", "dates": [], "amounts_wan_yuan": [], "documents": [],
                      "deadline": "2024-12", "status": "long_term" }
                  ] },
                { "number": "2", "title": "针对制度不健全的问题", "status": "in_progress",
                  "measures": [
                    { "text": "修订制度。", "dates": [], "amounts_wan_yuan": [], "documents": [],
                      "deadline": "2024-03", "status": "completed" }
                  ] }
            ] },
            { "number": "二", "title": "关于作风建设方面", "problems": [
                { "number": "1", "title": "针对公车私用的问题", "status": "completed",
                  "measures": [
                    { "text": "清理公车。", "dates": [], "amounts_wan_yuan": [], "documents": [],
                      "deadline": "2024-01", "status": "completed" },
                    { "text": "复核台账。", "dates": [], "amounts_wan_yuan": [], "documents": [],
                      "deadline": "2024-02", "status": "pending_verification" }
                  ] }
            ] }
        ],
        "named_documents": [],
        "contacts": { "phones": [], "emails": [], "addresses": [], "postcodes": [] }
    });
    Ledger::from_json(&doc.to_string()).unwrap()
}

struct Fixture {
    inspection: InspectionId,
    problems: Vec<ProblemRecord>,
    measures: Vec<MeasureRecord>,
}

async fn import(store: &Store) -> Fixture {
    let inspection = store.import_ledger(&ledger()).await.unwrap();
    let problems = store.list_problems(inspection).await.unwrap();
    let measures = store.list_measures(inspection, None).await.unwrap();
    assert_eq!((problems.len(), measures.len()), (3, 6));
    Fixture { inspection, problems, measures }
}

/// A progress entry of 2024-06-01 without evidence.
fn progress(text: impl Into<String>) -> ProgressEntry {
    ProgressEntry {
        date: PartialDate::day(2024, 6, 1).unwrap(),
        text: NonEmptyText::new(text.into()).unwrap(),
        evidence: vec![],
    }
}

/// Two stores on one SQLite file, as two processes would open it.
async fn two_stores_on_one_file() -> (tempfile::TempDir, Store, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("shared.db").display());
    let (a, b) = (Store::connect(&url).await.unwrap(), Store::connect(&url).await.unwrap());
    (dir, a, b)
}

async fn status_of(store: &Store, measure: MeasureId) -> Option<Status> {
    store.get_measure(measure).await.unwrap().unwrap().measure.status
}

async fn drop_audit_triggers(store: &Store) {
    let sql = match store.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log;",
    };
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(store.pool()).await.unwrap();
}

#[tokio::test]
async fn imported_statuses_enter_the_workflow_where_they_stand() {
    for db in backends().await {
        let f = import(&db.store).await;
        let mut states = Vec::new();
        for m in &f.measures {
            let view = db.store.measure_workflow(m.id).await.unwrap().unwrap();
            assert_eq!(view.version, 0);
            assert_eq!(Some(view.status), m.measure.status.or(Some(Status::NotStarted)));
            states.push(view.state);
        }
        assert_eq!(
            states,
            [
                MeasureState::NotStarted,
                MeasureState::InProgress,
                MeasureState::LongTerm { stages_closed: 0 },
                MeasureState::Closed,
                MeasureState::Closed,
                MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader },
            ]
        );
        assert_eq!(db.store.measure_workflow(999_999).await.unwrap(), None);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_measure_walks_to_closure_and_the_ledger_follows() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[0].id;
        let before = store.statistics(f.inspection).await.unwrap().measures_completed;
        assert_eq!(before, 2);

        let v = store.apply_measure_action(m, &dept(), Action::Start, 0, now()).await.unwrap();
        assert_eq!((v.state, v.status, v.version), (MeasureState::InProgress, Status::InProgress, 1));
        assert_eq!(status_of(store, m).await, Some(Status::InProgress));

        // No evidence yet: the claim is refused, and the refusal is on the record.
        let err = store.apply_measure_action(m, &dept(), Action::Claim, 1, now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Refused(WorkflowError::NoEvidence)), "{err}");
        let refused = store
            .list_audit(
                &AuditFilter { action: Some("measure.claim".into()), ..AuditFilter::default() },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(refused.len(), 1);
        assert!(refused[0].result.starts_with("refused"), "{}", refused[0].result);

        let v = store.attach_evidence(m, &evidence(1), &dept(), now()).await.unwrap();
        assert_eq!((v.evidence, v.version), (1, 2));
        let steps = [
            (dept(), Action::Claim, MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader }),
            (
                leader(),
                Action::Approve { comment: None },
                MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup },
            ),
            (
                group(),
                Action::Approve { comment: None },
                MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier },
            ),
            (office(), Action::Approve { comment: None }, MeasureState::Closed),
        ];
        let mut version = 2;
        for (who, action, expect) in steps {
            let v = store.apply_measure_action(m, &who, action, version, now()).await.unwrap();
            assert_eq!(v.state, expect);
            assert_eq!(status_of(store, m).await, Some(expect.status()));
            version = v.version;
        }
        assert_eq!(version, 6);
        let stats = store.statistics(f.inspection).await.unwrap();
        assert_eq!(stats.measures_completed, 3);
        let ledger = store.export_ledger(f.inspection).await.unwrap();
        assert_eq!(ledger.aspects[0].problems[0].measures[0].status, Some(Status::Completed));

        // A role outside the workflow is refused outright.
        let err = store
            .apply_measure_action(f.measures[1].id, &acting(Role::SystemAdmin), Action::Claim, 0, now())
            .await
            .unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Forbidden(_)), "{err}");
        // The import, the steps to closure and the refused attempt.
        assert_eq!(store.verify_audit().await.unwrap().entries, 9);
        db.finish().await;
    }
}

/// Issue 13, finding 1: one person acting under each of their roles records evidence and claims,
/// and then approves nothing; refusals are typed, audited, and change nothing.
#[tokio::test]
async fn one_person_cannot_approve_their_own_work_under_another_role() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[0].id;
        let me = |role| Acting { user_id: Some(7), user_name: "一人".into(), role, address: None };
        let person = |id| rectify_domain::workflow::Person(id);
        store.apply_measure_action(m, &me(Role::Department), Action::Start, 0, now()).await.unwrap();
        let v = store.attach_evidence(m, &evidence(1), &me(Role::Department), now()).await.unwrap();
        assert_eq!(v.hands.reporters, [person(7)]);
        let v = store.apply_measure_action(m, &me(Role::Department), Action::Claim, v.version, now()).await.unwrap();
        for role in [Role::LeaderInCharge, Role::LeadingGroup, Role::InspectionOffice] {
            let err = store
                .apply_measure_action(m, &me(role), Action::Approve { comment: None }, v.version, now())
                .await
                .unwrap_err();
            let WorkflowStoreError::Refused(refused) = err else { panic!("{err}") };
            if role == Role::LeaderInCharge {
                assert_eq!(refused.message_zh(), "该销号申请由您提出，不能由本人审核，须由其他人员办理");
            } else {
                assert!(matches!(refused, WorkflowError::NotYourStep { .. }), "{refused}");
            }
        }
        // Someone who only reported evidence may not approve either.
        let reporter = Acting { user_id: Some(8), ..acting(Role::UnitLiaison) };
        let v2 = store.attach_evidence(m, &evidence(2), &reporter, now()).await.unwrap();
        let as_leader = Acting { role: Role::LeaderInCharge, ..reporter.clone() };
        let err = store
            .apply_measure_action(m, &as_leader, Action::Approve { comment: None }, v2.version, now())
            .await
            .unwrap_err();
        assert!(
            matches!(err, WorkflowStoreError::Refused(WorkflowError::OwnWork { .. })),
            "a reporter approving: {err}"
        );
        let after = store.measure_workflow(m).await.unwrap().unwrap();
        assert_eq!(after.state, MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader });
        assert_eq!(after.version, v2.version, "refusals change nothing");
        let refused = store
            .list_audit(
                &AuditFilter { action: Some("measure.approve".into()), ..AuditFilter::default() },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(refused.len(), 4);
        assert!(refused.iter().all(|e| e.result.starts_with("refused")));
        // Another person approves; the next stage needs a third.
        let v = store
            .apply_measure_action(m, &leader(), Action::Approve { comment: None }, v2.version, now())
            .await
            .unwrap();
        let err = store
            .apply_measure_action(
                m,
                &Acting { role: Role::LeadingGroup, ..leader() },
                Action::Approve { comment: None },
                v.version,
                now(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Refused(WorkflowError::OwnWork { .. })), "{err}");
        let v =
            store.apply_measure_action(m, &group(), Action::Approve { comment: None }, v.version, now()).await.unwrap();
        let v = store
            .apply_measure_action(m, &office(), Action::Approve { comment: None }, v.version, now())
            .await
            .unwrap();
        assert_eq!(v.state, MeasureState::Closed);
        // Actors without an account are told apart by name: one name is one person.
        let named = |role| Acting { user_id: None, user_name: "某甲".into(), role, address: None };
        let m = f.measures[1].id;
        assert_eq!(store.measure_workflow(m).await.unwrap().unwrap().state, MeasureState::InProgress);
        let v = store.attach_evidence(m, &evidence(3), &named(Role::Department), now()).await.unwrap();
        let v = store.apply_measure_action(m, &named(Role::Department), Action::Claim, v.version, now()).await.unwrap();
        let err = store
            .apply_measure_action(m, &named(Role::LeaderInCharge), Action::Approve { comment: None }, v.version, now())
            .await;
        assert!(matches!(err, Err(WorkflowStoreError::Refused(WorkflowError::OwnWork { .. }))), "{err:?}");
        let other = Acting { user_name: "某乙".into(), ..named(Role::LeaderInCharge) };
        store.apply_measure_action(m, &other, Action::Approve { comment: None }, v.version, now()).await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_not_a_lost_update() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[0].id;
        store.apply_measure_action(m, &dept(), Action::Start, 0, now()).await.unwrap();
        let err = store.apply_measure_action(m, &dept(), Action::MarkBasicallyCompleted, 0, now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Conflict { current_version: 1 }), "{err}");
        assert_eq!(store.measure_workflow(m).await.unwrap().unwrap().state, MeasureState::InProgress);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_writers_with_the_same_version_one_conflict() {
    for db in backends().await {
        let f = import(&db.store).await;
        for round in 0..5 {
            let m = f.measures[0].id;
            let version = db.store.measure_workflow(m).await.unwrap().unwrap().version;
            let entry = ProgressEntry {
                date: PartialDate::day(2024, 6, 1).unwrap(),
                text: NonEmptyText::new(format!("第{round}次推进")).unwrap(),
                evidence: vec![],
            };
            let (a, b) = (db.store.clone(), db.store.clone());
            let (ea, eb) = (entry.clone(), entry);
            let ta = tokio::spawn(async move { a.add_progress(m, &dept(), &ea, version, now()).await });
            let tb = tokio::spawn(async move { b.add_progress(m, &dept(), &eb, version, now()).await });
            let results = [ta.await.unwrap(), tb.await.unwrap()];
            let ok = results.iter().filter(|r| r.is_ok()).count();
            let conflicts = results.iter().filter(|r| matches!(r, Err(WorkflowStoreError::Conflict { .. }))).count();
            assert_eq!((ok, conflicts), (1, 1), "{results:?}");
        }
        let record = db.store.get_measure(f.measures[0].id).await.unwrap().unwrap();
        assert_eq!(record.measure.progress.len(), 5);
        assert_eq!(db.store.measure_workflow(f.measures[0].id).await.unwrap().unwrap().version, 5);
        db.store.verify_audit().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn extensions_are_requested_and_approved_and_show_as_extended() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[0].id;
        store.apply_measure_action(m, &dept(), Action::Start, 0, now()).await.unwrap();
        let request = Action::RequestExtension {
            new_deadline: PartialDate::day(2024, 9, 30).unwrap(),
            reason: "资金未到位".into(),
        };
        let v = store.apply_measure_action(m, &dept(), request, 1, now()).await.unwrap();
        assert_eq!(v.deadline, PartialDate::day(2024, 7, 10).ok(), "the deadline waits for approval");
        assert!(v.pending_extension.is_some());
        let err = store
            .apply_measure_action(m, &dept(), Action::ApproveExtension { comment: None }, 2, now())
            .await
            .unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Refused(WorkflowError::NotYourStep { .. })), "{err}");
        let v = store
            .apply_measure_action(m, &office(), Action::ApproveExtension { comment: None }, 2, now())
            .await
            .unwrap();
        assert_eq!((v.status, v.pending_extension.clone()), (Status::Extended, None));
        let record = store.get_measure(m).await.unwrap().unwrap();
        assert_eq!(record.measure.deadline, PartialDate::day(2024, 9, 30).ok());
        assert_eq!(record.measure.status, Some(Status::Extended));
        db.finish().await;
    }
}

#[tokio::test]
async fn progress_is_appended_with_evidence_and_refused_on_closed_measures() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[1].id;
        let entry = ProgressEntry {
            date: PartialDate::day(2024, 6, 20).unwrap(),
            text: NonEmptyText::new("召开专题学习会").unwrap(),
            evidence: vec![evidence(2), evidence(3)],
        };
        let v = store.add_progress(m, &dept(), &entry, 0, now()).await.unwrap();
        assert_eq!((v.version, v.evidence), (1, 2));
        let v = store.add_progress(m, &acting(Role::UnitLiaison), &entry, 1, now()).await.unwrap();
        assert_eq!((v.version, v.evidence), (2, 4));
        let record = store.get_measure(m).await.unwrap().unwrap();
        assert_eq!(record.measure.progress, vec![entry.clone(), entry.clone()]);
        assert_eq!(store.evidence_measure(&sha(2)).await.unwrap(), [m]);
        assert_eq!(store.evidence_measure(&sha(2).to_uppercase()).await.unwrap(), [m]);
        assert!(store.evidence_measure(&sha(9)).await.unwrap().is_empty());

        let err = store.add_progress(m, &leader(), &entry, 2, now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Forbidden(_)), "{err}");
        let closed = f.measures[3].id;
        let err = store.add_progress(closed, &dept(), &entry, 0, now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::NotNow(_)), "{err}");
        let mut no_file = evidence(4);
        no_file.sha256 = Some("../../etc/passwd".into());
        let err = store.attach_evidence(m, &no_file, &dept(), now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Invalid(_)), "{err}");
        db.finish().await;
    }
}

/// A retired (作废) measure is kept as it was: the write itself refuses progress, evidence and
/// every step, whoever asks, and the measure is left untouched.
#[tokio::test]
async fn a_retired_measure_takes_no_more_work() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[1].id;
        store
            .retire_item(ItemKind::Measure, m, f.measures[1].version, "与上一项重复", &acting(Role::UnitLiaison), now())
            .await
            .unwrap();
        let before = store.measure_workflow(m).await.unwrap().unwrap();
        let retired =
            |err: WorkflowStoreError| matches!(err, WorkflowStoreError::NotNow(NotNow::Retired { id, .. }) if id == m);
        let err = store.add_progress(m, &dept(), &progress("继续推进"), before.version, now()).await.unwrap_err();
        assert!(retired(err));
        let err = store.attach_evidence(m, &evidence(5), &dept(), now()).await.unwrap_err();
        assert!(retired(err));
        let err = store.apply_measure_action(m, &dept(), Action::Start, before.version, now()).await.unwrap_err();
        assert!(retired(err));
        assert_eq!(store.measure_workflow(m).await.unwrap().unwrap(), before, "nothing was written");
        assert!(store.get_measure(m).await.unwrap().unwrap().measure.progress.is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn problems_close_only_when_every_measure_is_closed_and_reopen_on_relapse() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let open_problem = f.problems[0].id;
        let ready = f.problems[1].id;
        let err = store.close_problem(ready, &group(), now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Forbidden(_)), "{err}");
        let err = store.close_problem(open_problem, &office(), now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::NotNow(NotNow::MeasuresOpen { open: 3, total: 3, .. })), "{err}");
        assert_eq!(
            err.to_string(),
            format!("not possible now: 3 of the 3 measures of problem {open_problem} are not closed yet")
        );
        store.close_problem(ready, &office(), now()).await.unwrap();
        assert_eq!(store.get_problem(ready).await.unwrap().unwrap().problem.status, Status::Completed);
        assert_eq!(store.statistics(f.inspection).await.unwrap().problems.completed, 2);
        let err = store.close_problem(ready, &office(), now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::NotNow(_)), "{err}");

        let reopened = store.reopen_problem(ready, &office(), "回头看发现问题反弹", now()).await.unwrap();
        assert_eq!(reopened, 1);
        assert_eq!(store.get_problem(ready).await.unwrap().unwrap().problem.status, Status::InProgress);
        let m = f.measures[3].id;
        let v = store.measure_workflow(m).await.unwrap().unwrap();
        assert_eq!((v.state, v.status, v.version), (MeasureState::InProgress, Status::InProgress, 1));
        let trail = store
            .list_audit(&AuditFilter { target_id: Some(m.to_string()), ..AuditFilter::default() }, Page::default())
            .await
            .unwrap();
        assert_eq!(trail[0].action, "measure.reopen");
        assert!(trail[0].before_json.as_deref().unwrap().contains("closed"));
        let err = store.reopen_problem(ready, &office(), "again", now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::NotNow(_)), "{err}");
        db.finish().await;
    }
}

#[tokio::test]
async fn users_roles_passwords_and_totp() {
    for db in backends().await {
        let store = &db.store;
        let admin = acting(Role::SecurityAdmin);
        let new = NewUser {
            username: "liu".into(),
            display_name: "刘某".into(),
            password_phc: "$argon2id$v=19$m=19456,t=2,p=1$a$b".into(),
            must_change_password: true,
            roles: vec![
                RoleGrant::everywhere(Role::LeaderInCharge),
                RoleGrant {
                    role: Role::LeaderInCharge,
                    inspection_id: None,
                    department: Some("办公室".into()),
                    leader_name: Some("钱某".into()),
                },
            ],
        };
        let id = store.create_user(&new, &admin, now()).await.unwrap();
        // Records that kept only a login read the person's name in one look-up; a login of no
        // account is left out (the caller shows the stored name).
        let logins = ["liu".to_owned(), "gone".to_owned(), "liu".to_owned()];
        let names = store.display_names_by_login(&logins).await.unwrap();
        assert_eq!(names.into_iter().collect::<Vec<_>>(), [("liu".to_owned(), "刘某".to_owned())]);
        let err = store.create_user(&new, &admin, now()).await.unwrap_err();
        assert!(matches!(err, AccountError::DuplicateUsername(ref u) if u == "liu"), "{err}");
        let bad = NewUser {
            username: "root".into(),
            roles: vec![RoleGrant::everywhere(Role::SystemAdmin), RoleGrant::everywhere(Role::AuditAdmin)],
            ..new.clone()
        };
        assert!(matches!(store.create_user(&bad, &admin, now()).await, Err(AccountError::Roles(_))));
        assert!(store.find_user_by_username("root").await.unwrap().is_none());
        // Two stages of the closure chain in one account (separation of duties).
        let both = NewUser {
            username: "both".into(),
            roles: vec![RoleGrant::everywhere(Role::Department), RoleGrant::everywhere(Role::LeaderInCharge)],
            ..new.clone()
        };
        assert!(matches!(
            store.create_user(&both, &admin, now()).await,
            Err(AccountError::Roles(RoleConflict::TwoClosureStages(..)))
        ));
        assert!(store.find_user_by_username("both").await.unwrap().is_none());

        let user = store.find_user_by_username("liu").await.unwrap().unwrap();
        assert_eq!((user.id, user.display_name.as_str(), user.must_change_password), (id, "刘某", true));
        assert_eq!(user.roles, new.roles);
        assert_eq!(store.get_user(id).await.unwrap().unwrap(), user);

        for i in 1..=4 {
            store.set_password(id, &format!("phc-{i}"), false, 2, &admin, now()).await.unwrap();
        }
        let user = store.get_user(id).await.unwrap().unwrap();
        assert_eq!((user.password_phc.as_str(), user.must_change_password), ("phc-4", false));
        assert_eq!(store.password_history(id).await.unwrap(), ["phc-3", "phc-2"]);

        let mixed = [RoleGrant::everywhere(Role::AuditAdmin), RoleGrant::everywhere(Role::Department)];
        assert!(matches!(store.set_roles(id, &mixed, &admin, now()).await, Err(AccountError::Roles(_))));
        store.set_roles(id, &[RoleGrant::everywhere(Role::UnitLiaison)], &admin, now()).await.unwrap();
        assert_eq!(store.get_user(id).await.unwrap().unwrap().roles(), [Role::UnitLiaison]);

        let lock = now() + TimeDelta::minutes(15);
        store.update_login_status(id, LoginStatus { failed_attempts: 5, locked_until: Some(lock) }).await.unwrap();
        let user = store.get_user(id).await.unwrap().unwrap();
        assert_eq!(user.failed_attempts, 5);
        assert_eq!(user.locked_until.as_deref(), Some("2024-07-01T09:15:00.000000Z"));
        assert!(store.update_login_status(999, LoginStatus { failed_attempts: 0, locked_until: None }).await.is_err());

        store.set_totp(id, Some("JBSWY3DPEHPK3PXP"), &admin, now()).await.unwrap();
        assert!(store.use_totp_step(id, 100).await.unwrap());
        assert!(!store.use_totp_step(id, 100).await.unwrap(), "a replayed code is refused");
        assert!(!store.use_totp_step(id, 99).await.unwrap());
        assert!(store.use_totp_step(id, 101).await.unwrap());
        let user = store.get_user(id).await.unwrap().unwrap();
        assert_eq!(store.open_totp_secret(&user).unwrap().as_deref(), Some("JBSWY3DPEHPK3PXP"));

        store.set_disabled(id, true, &admin, now()).await.unwrap();
        assert!(store.get_user(id).await.unwrap().unwrap().disabled);
        assert_eq!(store.list_users().await.unwrap().len(), 1);

        // Role changes are on the record, before and after; password hashes are not.
        let changes = store
            .list_audit(
                &AuditFilter { action: Some("user.set_roles".into()), ..AuditFilter::default() },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(changes.len(), 1);
        assert!(changes[0].before_json.as_deref().unwrap().contains("leader_in_charge"));
        assert!(changes[0].after_json.as_deref().unwrap().contains("unit_liaison"));
        let csv = store.export_audit_csv(&AuditFilter::default(), &acting(Role::AuditAdmin), now()).await.unwrap();
        assert!(!csv.contains("phc-"), "password hashes leaked into the audit trail");
        db.finish().await;
    }
}

#[tokio::test]
async fn sessions_are_created_found_touched_and_ended() {
    for db in backends().await {
        let store = &db.store;
        let new = account("wang", "王某", vec![RoleGrant::everywhere(Role::Department)]);
        let id = store.create_user(&new, &acting(Role::SystemAdmin), now()).await.unwrap();
        let s1 = Session::new("hash-1", id, "csrf-1", Some("198.51.100.1".into()), now());
        let s2 = Session::new("hash-2", id, "csrf-2", None, now() - TimeDelta::hours(30));
        store.create_session(&s1).await.unwrap();
        store.create_session(&s2).await.unwrap();
        assert!(store.create_session(&s1).await.is_err(), "a token hash is unique");
        assert_eq!(store.find_session("hash-1").await.unwrap(), Some(s1.clone()));
        // The session joined with its account: the same session, the same account with its roles.
        let (session, user) = store.find_session_with_user("hash-1").await.unwrap().unwrap();
        assert_eq!(session, s1);
        assert_eq!(user, store.get_user(id).await.unwrap());
        assert_eq!(user.unwrap().roles, vec![RoleGrant::everywhere(Role::Department)]);
        assert_eq!(store.find_session_with_user("nope").await.unwrap(), None);
        assert!(store.touch_session("hash-1", now() + TimeDelta::minutes(5)).await.unwrap());
        assert_eq!(store.find_session("hash-1").await.unwrap().unwrap().last_seen_at, "2024-07-01T09:05:00.000000Z");
        assert!(!store.touch_session("nope", now()).await.unwrap());
        let removed =
            store.delete_expired_sessions(now() - TimeDelta::hours(1), now() - TimeDelta::hours(24)).await.unwrap();
        assert_eq!(removed, 1);
        assert!(store.find_session("hash-2").await.unwrap().is_none());
        assert!(store.delete_session("hash-1").await.unwrap());
        assert!(!store.delete_session("hash-1").await.unwrap());
        store.create_session(&s1).await.unwrap();
        store.create_session(&Session::new("hash-3", id, "c", None, now())).await.unwrap();
        assert_eq!(store.delete_user_sessions(id).await.unwrap(), 2);
        db.finish().await;
    }
}

/// A session read once may be served from memory, but never past a change: every committed
/// write is seen by the very next lookup (sign-out, a disabled account, new roles, a deleted
/// inspection and the grants on it), and a touch moves the remembered last use.
#[tokio::test]
async fn a_signed_in_session_reflects_every_change_at_the_next_lookup() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let scoped = RoleGrant { inspection_id: Some(f.inspection), ..RoleGrant::everywhere(Role::UnitLiaison) };
        let new = account("li", "李某", vec![scoped.clone()]);
        let admin = acting(Role::SystemAdmin);
        let id = store.create_user(&new, &admin, now()).await.unwrap();
        store.create_session(&Session::new("h", id, "c", None, now())).await.unwrap();
        let found = |h: &'static str| async move { store.find_session_with_user(h).await.unwrap() };
        let user = |h: &'static str| async move { found(h).await.unwrap().1.unwrap() };
        // Read twice (the second may come from memory): the same.
        assert_eq!(found("h").await, found("h").await);
        assert_eq!(user("h").await.roles, vec![scoped]);

        assert!(store.touch_session("h", now() + TimeDelta::minutes(3)).await.unwrap());
        assert_eq!(found("h").await.unwrap().0.last_seen_at, "2024-07-01T09:03:00.000000Z");

        assert!(store.delete_inspection(f.inspection).await.unwrap());
        assert!(user("h").await.roles.is_empty(), "the grant went with its inspection");
        store.create_session(&Session::new("h2", id, "c", None, now())).await.unwrap();
        assert!(found("h2").await.is_some());
        assert!(store.delete_session("h2").await.unwrap());
        assert_eq!(found("h2").await, None, "signed out: gone at once");

        store.set_roles(id, &[RoleGrant::everywhere(Role::InspectionOffice)], &admin, now()).await.unwrap();
        assert_eq!(user("h").await.roles, vec![RoleGrant::everywhere(Role::InspectionOffice)]);
        // Disabling the account ends its sessions.
        store.set_disabled(id, true, &admin, now()).await.unwrap();
        assert_eq!(found("h").await, None);
        db.finish().await;
    }
}

/// A second process on the same SQLite file (a second server, or `rectify user add` beside one)
/// writes behind this one's memory: its commit is seen by the very next lookup, session and
/// problem alike.
#[tokio::test]
async fn another_process_is_seen_at_the_next_lookup() {
    let (_dir, a, b) = two_stores_on_one_file().await;
    let new = account("zhao", "赵某", vec![RoleGrant::everywhere(Role::InspectionOffice)]);
    let id = a.create_user(&new, &acting(Role::SystemAdmin), now()).await.unwrap();
    a.create_session(&Session::new("h", id, "c", None, now())).await.unwrap();
    assert!(a.find_session_with_user("h").await.unwrap().is_some());
    assert!(a.find_session_with_user("h").await.unwrap().is_some());
    assert!(b.delete_session("h").await.unwrap());
    assert_eq!(a.find_session_with_user("h").await.unwrap(), None);

    let f = import(&a).await;
    let problem = f.problems[0].id;
    assert_eq!(a.get_problem(problem).await.unwrap().unwrap().version, 0);
    assert_eq!(a.get_problem(problem).await.unwrap().unwrap().version, 0);
    assert!(b.delete_inspection(f.inspection).await.unwrap());
    assert_eq!(a.get_problem(problem).await.unwrap(), None, "deleted through the other store");
}

#[tokio::test]
async fn reminders_respect_the_interval_and_reach_their_addressees() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let admin = acting(Role::SecurityAdmin);
        let grant =
            |role, inspection| RoleGrant { role, inspection_id: inspection, department: None, leader_name: None };
        let mk = |name: &str, roles| NewUser {
            username: name.into(),
            display_name: name.into(),
            password_phc: "x".into(),
            must_change_password: false,
            roles,
        };
        let in_scope = store
            .create_user(&mk("a", vec![grant(Role::Department, Some(f.inspection))]), &admin, now())
            .await
            .unwrap();
        let other = store.import_ledger(&ledger()).await.unwrap();
        let out_of_scope =
            store.create_user(&mk("b", vec![grant(Role::Department, Some(other))]), &admin, now()).await.unwrap();
        let direct = store.create_user(&mk("c", vec![grant(Role::LeadingGroup, None)]), &admin, now()).await.unwrap();

        let m = f.measures[1].id;
        let day = TimeDelta::days(1);
        let first = store
            .send_reminder(m, ReminderTarget::Role(Role::Department), "请加快整改进度", &office(), day, now())
            .await
            .unwrap();
        let err = store
            .send_reminder(m, ReminderTarget::User(direct), "再次提醒", &office(), day, now() + TimeDelta::hours(23))
            .await
            .unwrap_err();
        assert!(matches!(err, WorkflowStoreError::TooSoon { ref last_at } if last_at.starts_with("2024-07-01T09:00")));
        let second = store
            .send_reminder(m, ReminderTarget::User(direct), "再次提醒", &office(), day, now() + TimeDelta::hours(25))
            .await
            .unwrap();
        let err = store
            .send_reminder(m, ReminderTarget::User(direct), "x", &dept(), day, now() + TimeDelta::days(9))
            .await
            .unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Forbidden(_)), "{err}");

        let ids = |rs: Vec<Reminder>| rs.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(store.list_reminders_for(in_scope).await.unwrap()), [first]);
        assert!(store.list_reminders_for(out_of_scope).await.unwrap().is_empty());
        let got = store.list_reminders_for(direct).await.unwrap();
        assert_eq!(got[0].message, "再次提醒");
        assert_eq!(ids(got), [second]);
        db.finish().await;
    }
}

#[tokio::test]
async fn lights_pick_the_overdue_and_the_nearly_due() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        // On 2024-07-01: measure 0 is due 07-10 (9 days: yellow), measure 1 was due 06-15 (red),
        // measure 2 is long-term, 3 and 4 are completed, 5 (pending verification) was due in February.
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        let flagged = store.overdue_and_at_risk(f.inspection, &LightPolicy::default(), today).await.unwrap();
        let got: Vec<(MeasureId, Light)> = flagged.iter().map(|(m, l)| (m.id, *l)).collect();
        assert_eq!(
            got,
            [(f.measures[5].id, Light::Red), (f.measures[1].id, Light::Red), (f.measures[0].id, Light::Yellow)]
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn hand_overs_keep_old_and_new() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let p = f.problems[0].id;
        let new = Responsibility {
            first_responsible: Some("赵某".into()),
            leader: Some("孙某".into()),
            departments: vec!["人事科".into()],
            liaison: Some("李某".into()),
        };
        let target = ResponsibilityTarget::Problem(p);
        let err = store.reassign_responsibility(target, &new, &dept(), now()).await.unwrap_err();
        assert!(matches!(err, WorkflowStoreError::Forbidden(_)), "{err}");
        store.reassign_responsibility(target, &new, &group(), now()).await.unwrap();
        assert_eq!(store.get_problem(p).await.unwrap().unwrap().problem.responsibility, new);
        let history = store.responsibility_history(target).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].old.leader.as_deref(), Some("钱某"));
        assert_eq!(history[0].old.departments, ["办公室"]);
        assert_eq!(history[0].new, new);

        let m = f.measures[0].id;
        store.reassign_responsibility(ResponsibilityTarget::Measure(m), &new, &office(), now()).await.unwrap();
        assert_eq!(store.get_measure(m).await.unwrap().unwrap().measure.responsibility, new);
        assert_eq!(store.measure_workflow(m).await.unwrap().unwrap().version, 1, "viewers must reload");
        assert!(
            store.responsibility_history(ResponsibilityTarget::Measure(f.measures[1].id)).await.unwrap().is_empty()
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn look_back_draws_reproducibly_and_a_relapse_reopens() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        store.close_problem(f.problems[1].id, &office(), now()).await.unwrap();
        // Closed now: problems 1 and 2.
        let day = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
        let a = store.schedule_lookback(f.inspection, day, 1, "2025-回头看", &office(), now()).await.unwrap();
        let b = store.schedule_lookback(f.inspection, day, 1, "2025-回头看", &office(), now()).await.unwrap();
        assert_eq!(a.items.len(), 1);
        assert_eq!(a.items[0].problem_id, b.items[0].problem_id, "same seed, same closed set, same sample");
        let all = store.schedule_lookback(f.inspection, day, 10, "x", &office(), now()).await.unwrap();
        let mut drawn: Vec<_> = all.items.iter().map(|i| i.problem_id).collect();
        drawn.sort();
        assert_eq!(drawn, [f.problems[1].id, f.problems[2].id]);
        assert!(matches!(
            store.schedule_lookback(f.inspection, day, 1, "s", &dept(), now()).await,
            Err(WorkflowStoreError::Forbidden(_))
        ));
        assert_eq!(store.get_lookback(a.id).await.unwrap().unwrap(), a);

        let consolidated = all.items.iter().find(|i| i.problem_id == f.problems[2].id).unwrap();
        let relapsed = all.items.iter().find(|i| i.problem_id == f.problems[1].id).unwrap();
        store
            .record_lookback_result(consolidated.id, LookbackResult::Consolidated, "成效巩固", &office(), now())
            .await
            .unwrap();
        store
            .record_lookback_result(relapsed.id, LookbackResult::Relapsed, "制度未执行", &office(), now())
            .await
            .unwrap();
        let err = store
            .record_lookback_result(relapsed.id, LookbackResult::Consolidated, "", &office(), now())
            .await
            .unwrap_err();
        assert!(matches!(err, WorkflowStoreError::NotNow(_)), "{err}");
        assert_eq!(store.get_problem(f.problems[1].id).await.unwrap().unwrap().problem.status, Status::InProgress);
        assert_eq!(store.get_problem(f.problems[2].id).await.unwrap().unwrap().problem.status, Status::Completed);
        assert_eq!(status_of(store, f.measures[3].id).await, Some(Status::InProgress));
        let back = store.get_lookback(all.id).await.unwrap().unwrap();
        let results: Vec<_> = back.items.iter().map(|i| (i.problem_id, i.result)).collect();
        assert!(results.contains(&(f.problems[1].id, LookbackResult::Relapsed)));
        assert!(results.contains(&(f.problems[2].id, LookbackResult::Consolidated)));
        store.verify_audit().await.unwrap();
        db.finish().await;
    }
}

/// A database with a few audit entries, the append-only triggers dropped (as an intruder with
/// database access would), and the entries as written.
async fn tamper_target() -> Vec<(TestDb, Vec<AuditEntry>)> {
    let mut out = Vec::new();
    for db in backends().await {
        for i in 0..5 {
            let record =
                AuditRecord::new(&acting(Role::SecurityAdmin), format!("login.ok.{i}"), "user", Some(i), now());
            db.store.record_security_event(&record).await.unwrap();
        }
        assert_eq!(db.store.verify_audit().await.unwrap(), AuditCheck { entries: 5 });
        let mut entries = db.store.list_audit(&AuditFilter::default(), Page::default()).await.unwrap();
        entries.reverse();
        drop_audit_triggers(&db.store).await;
        out.push((db, entries));
    }
    out
}

fn broken_at(result: Result<AuditCheck, AuditVerifyError>) -> (i64, String) {
    match result {
        Err(AuditVerifyError::Broken(b)) => (b.seq, b.reason),
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[tokio::test]
async fn the_audit_trail_is_append_only() {
    for db in backends().await {
        let record = AuditRecord::new(&office(), "login.ok", "user", Some(1), now());
        db.store.record_security_event(&record).await.unwrap();
        for sql in ["UPDATE audit_log SET actor_name = 'x'", "DELETE FROM audit_log"] {
            let err = sqlx::query(sql).execute(db.store.pool()).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        db.store.verify_audit().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn the_database_refuses_an_entry_that_does_not_continue_the_chain() {
    for db in backends().await {
        let record = AuditRecord::new(&office(), "login.ok", "user", Some(1), now());
        db.store.record_security_event(&record).await.unwrap();
        let first: String =
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 1").fetch_one(db.store.pool()).await.unwrap();
        // A second entry numbered 1, one that skips number 2, one that links to another hash.
        for (seq, prev_hash) in [(1_i64, audit::GENESIS_HASH.to_owned()), (3, first.clone()), (2, "0".repeat(64))] {
            let err = sqlx::query(
                "INSERT INTO audit_log (seq, at, actor_name, action, target_kind, result, prev_hash, hash) \
                 VALUES ($1, '2024-07-01T09:00:00Z', '某人', 'login.ok', 'user', 'ok', $2, $3)",
            )
            .bind(seq)
            .bind(prev_hash)
            .bind("f".repeat(64))
            .execute(db.store.pool())
            .await
            .unwrap_err();
            assert!(err.to_string().contains("does not continue the audit chain"), "{seq}: {err}");
        }
        assert_eq!(db.store.verify_audit().await.unwrap().entries, 1);
        db.finish().await;
    }
}

/// Each inspection's version (migration 0007) moves with every kind of change of its rows
/// and only of its rows: the remembered reads of the other units stay valid.
#[tokio::test]
async fn each_inspection_versions_its_own_data() {
    for db in backends().await {
        let store = &db.store;
        let a = import(store).await;
        let b = import(store).await;
        let version = async |id: InspectionId| -> i64 {
            sqlx::query_scalar("SELECT version FROM inspection_versions WHERE inspection_id = $1")
                .bind(id)
                .fetch_one(store.pool())
                .await
                .unwrap()
        };
        let m = a.measures[0].id;
        let mut steps: Vec<(&str, i64, i64)> =
            vec![("import", version(a.inspection).await, version(b.inspection).await)];
        store.add_progress(m, &dept(), &progress("推进"), 0, now()).await.unwrap();
        steps.push(("progress", version(a.inspection).await, version(b.inspection).await));
        store.attach_evidence(m, &evidence(1), &dept(), now()).await.unwrap();
        steps.push(("evidence", version(a.inspection).await, version(b.inspection).await));
        store.apply_measure_action(m, &dept(), Action::Start, 2, now()).await.unwrap();
        steps.push(("step", version(a.inspection).await, version(b.inspection).await));
        let new = Responsibility { leader: Some("孙某".into()), ..Responsibility::default() };
        store
            .reassign_responsibility(ResponsibilityTarget::Problem(a.problems[0].id), &new, &group(), now())
            .await
            .unwrap();
        steps.push(("hand-over", version(a.inspection).await, version(b.inspection).await));
        for pair in steps.windows(2) {
            let ((_, a0, b0), (what, a1, b1)) = (pair[0], pair[1]);
            assert!(a1 > a0, "{what} raises the version of its inspection: {steps:?}");
            assert_eq!(b1, b0, "{what} leaves the other inspection's version: {steps:?}");
        }
        assert!(steps[0].1 > 0, "an import counts as a change");
        db.finish().await;
    }
}

/// Through a snapshot of the versions, a unit's remembered lists come back shared (the very same
/// value while the unit is unchanged) and a changed unit's lists are read again.
#[tokio::test]
async fn a_snapshot_shares_unchanged_units_and_rereads_changed_ones() {
    for db in backends().await {
        let store = &db.store;
        let (a, b) = (import(store).await, import(store).await);
        let before = store.snapshot().await.unwrap();
        let (a_before, b_before) =
            (before.measures(a.inspection).await.unwrap(), before.problems(b.inspection).await.unwrap());
        assert_eq!(*a_before, store.list_measures(a.inspection, None).await.unwrap());
        store.add_progress(a.measures[0].id, &dept(), &progress("推进"), 0, now()).await.unwrap();
        let after = store.snapshot().await.unwrap();
        let a_after = after.measures(a.inspection).await.unwrap();
        assert_eq!(a_after[0].measure.progress.len(), a_before[0].measure.progress.len() + 1);
        assert!(
            std::sync::Arc::ptr_eq(&b_before, &after.problems(b.inspection).await.unwrap()),
            "unit b was not read again"
        );
        assert_eq!(after.workflows(a.inspection).await.unwrap()[&a.measures[0].id].version, 1);
        assert_eq!(after.ledger(b.inspection).await.unwrap().aspects.len(), 2);
        assert!(matches!(after.ledger(9_999).await, Err(StorageError::NotFound(_))));
        // A snapshot of one unit reads the others' versions when asked: still current, still shared.
        let one = store.snapshot_of(a.inspection).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&a_after, &one.measures(a.inspection).await.unwrap()));
        assert!(std::sync::Arc::ptr_eq(&b_before, &one.problems(b.inspection).await.unwrap()));
        db.finish().await;
    }
}

/// The reads of the data-scope checks: a measure's problem with every measure of it, in order,
/// without the history the checks do not need.
#[tokio::test]
async fn a_measure_is_found_in_its_problem_for_the_scope_rules() {
    for db in backends().await {
        let f = import(&db.store).await;
        db.store.add_progress(f.measures[0].id, &dept(), &progress("推进"), 0, now()).await.unwrap();
        for m in &f.measures {
            let (found, index) = db.store.problem_of_measure(m.id).await.unwrap().unwrap();
            assert_eq!(found.unit.as_deref(), Some("中共示例县样本局党组"));
            let problem = &found.record;
            assert_eq!(problem.id, m.problem_id);
            assert_eq!(problem.problem.measures.len(), problem.measure_count as usize);
            let measure = &problem.problem.measures[index];
            assert_eq!((&measure.text, &measure.responsibility), (&m.measure.text, &m.measure.responsibility));
            assert!(measure.progress.is_empty() && measure.evidence.is_empty());
            let again = db.store.problem_with_measures(m.problem_id).await.unwrap().unwrap();
            assert_eq!(again, found);
        }
        assert_eq!(db.store.problem_of_measure(9_999).await.unwrap(), None);
        assert_eq!(db.store.problem_with_measures(9_999).await.unwrap(), None);
        db.finish().await;
    }
}

/// Two processes writing to one SQLite file: each one's memory of the chain's end goes stale
/// with every write of the other, and the chain must stay one.
#[tokio::test]
async fn two_processes_on_one_sqlite_file_keep_one_chain() {
    let (_dir, a, b) = two_stores_on_one_file().await;
    let f = import(&a).await;
    let m = f.measures[0].id;
    for round in 0..6_i64 {
        let store = if round % 2 == 0 { &a } else { &b };
        store.add_progress(m, &dept(), &progress(format!("第{round}次推进")), round, now()).await.unwrap();
        store.record_security_event(&AuditRecord::new(&office(), "login.ok", "user", Some(1), now())).await.unwrap();
    }
    // The import, then two entries per round.
    assert_eq!(a.verify_audit().await.unwrap().entries, 13);
    assert_eq!(b.get_measure(m).await.unwrap().unwrap().measure.progress.len(), 6);
    a.close().await;
    b.close().await;
}

/// A write that stops half-way (here: a stale version, found after the version was raised) is
/// rolled back at once, not when the next write of the same process comes: another process can
/// write at once, and the measure keeps its version.
#[tokio::test]
async fn an_abandoned_write_leaves_nothing_and_blocks_no_one() {
    let (_dir, a, b) = two_stores_on_one_file().await;
    let f = import(&a).await;
    let m = f.measures[0].id;
    let entry = progress("推进");
    let stale = a.add_progress(m, &dept(), &entry, 7, now()).await;
    assert!(matches!(stale, Err(WorkflowStoreError::Conflict { current_version: 0 })), "{stale:?}");
    // Had `a` kept its transaction open, `b` would wait for the write lock and then fail.
    let view = b.add_progress(m, &dept(), &entry, 0, now()).await.unwrap();
    assert_eq!(view.version, 1);
    assert_eq!(a.get_measure(m).await.unwrap().unwrap().measure.progress.len(), 1);
    a.close().await;
    b.close().await;
}

/// Whole-inspection reads are remembered until the data changes: every change, by this store or
/// by another process, must show in the next read.
#[tokio::test]
async fn remembered_reads_follow_every_change() {
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[0].id;
        let (ledger, measures) =
            (store.export_ledger(f.inspection).await.unwrap(), store.list_measures(f.inspection, None).await.unwrap());
        assert_eq!(ledger.aspects[0].problems[0].measures[0].progress.len(), 0);
        store.add_progress(m, &dept(), &progress("推进"), 0, now()).await.unwrap();
        let ledger = store.export_ledger(f.inspection).await.unwrap();
        assert_eq!(ledger.aspects[0].problems[0].measures[0].progress.len(), 1);
        assert_eq!(measures[0].measure.status, None);
        let workflows = store.measure_workflows(f.inspection).await.unwrap();
        assert_eq!(workflows.len(), measures.len());
        assert_eq!((workflows[&m].state, workflows[&m].version), (MeasureState::NotStarted, 1));
        store.apply_measure_action(m, &dept(), Action::Start, 1, now()).await.unwrap();
        let changed = store.list_measures(f.inspection, None).await.unwrap();
        assert_eq!(changed[0].measure.status, Some(Status::InProgress));
        let workflows = store.measure_workflows(f.inspection).await.unwrap();
        assert_eq!((workflows[&m].state, workflows[&m].version), (MeasureState::InProgress, 2));
        for record in &measures {
            assert_eq!(Some(&workflows[&record.id]), store.measure_workflow(record.id).await.unwrap().as_ref());
        }
        let second = store.import_ledger(&ledger).await.unwrap();
        let listed: Vec<_> = store.list_inspections().await.unwrap().iter().map(|s| s.id).collect();
        assert_eq!(listed, vec![f.inspection, second]);
        assert!(store.delete_inspection(second).await.unwrap());
        assert_eq!(store.list_inspections().await.unwrap().len(), 1);
        assert!(matches!(store.export_ledger(second).await, Err(StorageError::NotFound(_))));
        db.finish().await;
    }

    // Another process writing to the same SQLite file.
    let (_dir, a, b) = two_stores_on_one_file().await;
    let f = import(&a).await;
    let m = f.measures[0].id;
    assert_eq!(a.list_measures(f.inspection, None).await.unwrap()[0].measure.progress.len(), 0);
    b.add_progress(m, &dept(), &progress("另一进程的推进"), 0, now()).await.unwrap();
    assert_eq!(a.list_measures(f.inspection, None).await.unwrap()[0].measure.progress.len(), 1);
    assert_eq!(a.export_ledger(f.inspection).await.unwrap().aspects[0].problems[0].measures[0].progress.len(), 1);
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn an_edited_entry_is_detected() {
    for (db, _) in tamper_target().await {
        sqlx::query("UPDATE audit_log SET actor_name = $1 WHERE seq = 3")
            .bind("别人")
            .execute(db.store.pool())
            .await
            .unwrap();
        let (seq, reason) = broken_at(db.store.verify_audit().await);
        assert_eq!(seq, 3);
        assert!(reason.contains("altered"), "{reason}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_deleted_entry_is_detected() {
    for (db, _) in tamper_target().await {
        sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(db.store.pool()).await.unwrap();
        let (seq, reason) = broken_at(db.store.verify_audit().await);
        assert_eq!(seq, 2);
        assert!(reason.contains("missing"), "{reason}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_removed_tail_is_detected() {
    for (db, _) in tamper_target().await {
        sqlx::query("DELETE FROM audit_log WHERE seq >= 4").execute(db.store.pool()).await.unwrap();
        let (_, reason) = broken_at(db.store.verify_audit().await);
        assert!(reason.contains("recorded end is entry 5"), "{reason}");
        db.finish().await;
    }
}

#[tokio::test]
async fn renumbered_entries_are_detected() {
    for (db, _) in tamper_target().await {
        // Close the gap left by a deletion: the numbers run on, the chain does not.
        let pool = db.store.pool();
        sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(pool).await.unwrap();
        for seq in 3..=5_i64 {
            sqlx::query("UPDATE audit_log SET seq = $1 WHERE seq = $2")
                .bind(seq - 1)
                .bind(seq)
                .execute(pool)
                .await
                .unwrap();
        }
        let (seq, reason) = broken_at(db.store.verify_audit().await);
        assert_eq!(seq, 2);
        assert!(reason.contains("chain link"), "{reason}");
        db.finish().await;
    }
}

#[tokio::test]
async fn swapped_entries_are_detected() {
    for (db, entries) in tamper_target().await {
        let (second, third) = (&entries[1], &entries[2]);
        for (seq, e) in [(2_i64, third), (3, second)] {
            sqlx::query(
                "UPDATE audit_log SET at = $1, actor_user_id = $2, actor_name = $3, address = $4, action = $5, \
                 target_kind = $6, target_id = $7, result = $8, before_json = $9, after_json = $10, prev_hash = $11, \
                 hash = $12 WHERE seq = $13",
            )
            .bind(e.at.clone())
            .bind(e.actor_user_id)
            .bind(e.actor_name.clone())
            .bind(e.address.clone())
            .bind(e.action.clone())
            .bind(e.target_kind.clone())
            .bind(e.target_id.clone())
            .bind(e.result.clone())
            .bind(e.before_json.clone())
            .bind(e.after_json.clone())
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone())
            .bind(seq)
            .execute(db.store.pool())
            .await
            .unwrap();
        }
        let (seq, _) = broken_at(db.store.verify_audit().await);
        assert_eq!(seq, 2);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_never_fork_the_chain() {
    for db in backends().await {
        let mut tasks = Vec::new();
        for i in 0..40_i64 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                let record = AuditRecord::new(&acting(Role::AuditAdmin), "login.ok", "user", Some(i), now());
                store.record_security_event(&record).await.unwrap()
            }));
        }
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.unwrap());
        }
        seqs.sort();
        assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
        assert_eq!(db.store.verify_audit().await.unwrap().entries, 40);
        db.finish().await;
    }
}

#[tokio::test]
async fn the_trail_is_listed_filtered_and_exported() {
    for db in backends().await {
        let store = &db.store;
        let mut alice = acting(Role::SecurityAdmin);
        alice.user_id = Some(7);
        alice.user_name = "=HYPERLINK(\"x\")".into();
        for (i, action) in ["login.ok", "login.failed", "login.ok"].into_iter().enumerate() {
            let at = now() + TimeDelta::minutes(i as i64);
            store.record_security_event(&AuditRecord::new(&alice, action, "user", Some(7), at)).await.unwrap();
        }
        store.record_security_event(&AuditRecord::new(&office(), "login.ok", "user", Some(8), now())).await.unwrap();
        let all = store.list_audit(&AuditFilter::default(), Page::default()).await.unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 3, 2, 1]);
        let mine = AuditFilter { actor_user_id: Some(7), action: Some("login.ok".into()), ..AuditFilter::default() };
        assert_eq!(
            store.list_audit(&mine, Page::default()).await.unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(),
            [3, 1]
        );
        let window = AuditFilter {
            from: Some(now() + TimeDelta::minutes(1)),
            until: Some(now() + TimeDelta::minutes(2)),
            ..AuditFilter::default()
        };
        assert_eq!(
            store.list_audit(&window, Page::default()).await.unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(),
            [2]
        );
        let page = store.list_audit(&AuditFilter::default(), Page { offset: 1, limit: 2 }).await.unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2]);

        let csv = store.export_audit_csv(&AuditFilter::default(), &acting(Role::AuditAdmin), now()).await.unwrap();
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert!(lines[0].starts_with("\u{feff}seq,at,actor_user_id,actor_name"));
        assert_eq!(lines.len(), 5);
        assert!(lines[1].starts_with("1,2024-07-01T09:00:00.000000Z,7,\"'=HYPERLINK(\"\"x\"\")\",192.0.2.7,login.ok"));
        // The export is itself on the record.
        let last = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 1 }).await.unwrap();
        assert_eq!(last[0].action, "audit.export");
        assert_eq!(store.verify_audit().await.unwrap().entries, 5);
        db.finish().await;
    }
}

mod files {
    use std::io::Write;

    use rectify_storage::files::{EvidenceStore, FileError, sniff};

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buf);
        for name in names {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(b"<xml/>").unwrap();
        }
        zip.finish().unwrap();
        buf.into_inner()
    }

    #[test]
    fn the_content_decides_the_type_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a..."), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        let docx = zip_with(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(sniff(&docx), Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
        let xlsx = zip_with(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(sniff(&xlsx), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert_eq!(sniff(&zip_with(&["payload.exe"])), None, "a zip is not a document");
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b"PK\x03\x04 truncated"), None);
        assert_eq!(sniff(b""), None);

        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path().join("evidence"));
        let err = store.store(b"MZ\x90\0 an executable", "纪要.pdf").unwrap_err();
        assert!(matches!(err, FileError::UnsupportedType { ref name } if name == "纪要.pdf"), "{err}");
        assert!(matches!(store.store(b"", "a.pdf"), Err(FileError::Empty)));
    }

    #[test]
    fn files_are_stored_once_under_their_hash_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path()).with_max_bytes(64);
        let pdf = b"%PDF-1.4 meeting minutes";
        let stored = store.store(pdf, "../../会议纪要.pdf").unwrap();
        // sha256 of the bytes above, computed independently with `sha256sum`.
        assert_eq!(stored.sha256, "835ed7258a1c4975d657f790edc56f8a97bdbf386a5f7435a3e56870c0b39f0f");
        assert_eq!(stored.size, pdf.len() as u64);
        assert_eq!(stored.media_type, "application/pdf");
        let path = dir.path().join(&stored.sha256[..2]).join(&stored.sha256[2..]);
        assert_eq!(std::fs::read(&path).unwrap(), pdf);
        assert_eq!(store.store(pdf, "again.pdf").unwrap(), stored, "idempotent");
        let files: Vec<_> = walk(dir.path());
        assert_eq!(files.len(), 1, "no temporary files left: {files:?}");

        assert_eq!(store.read(&stored.sha256).unwrap(), pdf);
        assert_eq!(store.media_type(&stored.sha256).unwrap(), "application/pdf");
        assert!(matches!(store.read(&"0".repeat(64)), Err(FileError::NotFound(_))));
        for bad in ["../etc/passwd", "", &"A".repeat(64), &format!("{}/", "a".repeat(63))] {
            assert!(matches!(store.read(bad), Err(FileError::BadAddress(_))), "{bad}");
        }
        let big = [b"%PDF-".as_slice(), &[b' '; 60]].concat();
        assert!(matches!(store.store(&big, "big.pdf"), Err(FileError::TooLarge { size: 65, limit: 64 })));
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
        }
        out
    }
}

mod property {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::Start),
            Just(Action::MarkBasicallyCompleted),
            Just(Action::Resume),
            Just(Action::Claim),
            Just(Action::Approve { comment: None }),
            Just(Action::Approve { comment: None }),
            Just(Action::SendBack { reason: "材料不全".into() }),
            Just(Action::RequestExtension {
                new_deadline: PartialDate::month(2030, 6).unwrap(),
                reason: "等待".into()
            }),
            Just(Action::ApproveExtension { comment: None }),
            Just(Action::DeclineExtension { reason: "理由不足".into() }),
            Just(Action::DeclareLongTerm),
            Just(Action::CloseStage),
            Just(Action::CloseLongTerm),
            Just(Action::Reopen { reason: "反弹".into() }),
        ]
    }

    /// A step: which measure, who, what, and whether the actor brings a stale version.
    fn steps() -> impl Strategy<Value = Vec<(usize, Role, Action, bool, bool)>> {
        proptest::collection::vec(
            (
                0usize..6,
                select(Role::ALL.to_vec()),
                action(),
                proptest::bool::weighted(0.1),
                proptest::bool::weighted(0.2),
            ),
            1..40,
        )
    }

    async fn run(store: &Store, steps: &[(usize, Role, Action, bool, bool)]) {
        let f = import(store).await;
        for (index, role, action, stale, attach) in steps {
            let m = f.measures[*index].id;
            if *attach {
                let _ = store.attach_evidence(m, &evidence(7), &dept(), now()).await;
            }
            let before = store.measure_workflow(m).await.unwrap().unwrap();
            let version = if *stale { before.version - 1 } else { before.version };
            match store.apply_measure_action(m, &acting(*role), action.clone(), version, now()).await {
                Ok(after) => assert_eq!(after.version, before.version + 1),
                Err(WorkflowStoreError::Conflict { current_version }) => {
                    assert!(*stale);
                    assert_eq!(current_version, before.version);
                }
                Err(WorkflowStoreError::Refused(_) | WorkflowStoreError::Forbidden(_)) => {
                    let now_at = store.measure_workflow(m).await.unwrap().unwrap();
                    assert_eq!(now_at, before, "a refused step changes nothing");
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
        // The ledger shows what the workflow says, and the figures are a recount of it.
        let mut completed = 0;
        for m in &f.measures {
            let view = store.measure_workflow(m.id).await.unwrap().unwrap();
            let shown = status_of(store, m.id).await;
            // A measure the workflow never moved keeps the status it was imported with (which may
            // be none or unknown); once moved, the ledger shows the workflow's status.
            let untouched = workflow::initial_state(shown).0 == view.state && shown != Some(view.status);
            assert!(
                shown == Some(view.status)
                    || (untouched && matches!(shown, None | Some(Status::Unknown | Status::NotDone))),
                "{shown:?} vs {view:?}"
            );
            assert_eq!(view.status == Status::Completed, view.state == MeasureState::Closed);
            completed += u32::from(view.state == MeasureState::Closed);
        }
        let stats = store.statistics(f.inspection).await.unwrap();
        assert_eq!(stats.measures_completed, completed);
        assert_eq!(stats.measures_total, 6);
        store.verify_audit().await.unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn random_steps_keep_the_ledger_and_the_chain_consistent(steps in steps()) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                for db in backends().await {
                    run(&db.store, &steps).await;
                    db.finish().await;
                }
            });
        }
    }
}

/// A database that holds ledgers from before the workflow existed gets its workflow rows from
/// the migration, by the same mapping as an import.
#[tokio::test]
async fn the_migration_brings_existing_measures_into_the_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}?mode=rwc", dir.path().join("old.db").display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"));
    let mut first = sqlx::migrate::Migrator::new(path).await.unwrap();
    first.migrations = std::borrow::Cow::Owned(first.migrations.iter().filter(|m| m.version == 1).cloned().collect());
    first.run(&pool).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO inspections (id, contacts, created_at) VALUES (1, '{}', '2024-01-01T00:00:00Z'); \
         INSERT INTO aspects (id, inspection_id, position) VALUES (1, 1, 0); \
         INSERT INTO problems (id, aspect_id, inspection_id, position, title, status, disclosure) \
         VALUES (1, 1, 1, 0, '针对某问题', 'in_progress', 'public'); \
         INSERT INTO measures (id, problem_id, inspection_id, position, text, status) VALUES \
         (1, 1, 1, 0, 'a', 'completed'), (2, 1, 1, 1, 'b', 'pending_verification'), \
         (3, 1, 1, 2, 'c', 'extended'), (4, 1, 1, 3, 'd', NULL), (5, 1, 1, 4, 'e', 'long_term');",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let store = Store::connect(&url).await.unwrap();
    let mut got = Vec::new();
    for id in 1..=5 {
        let v = store.measure_workflow(id).await.unwrap().unwrap();
        got.push((v.state, v.status));
    }
    assert_eq!(
        got,
        [
            (MeasureState::Closed, Status::Completed),
            (MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader }, Status::PendingVerification),
            (MeasureState::InProgress, Status::Extended),
            (MeasureState::NotStarted, Status::NotStarted),
            (MeasureState::LongTerm { stages_closed: 0 }, Status::LongTerm),
        ]
    );
    assert_eq!(store.verify_audit().await.unwrap().entries, 0);
    store.close().await;
}

/// Every text storage accepts outside a ledger is held to its limit (issue 13, finding 3): the
/// refusal is typed and says itself in Chinese, and nothing is written.
#[tokio::test]
async fn over_long_texts_are_refused_where_storage_accepts_them() {
    use rectify_domain::limits::{self, Limit};
    let over = |limit: Limit| "字".repeat(limit.max_chars + 1);
    fn too_long(result: Result<impl std::fmt::Debug, WorkflowStoreError>, limit: Limit) {
        match result {
            Err(WorkflowStoreError::Refused(WorkflowError::TooLong(e))) => {
                assert_eq!(e.limit, limit);
                assert!(e.message_zh().contains("过长"), "{}", e.message_zh());
            }
            other => panic!("expected {} to be refused as too long, got {other:?}", limit.what),
        }
    }
    for db in backends().await {
        let store = &db.store;
        let f = import(store).await;
        let m = f.measures[0].id;
        let entries_before = store.verify_audit().await.unwrap().entries;

        too_long(
            store.add_progress(m, &dept(), &progress(over(limits::PROGRESS_TEXT)), 0, now()).await,
            limits::PROGRESS_TEXT,
        );
        let mut long_title = progress("推进");
        long_title.evidence = vec![Evidence { title: NonEmptyText::new(over(limits::TITLE)).unwrap(), ..evidence(1) }];
        too_long(store.add_progress(m, &dept(), &long_title, 0, now()).await, limits::TITLE);
        let titled = Evidence { title: NonEmptyText::new(over(limits::TITLE)).unwrap(), ..evidence(2) };
        too_long(store.attach_evidence(m, &titled, &dept(), now()).await, limits::TITLE);
        let day = TimeDelta::hours(24);
        too_long(
            store
                .send_reminder(m, ReminderTarget::Role(Role::Department), &over(limits::REASON), &office(), day, now())
                .await,
            limits::REASON,
        );
        too_long(store.reopen_problem(f.problems[2].id, &office(), &over(limits::REASON), now()).await, limits::REASON);
        let new = Responsibility { leader: Some(over(limits::NAME)), ..Responsibility::default() };
        too_long(
            store.reassign_responsibility(ResponsibilityTarget::Measure(m), &new, &group(), now()).await,
            limits::NAME,
        );
        assert_eq!(store.verify_audit().await.unwrap().entries, entries_before, "nothing was written");

        // At the limit: accepted, and read back whole.
        let full = "字".repeat(limits::PROGRESS_TEXT.max_chars);
        store.add_progress(m, &dept(), &progress(full.clone()), 0, now()).await.unwrap();
        let stored = store.get_measure(m).await.unwrap().unwrap();
        assert_eq!(stored.measure.progress.last().map(|p| p.text.as_str()), Some(full.as_str()));

        // An import with an over-long field is refused with the field's JSON path.
        let mut ledger = ledger();
        ledger.aspects[0].problems[0].measures[0].progress = vec![progress(over(limits::PROGRESS_TEXT))];
        match store.import_ledger(&ledger).await {
            Err(StorageError::Invalid(message)) => {
                assert!(message.contains("aspects[0].problems[0].measures[0].progress[0].text"), "{message}")
            }
            other => panic!("expected the import to be refused, got {other:?}"),
        }
        db.finish().await;
    }
}

/// Sign-in failures are kept per typed name (its key), whether or not an account has the name;
/// a cleared counter leaves no row; stale counters are pruned, running lockouts are not.
#[tokio::test]
async fn login_failures_are_counted_per_name_key() {
    for db in backends().await {
        let store = &db.store;
        let zero = LoginStatus { failed_attempts: 0, locked_until: None };
        assert_eq!(store.login_failures("k-unknown").await.unwrap(), zero);
        let locked = LoginStatus { failed_attempts: 5, locked_until: Some(now() + TimeDelta::minutes(30)) };
        store.set_login_failures("k-unknown", locked, now()).await.unwrap();
        let two = LoginStatus { failed_attempts: 2, locked_until: None };
        store.set_login_failures("k-other", two, now() - TimeDelta::days(2)).await.unwrap();
        assert_eq!(store.login_failures("k-unknown").await.unwrap(), locked);
        assert_eq!(store.login_failures("k-other").await.unwrap(), two);
        // Pruning a day back removes the stale counter only.
        assert_eq!(store.prune_login_failures(now() - TimeDelta::days(1)).await.unwrap(), 1);
        assert_eq!(store.login_failures("k-other").await.unwrap(), zero);
        assert_eq!(store.login_failures("k-unknown").await.unwrap(), locked);
        store.set_login_failures("k-unknown", zero, now()).await.unwrap();
        let rows: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures").fetch_one(store.pool()).await.unwrap();
        assert_eq!(rows, 0, "a cleared counter leaves no row");
        db.finish().await;
    }
}

/// A reviewer's queue is exactly the measures under review at the asked stages (and, when
/// asked, those with an extension awaiting a decision), checked against every measure's
/// workflow; the history of several items is the trail's entries about them, newest first.
#[tokio::test]
async fn the_review_queue_and_item_history_match_the_trail() {
    for db in backends().await {
        let store = &db.store;
        let first = import(store).await;
        let second = import(store).await;
        // First unit: an extension awaits approval; second unit: a claim awaits the leader.
        let m = first.measures[0].id;
        store.apply_measure_action(m, &dept(), Action::Start, 0, now()).await.unwrap();
        let request = Action::RequestExtension {
            new_deadline: PartialDate::day(2024, 9, 30).unwrap(),
            reason: "资金未到位".into(),
        };
        store.apply_measure_action(m, &dept(), request, 1, now()).await.unwrap();
        let claimed = second.measures[0].id;
        store.apply_measure_action(claimed, &dept(), Action::Start, 0, now()).await.unwrap();
        store.attach_evidence(claimed, &evidence(1), &dept(), now()).await.unwrap();
        store.apply_measure_action(claimed, &dept(), Action::Claim, 2, now()).await.unwrap();

        let mut views = Vec::new();
        for f in [&first, &second] {
            for r in &f.measures {
                views.push((f.inspection, r.id, store.measure_workflow(r.id).await.unwrap().unwrap()));
            }
        }
        let all = [ReviewStage::AwaitingLeader, ReviewStage::AwaitingLeadingGroup, ReviewStage::AwaitingVerifier];
        for stages in [&all[..1], &all[1..2], &all[2..], &all[..], &[]] {
            for extensions in [false, true] {
                let mut expected: Vec<(i64, i64)> = views
                    .iter()
                    .filter(|(_, _, v)| {
                        matches!(v.state, MeasureState::UnderReview { stage } if stages.contains(&stage))
                            || (extensions && v.pending_extension.is_some())
                    })
                    .map(|(i, m, _)| (*i, *m))
                    .collect();
                expected.sort_unstable();
                let queue = store.review_queue(stages, extensions).await.unwrap();
                assert_eq!(queue, expected, "{stages:?} {extensions} on {:?}", store.backend());
            }
        }
        assert!(store.review_queue(&all[..1], false).await.unwrap().contains(&(second.inspection, claimed)));
        assert!(store.review_queue(&[], true).await.unwrap().contains(&(first.inspection, m)));

        // History: what the filtered trail says about each item, merged newest first.
        let about = async |kind: &str, id: i64| -> Vec<AuditEntry> {
            let filter = AuditFilter {
                target_kind: Some(kind.into()),
                target_id: Some(id.to_string()),
                ..AuditFilter::default()
            };
            let entries = store.list_audit(&filter, Page { offset: 0, limit: 500 }).await.unwrap();
            entries.into_iter().filter(|e| e.result == "ok").collect()
        };
        let problem = second.measures[0].problem_id;
        let mut expected = about("measure", claimed).await;
        expected.extend(about("problem", problem).await);
        expected.sort_by_key(|e| std::cmp::Reverse(e.seq));
        assert!(expected.len() >= 3, "start, evidence and claim are audited");
        let history = store.item_history(&[("problem", problem), ("measure", claimed)], 500).await.unwrap();
        assert_eq!(history, expected);
        let newest = store.item_history(&[("problem", problem), ("measure", claimed)], 1).await.unwrap();
        assert_eq!(newest, expected[..1]);
        assert!(store.item_history(&[], 50).await.unwrap().is_empty());
        // Another unit's measure in the same position has a history of its own.
        assert!(
            store
                .item_history(&[("measure", claimed)], 500)
                .await
                .unwrap()
                .iter()
                .all(|e| e.target_id == Some(claimed.to_string()))
        );

        // The total of a page of the trail counts what the filter selects.
        for filter in [
            AuditFilter::default(),
            AuditFilter { action: Some("measure.claim".into()), ..AuditFilter::default() },
            AuditFilter {
                target_kind: Some("measure".into()),
                target_id: Some(m.to_string()),
                ..AuditFilter::default()
            },
        ] {
            let listed = store.list_audit(&filter, Page { offset: 0, limit: 10_000 }).await.unwrap();
            assert_eq!(store.count_audit(&filter).await.unwrap(), listed.len() as u64, "{filter:?}");
        }
        db.finish().await;
    }
}

/// Accounts come a page at a time in login-name order, with how many there are; a page far
/// beyond the end is empty.
#[tokio::test]
async fn accounts_are_listed_a_page_at_a_time() {
    for db in backends().await {
        let store = &db.store;
        for name in ["wang", "li", "zhao", "chen"] {
            let new = NewUser {
                username: name.into(),
                display_name: format!("{name}某"),
                password_phc: "$argon2id$v=19$m=19456,t=2,p=1$a$b".into(),
                must_change_password: false,
                roles: vec![RoleGrant::everywhere(Role::InspectionOffice)],
            };
            store.create_user(&new, &acting(Role::SystemAdmin), now()).await.unwrap();
        }
        let all: Vec<String> = store.list_users().await.unwrap().into_iter().map(|u| u.username).collect();
        assert_eq!(all, ["chen", "li", "wang", "zhao"]);
        let (page, total) = store.list_users_page(Page { offset: 1, limit: 2 }).await.unwrap();
        let names: Vec<&str> = page.iter().map(|u| u.username.as_str()).collect();
        assert_eq!((names, total), (vec!["li", "wang"], 4));
        assert!(page.iter().all(|u| u.roles.len() == 1), "with their roles");
        let (far, total) = store.list_users_page(Page { offset: u64::MAX >> 1, limit: 500 }).await.unwrap();
        assert_eq!((far.len(), total), (0, 4));
        db.finish().await;
    }
}
