//! The ledger (整改台账): inspections, problems and measures with their figures, over the API and
//! as pages.

mod api;
mod pages;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;

pub(crate) use api::{
    CompletionDto, HistoryEntryDto, InspectionDetail, InspectionDto, MeasureDto, ProblemDto, StatisticsDto,
};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/inspections", api::list_inspections, AnyOf(READ), Target::None, Api, doc = api::__path_list_inspections),
    route!(GET "/api/inspections/{id}", api::get_inspection, AnyOf(READ), Target::Inspection, Api, doc = api::__path_get_inspection),
    route!(GET "/api/inspections/{id}/problems", api::list_problems, AnyOf(READ), Target::Inspection, Api, doc = api::__path_list_problems),
    route!(GET "/api/inspections/{id}/measures", api::list_measures, AnyOf(READ), Target::Inspection, Api, doc = api::__path_list_measures),
    route!(GET "/api/inspections/{id}/statistics", api::statistics, AnyOf(READ), Target::Inspection, Api, doc = api::__path_statistics),
    route!(GET "/api/problems/{id}", api::get_problem, AnyOf(READ), Target::Problem, Api, doc = api::__path_get_problem),
    route!(GET "/api/measures/{id}", api::get_measure, AnyOf(READ), Target::Measure, Api, doc = api::__path_get_measure),
    route!(GET "/api/measures/{id}/history", api::measure_history, AnyOf(READ), Target::Measure, Api, doc = api::__path_measure_history),
    route!(GET "/inspections/{id}", pages::inspection, AnyOf(READ), Target::Inspection, Page),
    route!(GET "/inspections/{id}/ledger", pages::ledger, AnyOf(READ), Target::Inspection, Page),
    route!(GET "/inspections/{id}/dashboard", pages::dashboard, AnyOf(READ), Target::Inspection, Page),
    route!(GET "/problems/{id}", pages::problem, AnyOf(READ), Target::Problem, Page),
    route!(GET "/measures/{id}", pages::measure, AnyOf(READ), Target::Measure, Page),
];
