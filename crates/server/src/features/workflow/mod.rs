//! The closure (销号) workflow: steps on measures, progress with evidence, closing and reopening
//! problems — over the API and in the pages.

mod api;
mod form;
mod pages;

use rectify_auth::Permission as P;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::{READ, REPORT_PROGRESS, WORKFLOW};

pub(crate) use api::{ActionRequest, ReasonRequest};
pub(crate) use form::read_progress_form;

pub(crate) const ROUTES: &[Route] = &[
    route!(POST "/api/measures/{id}/actions", api::measure_action, AnyOf(WORKFLOW), Target::Measure, Api, doc = api::__path_measure_action),
    route!(POST "/api/measures/{id}/progress", api::add_progress, AnyOf(REPORT_PROGRESS), Target::Measure, ApiUpload, doc = api::__path_add_progress),
    route!(GET "/api/evidence/{sha256}", api::evidence, AnyOf(READ), Target::Evidence, Api, doc = api::__path_evidence),
    route!(POST "/api/problems/{id}/close", api::close_problem, AnyOf(&[P::VerifyClosure]), Target::Problem, Api, doc = api::__path_close_problem),
    route!(POST "/api/problems/{id}/reopen", api::reopen_problem, AnyOf(&[P::VerifyClosure, P::RunLookBack]), Target::Problem, Api, doc = api::__path_reopen_problem),
    route!(POST "/measures/{id}/actions", pages::measure_action, AnyOf(WORKFLOW), Target::Measure, Page),
    route!(POST "/measures/{id}/progress", pages::progress, AnyOf(REPORT_PROGRESS), Target::Measure, Page),
    route!(POST "/problems/{id}/close", pages::close_problem, AnyOf(&[P::VerifyClosure]), Target::Problem, Page),
];
