//! 文档导入导出: reading a unit's report or workbook (preview, findings, import on confirmation)
//! and downloading a ledger's report or workbook.

mod pages;

pub(crate) use pages::read_upload;

use rectify_auth::Permission as P;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::DOCUMENTS;

const IMPORT: &[P] = &[P::ImportDocuments];

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/documents", pages::page, AnyOf(DOCUMENTS), Target::None, Page),
    route!(POST "/documents/upload", pages::upload, AnyOf(IMPORT), Target::None, Page),
    route!(GET "/documents/preview/{token}", pages::preview, AnyOf(IMPORT), Target::None, Page),
    route!(POST "/documents/confirm", pages::confirm, AnyOf(IMPORT), Target::None, Page),
    route!(GET "/inspections/{id}/export/{file}", pages::export, AnyOf(&[P::ExportLedger, P::GenerateReports]), Target::Inspection, Page),
];
