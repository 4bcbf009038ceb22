//! The home page, the shortcuts to the latest ledger and dashboard, and the review inbox.

mod pages;

use crate::http::route::Access::{AnyOf, SignedIn};
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::{READ, REVIEW};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/", pages::home, SignedIn, Target::None, Page),
    route!(GET "/ledger", pages::latest_ledger, AnyOf(READ), Target::None, Page),
    route!(GET "/dashboard", pages::latest_dashboard, AnyOf(READ), Target::None, Page),
    route!(GET "/inbox", pages::inbox, AnyOf(REVIEW), Target::None, Page),
];
