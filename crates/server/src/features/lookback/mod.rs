//! Look-back (回头看) and 反弹重办: the inspection office's second look at closed problems.

mod api;
mod pages;

use rectify_auth::Permission as P;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;

pub(crate) use api::{LookbackRequest, LookbackResultRequest};

const LOOK_BACK: &[P] = &[P::RunLookBack];

pub(crate) const ROUTES: &[Route] = &[
    route!(POST "/api/inspections/{id}/lookbacks", api::schedule_lookback, AnyOf(LOOK_BACK), Target::Inspection, Api, doc = api::__path_schedule_lookback),
    route!(POST "/api/lookback-items/{id}", api::record_lookback, AnyOf(LOOK_BACK), Target::LookbackItem, Api, doc = api::__path_record_lookback),
    route!(GET "/inspections/{id}/lookback", pages::page, AnyOf(LOOK_BACK), Target::Inspection, Page),
    route!(POST "/inspections/{id}/lookback", pages::draw, AnyOf(LOOK_BACK), Target::Inspection, Page),
    route!(POST "/lookback-items/{id}", pages::record, AnyOf(LOOK_BACK), Target::LookbackItem, Page),
    route!(POST "/problems/{id}/reopen", pages::reopen, AnyOf(LOOK_BACK), Target::Problem, Page),
];
