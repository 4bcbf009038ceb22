//! Editing the ledger (台账编辑): create an inspection for a unit; add, change, move, delete or
//! retire (作废) its aspects, problems and measures; split a measure; take a draft live — over
//! the API and from the ledger's pages.

mod api;
mod pages;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::{CREATE_INSPECTION, EDIT};

pub(crate) use api::{CreatedDto, InspectionRequest, MergeRequest, RetireRequest, SplitRequest, VersionDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(POST "/api/inspections", api::create_inspection, AnyOf(CREATE_INSPECTION), Target::None, Api, doc = api::__path_create_inspection),
    route!(POST "/api/inspections/{id}/aspects", api::add_aspect, AnyOf(EDIT), Target::Inspection, Api, doc = api::__path_add_aspect),
    route!(POST "/api/inspections/{id}/go-live", api::go_live, AnyOf(EDIT), Target::Inspection, Api, doc = api::__path_go_live),
    route!(PATCH "/api/aspects/{id}", api::update_aspect, AnyOf(EDIT), Target::Aspect, Api, doc = api::__path_update_aspect),
    route!(DELETE "/api/aspects/{id}", api::delete_aspect, AnyOf(EDIT), Target::Aspect, Api, doc = api::__path_delete_aspect),
    route!(POST "/api/aspects/{id}/problems", api::add_problem, AnyOf(EDIT), Target::Aspect, Api, doc = api::__path_add_problem),
    route!(PATCH "/api/problems/{id}", api::update_problem, AnyOf(EDIT), Target::Problem, Api, doc = api::__path_update_problem),
    route!(DELETE "/api/problems/{id}", api::delete_problem, AnyOf(EDIT), Target::Problem, Api, doc = api::__path_delete_problem),
    route!(POST "/api/problems/{id}/retire", api::retire_problem, AnyOf(EDIT), Target::Problem, Api, doc = api::__path_retire_problem),
    route!(POST "/api/problems/{id}/merge", api::merge_problems, AnyOf(EDIT), Target::Problem, Api, doc = api::__path_merge_problems),
    route!(POST "/api/problems/{id}/measures", api::add_measure, AnyOf(EDIT), Target::Problem, Api, doc = api::__path_add_measure),
    route!(PATCH "/api/measures/{id}", api::update_measure, AnyOf(EDIT), Target::Measure, Api, doc = api::__path_update_measure),
    route!(DELETE "/api/measures/{id}", api::delete_measure, AnyOf(EDIT), Target::Measure, Api, doc = api::__path_delete_measure),
    route!(POST "/api/measures/{id}/retire", api::retire_measure, AnyOf(EDIT), Target::Measure, Api, doc = api::__path_retire_measure),
    route!(POST "/api/measures/{id}/split", api::split_measure, AnyOf(EDIT), Target::Measure, Api, doc = api::__path_split_measure),
    route!(GET "/inspections/new", pages::new_page, AnyOf(CREATE_INSPECTION), Target::None, Page),
    route!(POST "/inspections/new", pages::create, AnyOf(CREATE_INSPECTION), Target::None, Form),
    route!(GET "/inspections/{id}/edit", pages::inspection_page, AnyOf(EDIT), Target::Inspection, Page),
    route!(POST "/inspections/{id}/aspects", pages::add_aspect, AnyOf(EDIT), Target::Inspection, Form),
    route!(POST "/inspections/{id}/go-live", pages::go_live, AnyOf(EDIT), Target::Inspection, Form),
    route!(POST "/aspects/{id}/edit", pages::edit_aspect, AnyOf(EDIT), Target::Aspect, Form),
    route!(POST "/aspects/{id}/problems", pages::add_problem, AnyOf(EDIT), Target::Aspect, Form),
    route!(GET "/problems/{id}/edit", pages::problem_page, AnyOf(EDIT), Target::Problem, Page),
    route!(POST "/problems/{id}/edit", pages::edit_problem, AnyOf(EDIT), Target::Problem, Form),
    route!(POST "/problems/{id}/measures", pages::add_measure, AnyOf(EDIT), Target::Problem, Form),
    route!(POST "/measures/{id}/edit", pages::edit_measure, AnyOf(EDIT), Target::Measure, Form),
];
