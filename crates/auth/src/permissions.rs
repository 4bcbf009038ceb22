//! What each role may do: one table, `permissions.tsv` at the crate root, compiled in and parsed
//! once. Rows are permissions, columns are the nine roles and `public` (not signed in).
//!
//! The table is checked when parsed: every permission has exactly one row, and the separation of
//! the three administrators (三员分立) holds — each administrator column holds only its own
//! administration permissions and the self-service ones, no business role holds any
//! administration permission, and the public holds no self-service one. A table that fails the
//! check allows nothing (fail closed); a unit test makes sure the shipped one passes.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use rectify_domain::roles::Role;
use serde::{Deserialize, Serialize};

/// The shipped table.
pub const PERMISSIONS_TSV: &str = include_str!("../permissions.tsv");

/// The column name of the public (anonymous visitors).
pub const PUBLIC_COLUMN: &str = "public";

macro_rules! permissions {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal, $zh:literal, $kind:expr;)*) => {
        /// An action guarded by the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Permission {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];

            /// The permission whose row name is `name`.
            pub fn from_name(name: &str) -> Option<Permission> {
                Permission::ALL.iter().copied().find(|p| p.as_str() == name)
            }

            /// The row name in `permissions.tsv`.
            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $(Permission::$variant => $zh,)* }
            }

            /// Which side of the separation of duties the permission is on.
            pub fn kind(self) -> PermissionKind {
                match self { $(Permission::$variant => $kind,)* }
            }
        }
    };
}

/// The side of the separation of duties a permission belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionKind {
    /// Work on the rectification itself (business roles and, for some, the public).
    Business,
    /// Administration reserved to one of the three administrator roles.
    Admin(Role),
    /// What every signed-in account does for itself.
    SelfService,
}

use PermissionKind::{Admin, Business, SelfService};

permissions! {
    /// Read published rectification reports (整改情况通报).
    ReadPublished = "read_published", "查阅公开的整改情况", Business;
    /// Send feedback on a published report (群众监督); anonymous by design.
    SubmitFeedback = "submit_feedback", "提交意见建议", Business;
    ReadFeedback = "read_feedback", "查阅群众反馈", Business;
    AnswerFeedback = "answer_feedback", "答复群众反馈", Business;
    /// Approve or return replies to public feedback before they are public (答复需审核), and
    /// set whether the unit's replies need it: the unit's leading group.
    ApproveFeedbackAnswer = "approve_feedback_answer", "审核群众反馈答复", Business;
    /// Read the ledger of one's own unit (within the data scope).
    ReadOwnUnitLedger = "read_own_unit_ledger", "查阅本单位整改台账", Business;
    /// Read the ledgers of all units (of one's rounds).
    ReadAllUnits = "read_all_units", "查阅各单位整改台账", Business;
    /// Edit the unit's ledger: problems, measures, responsibilities, deadlines.
    EditLedger = "edit_ledger", "编辑整改台账", Business;
    /// Create an inspection (a unit's new, empty ledger) for a unit within one's scope.
    CreateInspection = "create_inspection", "新建巡察台账", Business;
    /// Report progress and evidence on the department's own measures.
    UpdateOwnMeasures = "update_own_measures", "更新本部门整改措施进展", Business;
    RequestExtension = "request_extension", "申请延期", Business;
    ReviewAssignedProblems = "review_assigned_problems", "审核分管问题整改", Business;
    /// Confirm a closure for the unit (整改领导小组).
    ConfirmClosure = "confirm_closure", "确认整改完成", Business;
    /// Verify and close (销号) from outside the unit.
    VerifyClosure = "verify_closure", "核验销号", Business;
    ApproveExtension = "approve_extension", "审批延期", Business;
    /// Run a look-back (回头看).
    RunLookBack = "run_look_back", "开展“回头看”", Business;
    /// Set a round's score sheet and adjust units' scores (整改评估).
    EvaluateRectification = "evaluate_rectification", "整改评估", Business;
    /// Rename and merge rounds (巡察轮次) and move an inspection to another round (巡察办).
    ManageRounds = "manage_rounds", "管理巡察轮次", Business;
    /// Send a reminder (催办), at most once per the policy's interval per item.
    SendReminder = "send_reminder", "督办催办", Business;
    /// Record accountability (问责) outcomes.
    RecordAccountability = "record_accountability", "记录问责情况", Business;
    ImportDocuments = "import_documents", "导入文件", Business;
    GenerateReports = "generate_reports", "生成报告", Business;
    PublishReport = "publish_report", "发布整改情况", Business;
    ExportLedger = "export_ledger", "导出台账", Business;
    /// Read the spot-check registries, rounds and results (双随机、一公开) of one's units.
    ReadSpotChecks = "read_spot_checks", "查阅双随机抽查", Business;
    /// Keep the unit's registry of objects and inspectors, draw rounds and record findings.
    ManageSpotChecks = "manage_spot_checks", "管理双随机抽查", Business;
    /// Publish a drawn round and its results on the portal (一公开).
    PublishSpotChecks = "publish_spot_checks", "公开双随机抽查结果", Business;
    /// Create, disable and unlock accounts, reset passwords (系统管理员).
    ManageUsers = "manage_users", "用户管理", Admin(Role::SystemAdmin);
    /// System settings: units, rounds, holiday calendar, backups (系统管理员).
    ManageSettings = "manage_settings", "系统设置", Admin(Role::SystemAdmin);
    /// Grant and revoke roles with their data scopes (安全管理员). The role→permission table
    /// itself is this file, changed only through code review.
    ManageRoles = "manage_roles", "角色与权限分配", Admin(Role::SecurityAdmin);
    /// Edit the [`SecurityPolicy`](crate::SecurityPolicy) (安全管理员).
    ManageSecurityPolicy = "manage_security_policy", "安全策略设置", Admin(Role::SecurityAdmin);
    /// Read the audit trail (审计管理员).
    ReadAuditTrail = "read_audit_trail", "查阅审计日志", Admin(Role::AuditAdmin);
    ExportAuditTrail = "export_audit_trail", "导出审计日志", Admin(Role::AuditAdmin);
    ChangeOwnPassword = "change_own_password", "修改本人口令", SelfService;
    ManageOwnSecondFactor = "manage_own_second_factor", "管理本人双因素认证", SelfService;
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a permission table was refused. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the table has no header line")]
    NoHeader,
    #[error("the header must start with the column `permission`")]
    BadHeader,
    #[error("unknown column `{0}` in the header")]
    UnknownColumn(String),
    #[error("column `{0}` appears twice in the header")]
    DuplicateColumn(String),
    #[error("column `{0}` is missing from the header")]
    MissingColumn(String),
    #[error("line {line}: {found} cells, but the header has {expected}")]
    TooManyCells { line: usize, expected: usize, found: usize },
    #[error("line {line}: unknown permission `{name}`")]
    UnknownPermission { line: usize, name: String },
    #[error("line {line}: permission `{name}` already has a row")]
    DuplicatePermission { line: usize, name: String },
    #[error("permission `{0}` has no row")]
    MissingPermission(&'static str),
    #[error("line {line}: cell `{value}` must be `x` or empty")]
    BadCell { line: usize, value: String },
    #[error("三员分立: {column} must not hold `{permission}`")]
    SeparationOfDuties { column: &'static str, permission: &'static str },
}

/// A parsed and checked role→permission table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionTable {
    granted: HashSet<(Option<Role>, Permission)>,
}

fn column_name(column: Option<Role>) -> &'static str {
    column.map_or(PUBLIC_COLUMN, Role::as_str)
}

fn parse_column(name: &str) -> Result<Option<Role>, TableError> {
    if name == PUBLIC_COLUMN {
        return Ok(None);
    }
    Role::from_name(name).map(Some).ok_or_else(|| TableError::UnknownColumn(name.to_owned()))
}

impl PermissionTable {
    /// Parses and checks a table. Cells missing at the end of a row count as empty (so editors
    /// that strip trailing tabs do no harm: a missing cell denies).
    pub fn parse(text: &str) -> Result<Self, TableError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(index, line)| (index + 1, line.trim_end_matches('\r')))
            .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
        let (_, header) = lines.next().ok_or(TableError::NoHeader)?;
        let mut cells = header.split('\t');
        if cells.next().map(str::trim) != Some("permission") {
            return Err(TableError::BadHeader);
        }
        let mut columns: Vec<Option<Role>> = Vec::new();
        for name in cells.map(str::trim) {
            let column = parse_column(name)?;
            if columns.contains(&column) {
                return Err(TableError::DuplicateColumn(name.to_owned()));
            }
            columns.push(column);
        }
        for column in Role::ALL.into_iter().map(Some).chain([None]) {
            if !columns.contains(&column) {
                return Err(TableError::MissingColumn(column_name(column).to_owned()));
            }
        }

        let mut granted = HashSet::new();
        let mut seen = HashSet::new();
        for (line, row) in lines {
            let mut cells = row.split('\t');
            let name = cells.next().unwrap_or_default().trim();
            let permission = Permission::from_name(name)
                .ok_or_else(|| TableError::UnknownPermission { line, name: name.to_owned() })?;
            if !seen.insert(permission) {
                return Err(TableError::DuplicatePermission { line, name: name.to_owned() });
            }
            let values: Vec<&str> = cells.map(str::trim).collect();
            if values.len() > columns.len() {
                return Err(TableError::TooManyCells { line, expected: columns.len() + 1, found: values.len() + 1 });
            }
            for (column, value) in columns.iter().zip(values) {
                match value {
                    "x" => {
                        granted.insert((*column, permission));
                    }
                    "" => {}
                    other => return Err(TableError::BadCell { line, value: other.to_owned() }),
                }
            }
        }
        if let Some(missing) = Permission::ALL.iter().find(|p| !seen.contains(*p)) {
            return Err(TableError::MissingPermission(missing.as_str()));
        }
        let table = PermissionTable { granted };
        table.check_separation()?;
        Ok(table)
    }

    /// 三员分立 on the table: admin columns hold only their own admin permissions and
    /// self-service; business columns hold no admin permission; the public no self-service.
    fn check_separation(&self) -> Result<(), TableError> {
        for &(column, permission) in &self.granted {
            let allowed = match (column, permission.kind()) {
                (None, Business) => true,
                (None, _) => false,
                (Some(_), SelfService) => true,
                (Some(role), Admin(owner)) => role == owner,
                (Some(role), Business) => !role.is_admin(),
            };
            if !allowed {
                return Err(TableError::SeparationOfDuties {
                    column: column_name(column),
                    permission: permission.as_str(),
                });
            }
        }
        Ok(())
    }

    /// Whether `role` (`None` for the public) holds `permission`.
    pub fn allows(&self, role: Option<Role>, permission: Permission) -> bool {
        self.granted.contains(&(role, permission))
    }

    /// The permissions of one column, in declaration order.
    pub fn permissions_of(&self, role: Option<Role>) -> Vec<Permission> {
        Permission::ALL.iter().copied().filter(|p| self.allows(role, *p)).collect()
    }
}

static TABLE: LazyLock<Result<PermissionTable, TableError>> = LazyLock::new(|| PermissionTable::parse(PERMISSIONS_TSV));

/// The shipped table, or why it was refused.
pub fn permission_table() -> Result<&'static PermissionTable, &'static TableError> {
    TABLE.as_ref()
}

/// Whether `role` (`None` for a visitor who is not signed in) holds `permission` under the
/// shipped table. Denies everything if the table failed its checks.
pub fn allows(role: Option<Role>, permission: Permission) -> bool {
    permission_table().is_ok_and(|table| table.allows(role, permission))
}

/// Whether any of an account's roles holds `permission`. Data scope is checked separately.
pub fn allows_any(roles: &[Role], permission: Permission) -> bool {
    roles.iter().any(|role| allows(Some(*role), permission))
}

#[cfg(test)]
mod tests {
    use rectify_domain::roles::{RoleConflict, check_roles};
    use rectify_domain::workflow::Actor;

    use super::*;

    fn table() -> &'static PermissionTable {
        permission_table().unwrap()
    }

    fn header() -> String {
        let mut names = vec!["permission"];
        names.extend(Role::ALL.iter().map(|r| r.as_str()));
        names.push("public");
        names.join("\t")
    }

    /// A complete table where only `row` is given, the rest denied.
    fn table_with(extra: &str) -> String {
        let mut text = header() + "\n";
        for p in Permission::ALL {
            text.push_str(p.as_str());
            text.push('\n');
        }
        text.push_str(extra);
        text
    }

    #[test]
    fn shipped_table_parses_with_a_row_for_every_permission() {
        assert_eq!(permission_table().err(), None);
        let rows: Vec<&str> = PERMISSIONS_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .collect();
        let names: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(rows, names, "one row per permission, in declaration order");
        for p in Permission::ALL {
            assert_eq!(Permission::from_name(&p.to_string()), Some(*p));
        }
    }

    #[test]
    fn administrators_hold_only_their_own_administration() {
        let own = |role| -> Vec<Permission> {
            let mut v: Vec<Permission> =
                Permission::ALL.iter().copied().filter(|p| p.kind() == PermissionKind::Admin(role)).collect();
            v.extend([Permission::ChangeOwnPassword, Permission::ManageOwnSecondFactor]);
            v
        };
        use Permission::*;
        assert_eq!(table().permissions_of(Some(Role::SystemAdmin)), own(Role::SystemAdmin));
        assert_eq!(own(Role::SystemAdmin)[..2], [ManageUsers, ManageSettings]);
        assert_eq!(table().permissions_of(Some(Role::SecurityAdmin)), own(Role::SecurityAdmin));
        assert_eq!(own(Role::SecurityAdmin)[..2], [ManageRoles, ManageSecurityPolicy]);
        assert_eq!(table().permissions_of(Some(Role::AuditAdmin)), own(Role::AuditAdmin));
        assert_eq!(own(Role::AuditAdmin)[..2], [ReadAuditTrail, ExportAuditTrail]);
        // The audit administrator has no ledger access at all.
        for p in [ReadPublished, ReadOwnUnitLedger, ReadAllUnits, ExportLedger, ReadFeedback] {
            assert!(!allows(Some(Role::AuditAdmin), p), "{p}");
        }
    }

    #[test]
    fn business_roles_and_public_hold_no_administration() {
        for role in Role::ALL.into_iter().filter(|r| !r.is_admin()).map(Some).chain([None]) {
            for p in table().permissions_of(role) {
                assert!(!matches!(p.kind(), PermissionKind::Admin(_)), "{role:?} holds {p}");
            }
        }
        assert_eq!(table().permissions_of(None), [Permission::ReadPublished, Permission::SubmitFeedback]);
    }

    #[test]
    fn the_issue_rules() {
        use Permission::*;
        let yes = [
            (Role::UnitLiaison, EditLedger),
            (Role::Department, UpdateOwnMeasures),
            (Role::LeaderInCharge, ReviewAssignedProblems),
            (Role::LeadingGroup, ConfirmClosure),
            (Role::InspectionOffice, ReadAllUnits),
            (Role::InspectionOffice, VerifyClosure),
            (Role::InspectionOffice, RunLookBack),
            (Role::InspectionOffice, EvaluateRectification),
            (Role::InspectionOffice, ApproveExtension),
            (Role::InspectionOffice, CreateInspection),
            (Role::DisciplineInspection, ReadAllUnits),
            (Role::DisciplineInspection, RecordAccountability),
        ];
        for (role, p) in yes {
            assert!(allows(Some(role), p), "{role:?} {p}");
        }
        let no = [
            (Role::Department, EditLedger),
            (Role::Department, ReadAllUnits),
            (Role::UnitLiaison, VerifyClosure),
            (Role::LeadingGroup, VerifyClosure),
            (Role::InspectionOffice, EditLedger),
            (Role::UnitLiaison, EvaluateRectification),
            (Role::LeadingGroup, EvaluateRectification),
            (Role::InspectionOffice, RecordAccountability),
            (Role::UnitLiaison, CreateInspection),
            (Role::LeadingGroup, EditLedger),
            (Role::DisciplineInspection, EditLedger),
            (Role::DisciplineInspection, VerifyClosure),
            (Role::SystemAdmin, ManageRoles),
            (Role::SecurityAdmin, ManageUsers),
            (Role::SystemAdmin, ReadAuditTrail),
        ];
        for (role, p) in no {
            assert!(!allows(Some(role), p), "{role:?} {p}");
        }
        assert!(!allows(None, ReadOwnUnitLedger));
        assert!(!allows(None, ChangeOwnPassword));
        assert!(allows_any(&[Role::Department, Role::LeaderInCharge], ReviewAssignedProblems));
        assert!(!allows_any(&[], ReadPublished));
    }

    #[test]
    fn no_permission_mixes_two_administrators_so_check_roles_and_table_agree() {
        // Any account check_roles accepts never combines two administrators' permissions.
        for a in Role::ALL {
            for b in Role::ALL {
                let combined: HashSet<Permission> =
                    [a, b].iter().flat_map(|r| table().permissions_of(Some(*r))).collect();
                let admins: HashSet<Role> = combined
                    .iter()
                    .filter_map(|p| match p.kind() {
                        PermissionKind::Admin(owner) => Some(owner),
                        _ => None,
                    })
                    .collect();
                let mixes = admins.len() > 1
                    || (!admins.is_empty() && combined.iter().any(|p| p.kind() == PermissionKind::Business));
                let refused_as_admin = matches!(
                    check_roles(&[a, b]),
                    Err(RoleConflict::TwoAdminRoles(..) | RoleConflict::AdminAndBusiness(..))
                );
                assert_eq!(refused_as_admin, mixes, "{a:?} + {b:?}");
            }
        }
    }

    #[test]
    fn workflow_actors_follow_the_table() {
        use Permission::*;
        let step = [
            (Actor::UnitLiaison, EditLedger),
            (Actor::Department, UpdateOwnMeasures),
            (Actor::LeaderInCharge, ReviewAssignedProblems),
            (Actor::LeadingGroup, ConfirmClosure),
            (Actor::Verifier, VerifyClosure),
        ];
        for role in Role::ALL {
            match role.default_workflow_actor() {
                Some(actor) => {
                    let (_, p) = step.iter().find(|(a, _)| *a == actor).unwrap();
                    assert!(allows(Some(role), *p), "{role:?} acts as {actor:?} without {p}");
                }
                None => assert!(step.iter().all(|(_, p)| !allows(Some(role), *p)), "{role:?}"),
            }
        }
        assert_eq!(Role::InspectionOffice.default_workflow_actor(), Some(Actor::Verifier));
        assert_eq!(Role::DisciplineInspection.default_workflow_actor(), None);
        assert_eq!(Role::DisciplineInspection.workflow_actor(Role::DisciplineInspection), Some(Actor::Verifier));
        assert_eq!(Role::InspectionOffice.workflow_actor(Role::DisciplineInspection), None);
        assert_eq!(Role::SystemAdmin.workflow_actor(Role::SystemAdmin), None);
    }

    #[test]
    fn broken_tables_are_refused() {
        assert_eq!(PermissionTable::parse(""), Err(TableError::NoHeader));
        assert_eq!(PermissionTable::parse("# only a comment\n"), Err(TableError::NoHeader));
        assert_eq!(PermissionTable::parse("perm\tpublic"), Err(TableError::BadHeader));
        assert_eq!(
            PermissionTable::parse("permission\tpublic\tnobody"),
            Err(TableError::UnknownColumn("nobody".into()))
        );
        assert_eq!(
            PermissionTable::parse("permission\tpublic\tpublic"),
            Err(TableError::DuplicateColumn("public".into()))
        );
        assert_eq!(PermissionTable::parse("permission\tpublic"), Err(TableError::MissingColumn("unit_liaison".into())));
        assert!(PermissionTable::parse(&table_with("")).is_ok(), "an all-empty table is valid");
        assert!(matches!(
            PermissionTable::parse(&table_with("read_published\n")),
            Err(TableError::DuplicatePermission { name, .. }) if name == "read_published"
        ));
        assert!(matches!(
            PermissionTable::parse(&table_with("fly_to_moon\n")),
            Err(TableError::UnknownPermission { name, .. }) if name == "fly_to_moon"
        ));
        let missing = header() + "\nread_published\tx\n";
        assert_eq!(PermissionTable::parse(&missing), Err(TableError::MissingPermission("submit_feedback")));
        let bad_cell = header() + "\nread_published\tyes\n";
        assert!(matches!(PermissionTable::parse(&bad_cell), Err(TableError::BadCell { line: 2, .. })));
        let too_many = format!("{}\nread_published{}\n", header(), "\tx".repeat(11));
        assert!(matches!(PermissionTable::parse(&too_many), Err(TableError::TooManyCells { line: 2, .. })));
    }

    #[test]
    fn separation_of_duties_is_enforced_when_parsing() {
        // Column order follows Role::ALL, then public: system_admin is the 7th role column.
        let cells = |column: usize| {
            let mut v = [""; 10];
            v[column] = "x";
            v.join("\t")
        };
        let sys_reads_audit =
            table_with("").replace("read_audit_trail\n", &format!("read_audit_trail\t{}\n", cells(6)));
        assert_eq!(
            PermissionTable::parse(&sys_reads_audit),
            Err(TableError::SeparationOfDuties { column: "system_admin", permission: "read_audit_trail" })
        );
        let audit_reads_ledger = table_with("").replace("read_all_units\n", &format!("read_all_units\t{}\n", cells(8)));
        assert_eq!(
            PermissionTable::parse(&audit_reads_ledger),
            Err(TableError::SeparationOfDuties { column: "audit_admin", permission: "read_all_units" })
        );
        let liaison_manages_users = table_with("").replace("manage_users\n", &format!("manage_users\t{}\n", cells(0)));
        assert!(matches!(PermissionTable::parse(&liaison_manages_users), Err(TableError::SeparationOfDuties { .. })));
        let public_password =
            table_with("").replace("change_own_password\n", &format!("change_own_password\t{}\n", cells(9)));
        assert!(matches!(PermissionTable::parse(&public_password), Err(TableError::SeparationOfDuties { .. })));
        // The permitted case: the owning admin column.
        let own = table_with("").replace("manage_users\n", &format!("manage_users\t{}\n", cells(6)));
        assert!(PermissionTable::parse(&own).unwrap().allows(Some(Role::SystemAdmin), Permission::ManageUsers));
    }

    #[test]
    fn trailing_empty_cells_may_be_stripped_and_crlf_is_accepted() {
        let text = PERMISSIONS_TSV.lines().map(str::trim_end).collect::<Vec<_>>().join("\r\n");
        assert_eq!(&PermissionTable::parse(&text).unwrap(), table());
    }
}
