//! Signing in and out, over the API and in the browser; changing one's password and enrolling
//! the authenticator app.

mod api;
mod pages;

use crate::http::route::Access::{Account, AnyOf, Public};
use crate::http::route::{Route, Target};
use crate::route;
use rectify_auth::Permission as P;

pub(crate) use api::{LoginRequest, MeDto, RoleDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(POST "/api/session", api::sign_in, Public, Target::None, Api, doc = api::__path_sign_in),
    route!(DELETE "/api/session", api::sign_out, Account, Target::None, Api, doc = api::__path_sign_out),
    route!(GET "/api/me", api::me, Account, Target::None, Api, doc = api::__path_me),
    route!(GET "/login", pages::login_page, Public, Target::None, Page),
    route!(POST "/login", pages::login, Public, Target::None, Page),
    route!(POST "/logout", pages::logout, Account, Target::None, Page),
    route!(GET "/account/password", pages::password_page, AnyOf(&[P::ChangeOwnPassword]), Target::None, Page),
    route!(POST "/account/password", pages::change_password, AnyOf(&[P::ChangeOwnPassword]), Target::None, Page),
    route!(GET "/account/totp", pages::totp_page, AnyOf(&[P::ManageOwnSecondFactor]), Target::None, Page),
    route!(POST "/account/totp", pages::enrol_totp, AnyOf(&[P::ManageOwnSecondFactor]), Target::None, Page),
];
