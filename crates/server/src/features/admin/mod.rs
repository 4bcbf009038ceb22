//! Administration (三员分立): accounts by the system administrator; roles with their data scopes
//! and the security policy by the security administrator.

mod api;
mod pages;

use rectify_auth::Permission as P;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;

pub(crate) use api::{NewUserRequest, ResetPasswordRequest, RoleGrantDto, RolesRequest, UserDto};

const USERS: &[P] = &[P::ManageUsers];
const ROLES: &[P] = &[P::ManageRoles];
const POLICY: &[P] = &[P::ManageSecurityPolicy];

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/users", api::list_users, AnyOf(USERS), Target::None, Api, doc = api::__path_list_users),
    route!(POST "/api/users", api::create_user, AnyOf(USERS), Target::None, Api, doc = api::__path_create_user),
    // Disabling is listed before enabling on purpose (the authz test walks the table in order).
    route!(POST "/api/users/{id}/disable", api::disable_user, AnyOf(USERS), Target::None, Api, doc = api::__path_disable_user),
    route!(POST "/api/users/{id}/enable", api::enable_user, AnyOf(USERS), Target::None, Api, doc = api::__path_enable_user),
    route!(POST "/api/users/{id}/reset-password", api::reset_password, AnyOf(USERS), Target::None, Api, doc = api::__path_reset_password),
    route!(POST "/api/users/{id}/reset-second-factor", api::reset_second_factor, AnyOf(USERS), Target::None, Api, doc = api::__path_reset_second_factor),
    route!(PUT "/api/users/{id}/roles", api::set_roles, AnyOf(ROLES), Target::None, Api, doc = api::__path_set_roles),
    route!(GET "/api/security-policy", api::get_policy, AnyOf(POLICY), Target::None, Api, doc = api::__path_get_policy),
    route!(PUT "/api/security-policy", api::put_policy, AnyOf(POLICY), Target::None, Api, doc = api::__path_put_policy),
    route!(GET "/admin/users", pages::users_page, AnyOf(USERS), Target::None, Page),
    route!(POST "/admin/users", pages::create_user_form, AnyOf(USERS), Target::None, Page),
    route!(POST "/admin/users/{id}/status", pages::status_form, AnyOf(USERS), Target::None, Page),
    route!(POST "/admin/users/{id}/password", pages::reset_password_form, AnyOf(USERS), Target::None, Page),
    route!(POST "/admin/users/{id}/totp", pages::reset_second_factor_form, AnyOf(USERS), Target::None, Page),
    route!(GET "/admin/roles", pages::roles_page, AnyOf(ROLES), Target::None, Page),
    route!(POST "/admin/roles/{id}", pages::roles_form, AnyOf(ROLES), Target::None, Page),
    route!(GET "/admin/policy", pages::policy_page, AnyOf(POLICY), Target::None, Page),
    route!(POST "/admin/policy", pages::policy_form, AnyOf(POLICY), Target::None, Page),
];
