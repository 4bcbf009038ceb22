//! Who uses rectify, and the rule that keeps administration split in three (三员分立).

use serde::{Deserialize, Serialize};

use crate::workflow::state::Actor;

/// A role a user account holds. Data scope (which unit, department or round) is stored with the
/// grant, not in the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 联络员 — edits the unit's ledger.
    UnitLiaison,
    /// 责任部门 — updates its own measures.
    Department,
    /// 分管领导 — reviews the problems assigned to them.
    LeaderInCharge,
    /// 整改领导小组 / 第一责任人 — confirms closures for the unit.
    LeadingGroup,
    /// 巡察办 — reads all units of its rounds, verifies closures, runs look-back.
    InspectionOffice,
    /// 纪检监察 — reads all, records accountability.
    DisciplineInspection,
    /// 系统管理员 — users and settings.
    SystemAdmin,
    /// 安全管理员 — roles and permissions.
    SecurityAdmin,
    /// 审计管理员 — reads and exports the audit trail, nothing else.
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::UnitLiaison,
        Role::Department,
        Role::LeaderInCharge,
        Role::LeadingGroup,
        Role::InspectionOffice,
        Role::DisciplineInspection,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::UnitLiaison => "unit_liaison",
            Role::Department => "department",
            Role::LeaderInCharge => "leader_in_charge",
            Role::LeadingGroup => "leading_group",
            Role::InspectionOffice => "inspection_office",
            Role::DisciplineInspection => "discipline_inspection",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::UnitLiaison => "单位联络员",
            Role::Department => "责任部门",
            Role::LeaderInCharge => "分管领导",
            Role::LeadingGroup => "整改领导小组",
            Role::InspectionOffice => "巡察办",
            Role::DisciplineInspection => "纪检监察",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    /// The verifier of a round that names no other (巡察办).
    pub const DEFAULT_VERIFIER: Role = Role::InspectionOffice;

    /// The step of the closure workflow this role takes in a round whose outside verifier is
    /// `verifier` (巡察办 by default, or 纪检监察); administrators never take one.
    pub fn workflow_actor(self, verifier: Role) -> Option<Actor> {
        match self {
            Role::UnitLiaison => Some(Actor::UnitLiaison),
            Role::Department => Some(Actor::Department),
            Role::LeaderInCharge => Some(Actor::LeaderInCharge),
            Role::LeadingGroup => Some(Actor::LeadingGroup),
            Role::InspectionOffice | Role::DisciplineInspection if self == verifier => Some(Actor::Verifier),
            Role::InspectionOffice | Role::DisciplineInspection => None,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => None,
        }
    }

    /// [`Role::workflow_actor`] in a round verified by [`Role::DEFAULT_VERIFIER`].
    pub fn default_workflow_actor(self) -> Option<Actor> {
        self.workflow_actor(Role::DEFAULT_VERIFIER)
    }

    /// The three administrator roles: each needs a second factor, and no account may hold two.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleConflict {
    #[error("三员分立: one account cannot be both {0} and {1}")]
    TwoAdminRoles(&'static str, &'static str),
    #[error("三员分立: an administrator account ({0}) cannot also work on the ledger ({1})")]
    AdminAndBusiness(&'static str, &'static str),
    /// Two stages of the closure chain in one account (职责分离).
    #[error("separation of duties: one account cannot take two steps of the closure chain ({0} and {1})")]
    TwoClosureStages(&'static str, &'static str),
}

impl RoleConflict {
    /// The refusal as the pages and the API's `message_zh` say it.
    pub fn message_zh(&self) -> String {
        match self {
            RoleConflict::TwoAdminRoles(a, b) => format!("三员分立：同一账号不能同时担任{a}和{b}"),
            RoleConflict::AdminAndBusiness(a, b) => {
                format!("三员分立：管理员账号（{a}）不能同时承担业务角色（{b}）")
            }
            RoleConflict::TwoClosureStages(a, b) => format!(
                "职责分离：同一账号不能同时承担整改销号链条中的两个环节（{a}和{b}），以免一人既报送又审核；请分别授予不同人员"
            ),
        }
    }
}

/// The stage of the closure chain (报送 → 分管领导审核 → 领导小组确认 → 核验销号) a role takes.
fn closure_stage(role: Role) -> Option<u8> {
    match role {
        Role::UnitLiaison | Role::Department => Some(0),
        Role::LeaderInCharge => Some(1),
        Role::LeadingGroup => Some(2),
        Role::InspectionOffice | Role::DisciplineInspection => Some(3),
        Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => None,
    }
}

/// Checks a set of roles for one account: at most one administrator role, an administrator
/// holds no business role (三员分立), and at most one stage of the closure chain — reporting
/// (责任部门、联络员), the leader in charge, the leading group, verification (巡察办、纪检监察) — so
/// that no account is given the roles to carry a closure through more than one hand (职责分离;
/// the workflow also refuses a person approving their own work, whatever their roles).
pub fn check_roles(roles: &[Role]) -> Result<(), RoleConflict> {
    let admins: Vec<Role> = roles.iter().copied().filter(|r| r.is_admin()).collect();
    if let [a, b, ..] = admins.as_slice()
        && a != b
    {
        return Err(RoleConflict::TwoAdminRoles(a.label_zh(), b.label_zh()));
    }
    if let Some(admin) = admins.first()
        && let Some(business) = roles.iter().find(|r| !r.is_admin())
    {
        return Err(RoleConflict::AdminAndBusiness(admin.label_zh(), business.label_zh()));
    }
    let mut staged: Vec<(u8, Role)> = roles.iter().filter_map(|r| closure_stage(*r).map(|s| (s, *r))).collect();
    staged.sort();
    if let Some(pair) = staged.windows(2).find(|w| w[0].0 != w[1].0) {
        return Err(RoleConflict::TwoClosureStages(pair[0].1.label_zh(), pair[1].1.label_zh()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_roles_never_combine() {
        assert!(check_roles(&[Role::SystemAdmin]).is_ok());
        assert!(check_roles(&[Role::Department, Role::UnitLiaison]).is_ok(), "a department head who is the liaison");
        assert!(check_roles(&[Role::InspectionOffice, Role::DisciplineInspection]).is_ok(), "both verify");
        assert!(matches!(check_roles(&[Role::SystemAdmin, Role::AuditAdmin]), Err(RoleConflict::TwoAdminRoles(..))));
        assert!(matches!(
            check_roles(&[Role::SecurityAdmin, Role::UnitLiaison]),
            Err(RoleConflict::AdminAndBusiness(..))
        ));
        for r in Role::ALL {
            assert_eq!(Role::from_name(r.as_str()), Some(r));
        }
    }

    /// Issue 13, finding 1: the probe's account (department, leader in charge, leading group and
    /// inspection office) cannot be granted, nor any two stages of the closure chain.
    #[test]
    fn no_account_holds_two_stages_of_the_closure_chain() {
        let probe = [Role::Department, Role::LeaderInCharge, Role::LeadingGroup, Role::InspectionOffice];
        assert_eq!(check_roles(&probe), Err(RoleConflict::TwoClosureStages("责任部门", "分管领导")));
        let stages = [Role::UnitLiaison, Role::LeaderInCharge, Role::LeadingGroup, Role::DisciplineInspection];
        for (i, a) in stages.iter().enumerate() {
            for b in &stages[i + 1..] {
                let refused = check_roles(&[*b, *a]).unwrap_err();
                assert!(refused.message_zh().starts_with("职责分离：同一账号不能同时承担整改销号链条中的两个环节"));
            }
        }
    }
}
