//! The public portal (公开通报与意见建议) and the unit's side of it.

mod api;
mod public;
mod routing;
mod staff;

use rectify_auth::Permission as P;

use crate::http::route::Access::{AnyOf, Public};
use crate::http::route::{Route, Target};
use crate::route;

pub(crate) use api::{PublicationPreviewDto, PublishRequest, PublishedDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/public", public::index, Public, Target::None, Public),
    route!(GET "/public/", public::index_slash, Public, Target::None, Public),
    route!(GET "/public/portal.css", public::stylesheet, Public, Target::None, Public),
    route!(GET "/public/pow.js", public::proof_script, Public, Target::None, Public),
    route!(GET "/public/reports/{id}", public::report, Public, Target::None, Public),
    route!(GET "/public/reports/{id}/original.html", public::original, Public, Target::None, Public),
    route!(GET "/public/units/{unit}/feedback", public::feedback_form, Public, Target::None, Public),
    route!(POST "/public/units/{unit}/feedback", public::submit, Public, Target::None, Public),
    route!(GET "/public/units/{unit}/qr.svg", public::qr_svg, Public, Target::None, Public),
    route!(GET "/public/units/{unit}/qr", public::qr_sheet, Public, Target::None, Public),
    route!(GET "/public/u/{code}", public::short_link, Public, Target::None, Public),
    route!(GET "/public/feedback/lookup", public::lookup_form, Public, Target::None, Public),
    route!(POST "/public/feedback/lookup", public::lookup, Public, Target::None, Public),
    // The unit's side; the feedback handlers narrow to the units of the inspections in scope.
    route!(GET "/api/inspections/{id}/publication-preview", api::preview, AnyOf(&[P::PublishReport]), Target::Inspection, Api, doc = api::__path_preview),
    route!(POST "/api/inspections/{id}/publications", api::publish, AnyOf(&[P::PublishReport]), Target::Inspection, Api, doc = api::__path_publish),
    route!(GET "/inspections/{id}/publish", staff::preview, AnyOf(&[P::PublishReport]), Target::Inspection, Page),
    route!(POST "/inspections/{id}/publish", staff::publish, AnyOf(&[P::PublishReport]), Target::Inspection, Form),
    route!(POST "/published/{id}/withdraw", staff::withdraw, AnyOf(&[P::PublishReport]), Target::None, Form),
    route!(GET "/feedback", staff::inbox, AnyOf(&[P::ReadFeedback]), Target::None, Form),
    route!(GET "/feedback/{id}", staff::item, AnyOf(&[P::ReadFeedback]), Target::None, Form),
    route!(POST "/feedback/{id}/answer", staff::answer, AnyOf(&[P::AnswerFeedback]), Target::None, Form),
    route!(POST "/feedback/{id}/processing", staff::processing, AnyOf(&[P::AnswerFeedback]), Target::None, Form),
    route!(POST "/feedback/{id}/approve", routing::approve, AnyOf(&[P::ApproveFeedbackAnswer]), Target::None, Form),
    route!(POST "/feedback/{id}/return", routing::return_answer, AnyOf(&[P::ApproveFeedbackAnswer]), Target::None, Form),
    route!(POST "/feedback/{id}/forward", routing::forward, AnyOf(&[P::AnswerFeedback]), Target::None, Form),
    route!(POST "/feedback/{id}/link", routing::link, AnyOf(&[P::AnswerFeedback]), Target::None, Form),
    route!(POST "/feedback/settings", routing::settings, AnyOf(&[P::ApproveFeedbackAnswer]), Target::None, Form),
];
