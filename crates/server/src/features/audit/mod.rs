//! The audit trail (审计日志): the audit administrator's API and page.

mod api;
mod pages;

use rectify_auth::Permission as P;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;

pub(crate) use api::AuditVerifyDto;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/audit", api::audit_list, AnyOf(&[P::ReadAuditTrail]), Target::None, Api, doc = api::__path_audit_list),
    route!(GET "/api/audit/export.csv", api::audit_export, AnyOf(&[P::ExportAuditTrail]), Target::None, Api, doc = api::__path_audit_export),
    route!(GET "/api/audit/verify", api::audit_verify, AnyOf(&[P::ReadAuditTrail]), Target::None, Api, doc = api::__path_audit_verify),
    route!(GET "/audit", pages::audit, AnyOf(&[P::ReadAuditTrail]), Target::None, Page),
];
