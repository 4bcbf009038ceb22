//! Accounts: the first administrator of a fresh database (`rectify user add`), the demo's one
//! account per role, and the actions of the three administrators (三员分立): the system
//! administrator creates, disables and resets accounts (password, second factor); the security
//! administrator grants roles and sets the security policy. The API and the pages share these
//! functions, so their rules cannot drift apart.
//!
//! A fresh database has no account at all; the operator creates the first system administrator
//! from the command line. The demo's accounts are scoped to the demo inspection and to the
//! department and leader the demo ledger names most often, found in the stored ledger rather
//! than written here, so any demo data works.

use std::collections::BTreeMap;

use rectify_auth::{Clock, SecurityPolicy, check_new_password, hash_password};
use rectify_domain::roles::Role;
use rectify_storage::{AccountError, Acting, NewUser, RoleGrant, StorageError, Store, User, UserId};
use serde::Serialize;
use serde_json::json;

use super::session::{Principal, security_event};
use super::state::AppState;
use crate::error::AppError;
use crate::ids;

/// The password of every demo account. It satisfies the level-3 policy; the demo is marked
/// 演示账号（仅供演示） wherever it is printed and must never hold real data.
pub const DEMO_PASSWORD: &str = "Demo#Zhenggai2024";

/// One demo account as `rectify demo` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    /// The role in Chinese, with the scope and, for administrators, the enrolment hint.
    pub role_label: String,
}

/// Why an account could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum UserSetupError {
    #[error("the password is not acceptable: {0}")]
    Password(rectify_auth::PasswordRejection),
    #[error("password hashing failed: {0}")]
    Hashing(#[from] rectify_auth::AuthError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The actor of accounts created from the command line.
fn system() -> Acting {
    Acting::system()
}

/// Creates an account with `grants`, after checking the password against the default policy.
/// `must_change_password` makes the first sign-in go to the password change page.
pub async fn create_user(
    store: &Store,
    username: &str,
    display_name: &str,
    password: &str,
    grants: Vec<RoleGrant>,
    must_change_password: bool,
    clock: &dyn Clock,
) -> Result<UserId, UserSetupError> {
    check_new_password(&SecurityPolicy::default(), username, password, &[]).map_err(UserSetupError::Password)?;
    let password_phc = hash_password(password)?;
    let new = NewUser {
        username: username.trim().to_owned(),
        display_name: display_name.to_owned(),
        password_phc,
        must_change_password,
        roles: grants,
    };
    Ok(store.create_user(&new, &system(), clock.now()).await?)
}

/// Creates a system administrator (系统管理员) for `rectify user add`: a fresh database has no
/// account. The administrator changes the password and enrols a TOTP authenticator at the
/// first sign-in.
pub async fn create_admin(store: &Store, username: &str, password: &str) -> Result<UserId, UserSetupError> {
    let clock = rectify_auth::SystemClock;
    create_user(store, username, username, password, vec![RoleGrant::everywhere(Role::SystemAdmin)], true, &clock).await
}

/// The name most often responsible in `names`, the first in ledger order on a tie.
fn most_frequent(names: impl Iterator<Item = String>) -> Option<String> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (order, name) in names.enumerate() {
        let entry = counts.entry(name).or_insert((0, order));
        entry.0 += 1;
    }
    counts.into_iter().max_by_key(|(_, (count, first))| (*count, std::cmp::Reverse(*first))).map(|(name, _)| name)
}

/// Creates one demo account per role (those that exist already are kept) and returns the logins
/// to print. The department is the one with the most open measures in the inspection, the
/// leader in charge the one most often responsible for that department's open measures.
/// Business accounts need no password change (demo only); the three administrators enrol their
/// TOTP authenticator at the first sign-in.
pub async fn seed_demo_users(
    store: &Store,
    inspection_id: i64,
    clock: &dyn Clock,
) -> Result<Vec<DemoLogin>, UserSetupError> {
    let problems = store.list_problems(inspection_id).await?;
    let measures = store.list_measures(inspection_id, None).await?;
    let open = |m: &rectify_storage::MeasureRecord| {
        !matches!(m.measure.status, Some(rectify_domain::Status::Completed | rectify_domain::Status::LongTerm))
    };
    let departments_of = |m: &rectify_storage::MeasureRecord| -> Vec<String> {
        if m.measure.responsibility.departments.is_empty() {
            problems
                .iter()
                .find(|p| p.id == m.problem_id)
                .map(|p| p.problem.responsibility.departments.clone())
                .unwrap_or_default()
        } else {
            m.measure.responsibility.departments.clone()
        }
    };
    let leader_of = |m: &rectify_storage::MeasureRecord| -> Option<String> {
        m.measure.responsibility.leader.clone().or_else(|| {
            problems.iter().find(|p| p.id == m.problem_id).and_then(|p| p.problem.responsibility.leader.clone())
        })
    };
    let department = most_frequent(measures.iter().filter(|m| open(m)).flat_map(departments_of));
    let leader = most_frequent(
        measures
            .iter()
            .filter(|m| open(m) && department.as_ref().is_some_and(|d| departments_of(m).contains(d)))
            .filter_map(leader_of),
    )
    .or_else(|| most_frequent(measures.iter().filter_map(leader_of)));

    let unit = |role| RoleGrant { role, inspection_id: Some(inspection_id), department: None, leader_name: None };
    let admin_hint = "，首次登录须绑定动态口令（页面显示密钥，用任一验证器应用添加）";
    let accounts: Vec<(&str, &str, RoleGrant, String)> = vec![
        ("liaison", "演示联络员", unit(Role::UnitLiaison), "单位联络员".to_owned()),
        (
            "dept",
            "演示责任部门",
            RoleGrant { department: department.clone(), ..unit(Role::Department) },
            format!("责任部门（{}）", department.as_deref().unwrap_or("未找到部门")),
        ),
        (
            "leader",
            "演示分管领导",
            RoleGrant { leader_name: leader.clone(), ..unit(Role::LeaderInCharge) },
            format!("分管领导（{}）", leader.as_deref().unwrap_or("未找到领导")),
        ),
        ("group", "演示整改领导小组", unit(Role::LeadingGroup), "整改领导小组".to_owned()),
        ("office", "演示巡察办", RoleGrant::everywhere(Role::InspectionOffice), "巡察办（核验销号）".to_owned()),
        ("jijian", "演示纪检监察", RoleGrant::everywhere(Role::DisciplineInspection), "纪检监察".to_owned()),
        ("sysadmin", "演示系统管理员", RoleGrant::everywhere(Role::SystemAdmin), format!("系统管理员{admin_hint}")),
        ("secadmin", "演示安全管理员", RoleGrant::everywhere(Role::SecurityAdmin), format!("安全管理员{admin_hint}")),
        ("auditor", "演示审计管理员", RoleGrant::everywhere(Role::AuditAdmin), format!("审计管理员{admin_hint}")),
    ];
    let mut logins = Vec::with_capacity(accounts.len());
    for (username, display, grant, label) in accounts {
        if store.find_user_by_username(username).await?.is_none() {
            create_user(store, username, display, DEMO_PASSWORD, vec![grant], false, clock).await?;
        }
        logins.push(DemoLogin { username: username.to_owned(), password: DEMO_PASSWORD.to_owned(), role_label: label });
    }
    Ok(logins)
}

/// A refusal by the account rules, in English and Chinese.
fn account_error(e: AccountError) -> AppError {
    match e {
        AccountError::DuplicateUsername(name) => {
            AppError::refused(format!("the username {name:?} is taken"), format!("用户名“{name}”已被使用"))
        }
        AccountError::EmptyUsername => AppError::refused("the username must not be empty", "用户名不能为空"),
        AccountError::Roles(conflict) => AppError::refused(conflict.to_string(), conflict.message_zh()),
        AccountError::Storage(e) => e.into(),
    }
}

fn no_user(id: ids::UserId) -> AppError {
    AppError::NotFound { what: "user", id: id.to_string() }
}

/// A page of the accounts, by username, with how many there are.
pub async fn page(state: &AppState, page: rectify_storage::Page) -> Result<(Vec<User>, u64), AppError> {
    Ok(state.store().list_users_page(page).await?)
}

/// The display names of the accounts among `ids` (those that still exist), in one query.
pub async fn display_names(state: &AppState, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(state.store().display_names(ids).await?)
}

/// Every account, by username.
pub async fn list(state: &AppState) -> Result<Vec<User>, AppError> {
    Ok(state.store().list_users().await?)
}

/// One account, or 404.
pub async fn get(state: &AppState, id: ids::UserId) -> Result<User, AppError> {
    state.store().get_user(id.get()).await?.ok_or_else(|| no_user(id))
}

/// Administrators act on other accounts: their own goes through `/account/password`, and
/// disabling or demoting oneself could leave nobody to undo it.
fn not_self(principal: &Principal, id: ids::UserId) -> Result<(), AppError> {
    if principal.user.id == id.get() {
        return Err(AppError::refused("administrators cannot change their own account here", "不能在此修改本人账号"));
    }
    Ok(())
}

/// Checks a new password against the policy in force and hashes it (off the async threads).
async fn hashed(state: &AppState, username: &str, password: &str) -> Result<String, AppError> {
    let (policy, name, candidate) = (state.policy(), username.to_owned(), password.to_owned());
    let checked = super::state::blocking(move || {
        check_new_password(&policy, &name, &candidate, &[])?;
        Ok::<_, rectify_auth::PasswordRejection>(hash_password(&candidate))
    })
    .await?;
    match checked {
        Ok(phc) => phc.map_err(|e| AppError::Internal(e.to_string())),
        Err(rejection) => {
            Err(AppError::refused(format!("the password is not acceptable: {rejection:?}"), rejection.message_zh()))
        }
    }
}

/// Creates an account without roles (the security administrator grants them); its initial
/// password must be changed at the first sign-in.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<User, AppError> {
    let username = username.trim().to_owned();
    if username.is_empty() {
        return Err(account_error(AccountError::EmptyUsername));
    }
    let display_name = match display_name.trim() {
        "" => username.clone(),
        name => name.to_owned(),
    };
    let password_phc = hashed(state, &username, password).await?;
    let new = NewUser { username, display_name, password_phc, must_change_password: true, roles: Vec::new() };
    let id = state
        .store()
        .create_user(&new, &principal.acting_as(Role::SystemAdmin), state.now())
        .await
        .map_err(account_error)?;
    get(state, ids::UserId::new(id).ok_or_else(|| AppError::Internal(format!("new user id {id}")))?).await
}

/// Disables (ending its sessions) or enables an account.
pub async fn set_disabled(
    state: &AppState,
    principal: &Principal,
    id: ids::UserId,
    disabled: bool,
) -> Result<User, AppError> {
    not_self(principal, id)?;
    get(state, id).await?;
    state.store().set_disabled(id.get(), disabled, &principal.acting_as(Role::SystemAdmin), state.now()).await?;
    get(state, id).await
}

/// Sets a temporary password, to be changed at the next sign-in; ends the account's sessions.
pub async fn reset_password(
    state: &AppState,
    principal: &Principal,
    id: ids::UserId,
    password: &str,
) -> Result<User, AppError> {
    not_self(principal, id)?;
    let user = get(state, id).await?;
    let phc = hashed(state, &user.username, password).await?;
    let keep = usize::try_from(state.policy().password_history).unwrap_or(usize::MAX);
    let acting = principal.acting_as(Role::SystemAdmin);
    state.store().set_password(id.get(), &phc, true, keep, &acting, state.now()).await?;
    end_sessions_after_reset(state, principal, id, &user, "user.reset_password").await
}

/// Clears an account's TOTP authenticator (重置动态口令) — lost, or its stored secret no longer
/// opens — and ends its sessions, as a password reset does. The account then signs in with its
/// password and may enrol again (an administrator must, at that sign-in). The secret is never
/// opened here, so an unreadable one is cleared too.
pub async fn reset_second_factor(state: &AppState, principal: &Principal, id: ids::UserId) -> Result<User, AppError> {
    not_self(principal, id)?;
    let user = get(state, id).await?;
    if user.totp_secret.is_none() {
        return Err(AppError::refused(
            "the account has no second factor enrolled",
            format!("{}的账号未启用动态口令，无需重置", user.display_name),
        ));
    }
    let acting = principal.acting_as(Role::SystemAdmin);
    state.store().set_totp(id.get(), None, &acting, state.now()).await?;
    end_sessions_after_reset(state, principal, id, &user, "user.reset_second_factor").await
}

/// After an administrator's reset of `user`'s credentials: ends the account's sessions, records
/// `action` as a security event with how many ended, and answers the account as it now is.
async fn end_sessions_after_reset(
    state: &AppState,
    principal: &Principal,
    id: ids::UserId,
    user: &User,
    action: &str,
) -> Result<User, AppError> {
    let ended = state.store().delete_user_sessions(id.get()).await?;
    security_event(
        state,
        Some(&principal.user),
        &principal.user.username,
        principal.address.clone(),
        action,
        "ok",
        Some(json!({ "user_id": id, "username": user.username, "sessions_ended": ended })),
    )
    .await?;
    get(state, id).await
}

/// Replaces an account's roles (an empty list revokes them all); the account signs in again.
pub async fn set_roles(
    state: &AppState,
    principal: &Principal,
    id: ids::UserId,
    roles: Vec<RoleGrant>,
) -> Result<User, AppError> {
    not_self(principal, id)?;
    let target = get(state, id).await?;
    // 三员分立: an administrator role goes only to a fresh account — created by the system
    // administrator, never signed in with its own password — so that the security administrator
    // cannot raise an account they already use (or learned the password of) to an administrator;
    // the new administrator sets their password and enrols TOTP at the first sign-in.
    let check = roles.iter().map(|g| g.role).collect::<Vec<_>>();
    if let Some(admin) = check.iter().find(|r| r.is_admin())
        && rectify_domain::roles::check_roles(&check).is_ok()
        && !target.must_change_password
        && !target.roles().contains(admin)
    {
        return Err(AppError::refused(
            "an administrator role goes only to a fresh account that must still set its own password",
            format!(
                "三员分立：{}角色只能授予系统管理员新建、尚未首次登录的账号（首次登录须本人设置口令并绑定动态口令）",
                admin.label_zh()
            ),
        ));
    }
    let known: Vec<i64> = state.store().list_inspections().await?.iter().map(|s| s.id).collect();
    if let Some(missing) = roles.iter().filter_map(|g| g.inspection_id).find(|i| !known.contains(i)) {
        return Err(AppError::refused(
            format!("no inspection has id {missing}"),
            format!("数据范围中的巡察台账（编号{missing}）不存在"),
        ));
    }
    let acting = principal.acting_as(Role::SecurityAdmin);
    state.store().set_roles(id.get(), &roles, &acting, state.now()).await.map_err(account_error)?;
    // A changed grant applies at once: the account signs in again under its new roles.
    state.store().delete_user_sessions(id.get()).await?;
    get(state, id).await
}

/// Stores and applies a security policy, if it is at least as strict as level 3 requires.
pub async fn set_policy(state: &AppState, principal: &Principal, policy: SecurityPolicy) -> Result<(), AppError> {
    if let Err(e) = policy.validate() {
        return Err(AppError::refused(e.to_string(), e.message_zh()));
    }
    let text = serde_json::to_string(&policy).map_err(|e| AppError::Internal(e.to_string()))?;
    let acting = principal.acting_as(Role::SecurityAdmin);
    state.store().set_security_policy(&text, &acting, state.now()).await?;
    state.set_policy(policy);
    Ok(())
}

/// Every inspection with its name, for choosing a grant's scope.
pub async fn inspection_choices(state: &AppState) -> Result<Vec<(i64, String)>, AppError> {
    let all = state.store().list_inspections().await?;
    Ok(all.iter().map(|s| (s.id, super::scope::inspection_name(s))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_password_meets_the_policy_for_every_demo_name() {
        for name in ["liaison", "dept", "leader", "group", "office", "jijian", "sysadmin", "secadmin", "auditor"] {
            assert_eq!(check_new_password(&SecurityPolicy::default(), name, DEMO_PASSWORD, &[]), Ok(()), "{name}");
        }
    }

    #[test]
    fn most_frequent_prefers_the_first_on_a_tie() {
        let names = ["乙", "甲", "甲", "乙", "丙"].map(String::from);
        assert_eq!(most_frequent(names.into_iter()), Some("乙".to_owned()));
        assert_eq!(most_frequent(std::iter::empty()), None);
        let names = ["丙", "甲", "甲"].map(String::from);
        assert_eq!(most_frequent(names.into_iter()), Some("甲".to_owned()));
    }
}
