//! Evaluation (整改评估): the inspection office scores every unit of a round on its outcomes by
//! the round's score sheet, adjusts a score with a reason, and ranks the units; each unit reads
//! its own evaluation sheet. Downloads: a unit's sheet as .docx, the round's as .xlsx.

mod api;
mod figures;
mod pages;

use rectify_auth::Permission as P;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;

pub(crate) use api::{AdjustmentDto, AdjustmentRequest, DeductionDto, EvaluationDto, IndicatorDto, UnitEvaluationDto};

/// Setting the score sheet and adjusting scores: the inspection office.
const EVALUATE: &[P] = &[P::EvaluateRectification];

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/rounds/{id}/evaluations", api::list, AnyOf(READ), Target::None, Api, doc = api::__path_list),
    route!(GET "/api/rounds/{id}/score-sheet", api::get_sheet, AnyOf(READ), Target::None, Api, doc = api::__path_get_sheet),
    route!(PUT "/api/rounds/{id}/score-sheet", api::put_sheet, AnyOf(EVALUATE), Target::None, Api, doc = api::__path_put_sheet),
    route!(GET "/api/inspections/{id}/evaluation", api::unit, AnyOf(READ), Target::Inspection, Api, doc = api::__path_unit),
    route!(POST "/api/inspections/{id}/evaluation/adjustments", api::adjust, AnyOf(EVALUATE), Target::Inspection, Api, doc = api::__path_adjust),
    route!(GET "/rounds/{id}/evaluations", pages::round, AnyOf(READ), Target::None, Page),
    route!(GET "/rounds/{id}/evaluations.xlsx", pages::round_xlsx, AnyOf(READ), Target::None, Page),
    route!(POST "/rounds/{id}/score-sheet", pages::save_sheet, AnyOf(EVALUATE), Target::None, Page),
    route!(GET "/inspections/{id}/evaluation", pages::unit, AnyOf(READ), Target::Inspection, Page),
    route!(GET "/inspections/{id}/evaluation.docx", pages::unit_docx, AnyOf(READ), Target::Inspection, Page),
    route!(POST "/inspections/{id}/evaluation", pages::adjust, AnyOf(EVALUATE), Target::Inspection, Page),
];
