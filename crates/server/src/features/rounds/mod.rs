//! Rounds (巡察轮次): the inspection office's view across the units of a round.

mod api;
mod figures;
mod pages;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;

pub(crate) use api::{OverviewDto, RoundDto, TotalsDto, UnitRowDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/rounds", api::list_rounds, AnyOf(READ), Target::None, Api, doc = api::__path_list_rounds),
    route!(GET "/api/rounds/{id}/overview", api::overview, AnyOf(READ), Target::None, Api, doc = api::__path_overview),
    route!(GET "/rounds", pages::list, AnyOf(READ), Target::None, Page),
    route!(GET "/rounds/{id}", pages::overview, AnyOf(READ), Target::None, Page),
];
