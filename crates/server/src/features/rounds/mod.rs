//! Rounds (巡察轮次): the inspection office's view across the units of a round.

mod api;
mod figures;
mod pages;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;
use rectify_auth::Permission as P;

pub(crate) use api::{
    GroupDto, GroupUnitDto, MergeDto, MergedDto, MoveDto, MovedDto, OverviewDto, RoundDetailDto, RoundDto, TotalsDto,
    UnitRowDto,
};

/// The inspection office's care of rounds: rename, merge, move.
const MANAGE: &[P] = &[P::ManageRounds];
/// The aggregate report: whoever makes reports (it counts only the units they see).
const REPORT: &[P] = &[P::GenerateReports];

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/rounds", api::list_rounds, AnyOf(READ), Target::None, Api, doc = api::__path_list_rounds),
    route!(GET "/api/rounds/{id}/overview", api::overview, AnyOf(READ), Target::None, Api, doc = api::__path_overview),
    route!(GET "/rounds", pages::list, AnyOf(READ), Target::None, Page),
    route!(GET "/api/rounds/{id}", api::round, AnyOf(READ), Target::None, Api, doc = api::__path_round),
    route!(PATCH "/api/rounds/{id}", api::update, AnyOf(MANAGE), Target::None, Api, doc = api::__path_update),
    route!(POST "/api/rounds/{id}/merge", api::merge, AnyOf(MANAGE), Target::None, Api, doc = api::__path_merge),
    route!(PUT "/api/inspections/{id}/round", api::move_inspection, AnyOf(MANAGE), Target::Inspection, Api, doc = api::__path_move_inspection),
    route!(GET "/rounds/{id}", pages::overview, AnyOf(READ), Target::None, Page),
    route!(GET "/rounds/{id}/overview.xlsx", pages::overview_xlsx, AnyOf(READ), Target::None, Page),
    route!(GET "/rounds/{id}/report", pages::report, AnyOf(REPORT), Target::None, Page),
    route!(POST "/rounds/{id}/rename", pages::rename, AnyOf(MANAGE), Target::None, Page),
    route!(GET "/rounds/{id}/edit", pages::edit_page, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/rounds/{id}/edit", pages::edit, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/rounds/{id}/merge", pages::merge, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/rounds/{id}/move", pages::move_inspection, AnyOf(MANAGE), Target::None, Page),
];
