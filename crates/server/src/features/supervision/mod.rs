//! Supervision (督办): reminders, the overdue and at-risk measures, and the ledger's bulk actions.

mod api;
mod pages;

use rectify_auth::Permission as P;

use crate::http::route::Access::{AnyOf, SignedIn};
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::{READ, REASSIGN};

pub(crate) use api::{FlaggedDto, LightCounts, ReminderDto, ReminderRequest, SupervisionDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/me/reminders", api::my_reminders, SignedIn, Target::None, Api, doc = api::__path_my_reminders),
    route!(POST "/api/measures/{id}/reminders", api::remind, AnyOf(&[P::SendReminder]), Target::Measure, Api, doc = api::__path_remind),
    route!(GET "/api/inspections/{id}/supervision", api::supervision, AnyOf(READ), Target::Inspection, Api, doc = api::__path_supervision),
    route!(POST "/measures/{id}/remind", pages::remind, AnyOf(&[P::SendReminder]), Target::Measure, Page),
    route!(POST "/inspections/{id}/bulk/remind", pages::bulk_remind, AnyOf(&[P::SendReminder]), Target::Inspection, Page),
    route!(GET "/inspections/{id}/supervision", pages::notice_page, AnyOf(&[P::SendReminder]), Target::Inspection, Page),
    route!(GET "/inspections/{id}/supervision/notice.docx", pages::notice_docx, AnyOf(&[P::SendReminder]), Target::Inspection, Page),
    route!(POST "/inspections/{id}/supervision/sent", pages::notice_sent, AnyOf(&[P::SendReminder]), Target::Inspection, Page),
    route!(POST "/inspections/{id}/bulk/assign", pages::bulk_assign, AnyOf(REASSIGN), Target::Inspection, Page),
];
