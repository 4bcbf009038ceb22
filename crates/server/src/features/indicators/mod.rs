//! Unit indicators (整改指标): figures a unit tracks through its rectification, kept by its
//! liaison and shown on its dashboard and in its report.

mod api;
mod pages;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;
use rectify_auth::Permission as P;

pub(crate) use api::{IndicatorDto, IndicatorRequest, ReadingDto, ReadingRequest};

/// The unit's liaison keeps its indicators (scope checked against the indicator's unit).
const EDIT: &[P] = &[P::EditLedger];

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/inspections/{id}/indicators", api::list, AnyOf(READ), Target::Inspection, Api, doc = api::__path_list),
    route!(POST "/api/inspections/{id}/indicators", api::create, AnyOf(EDIT), Target::Inspection, Api, doc = api::__path_create),
    route!(POST "/api/indicators/{id}/readings", api::add_reading, AnyOf(EDIT), Target::None, Api, doc = api::__path_add_reading),
    route!(POST "/inspections/{id}/indicators", pages::create, AnyOf(EDIT), Target::Inspection, Page),
    route!(POST "/indicators/{id}/readings", pages::add_reading, AnyOf(EDIT), Target::None, Page),
];
