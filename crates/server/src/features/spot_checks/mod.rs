//! 双随机、一公开 spot checks as a finding source: a unit's registry of supervised objects and of
//! inspectors (kept by hand or imported from Excel), check rounds drawn at random with a published
//! seed, the finding per drawn object, the 专项检查 ledger made from the hazards, and the draw and
//! its results on the public portal. Every route names a registry record or a round by id; the
//! service checks that the record's unit lies in the caller's reach.

mod api;
mod pages;
mod public;

use crate::http::route::Access::{AnyOf, Public};
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::spot_checks::{LEDGER, MANAGE, PUBLISH, READ};

pub(crate) use api::{
    DrawRequest, HazardDto, ImportedDto, PublishRequest, SpotFiguresDto, SpotInspectorDto, SpotInspectorRequest,
    SpotItemDto, SpotLedgerDto, SpotObjectDto, SpotObjectRequest, SpotResultRequest, SpotRoundDto, SpotRoundRequest,
};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/spot-checks/objects", api::objects, AnyOf(READ), Target::None, Api, doc = api::__path_objects),
    route!(POST "/api/spot-checks/objects", api::add_object, AnyOf(MANAGE), Target::None, Api, doc = api::__path_add_object),
    route!(PUT "/api/spot-checks/objects/{id}", api::update_object, AnyOf(MANAGE), Target::None, Api, doc = api::__path_update_object),
    route!(POST "/api/spot-checks/objects/{id}/retire", api::retire_object, AnyOf(MANAGE), Target::None, Api, doc = api::__path_retire_object),
    route!(POST "/api/spot-checks/objects/import", api::import_objects, AnyOf(MANAGE), Target::None, ApiUpload, doc = api::__path_import_objects),
    route!(GET "/api/spot-checks/inspectors", api::inspectors, AnyOf(READ), Target::None, Api, doc = api::__path_inspectors),
    route!(POST "/api/spot-checks/inspectors", api::add_inspector, AnyOf(MANAGE), Target::None, Api, doc = api::__path_add_inspector),
    route!(PUT "/api/spot-checks/inspectors/{id}", api::update_inspector, AnyOf(MANAGE), Target::None, Api, doc = api::__path_update_inspector),
    route!(POST "/api/spot-checks/inspectors/import", api::import_inspectors, AnyOf(MANAGE), Target::None, ApiUpload, doc = api::__path_import_inspectors),
    route!(GET "/api/spot-checks/rounds", api::rounds, AnyOf(READ), Target::None, Api, doc = api::__path_rounds),
    route!(POST "/api/spot-checks/rounds", api::create_round, AnyOf(MANAGE), Target::None, Api, doc = api::__path_create_round),
    route!(GET "/api/spot-checks/rounds/{id}", api::round, AnyOf(READ), Target::None, Api, doc = api::__path_round),
    route!(POST "/api/spot-checks/rounds/{id}/draw", api::draw, AnyOf(MANAGE), Target::None, Api, doc = api::__path_draw),
    route!(POST "/api/spot-checks/rounds/{id}/results", api::record, AnyOf(MANAGE), Target::None, Api, doc = api::__path_record),
    route!(POST "/api/spot-checks/rounds/{id}/ledger", api::ledger, AnyOf(LEDGER), Target::None, Api, doc = api::__path_ledger),
    route!(POST "/api/spot-checks/rounds/{id}/publish", api::publish, AnyOf(PUBLISH), Target::None, Api, doc = api::__path_publish),
    route!(GET "/spot-checks", pages::index, AnyOf(READ), Target::None, Page),
    route!(POST "/spot-checks/objects", pages::add_object, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/objects/import", pages::import_objects, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/objects/{id}", pages::update_object, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/objects/{id}/retire", pages::retire_object, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/inspectors", pages::add_inspector, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/inspectors/import", pages::import_inspectors, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/inspectors/{id}", pages::update_inspector, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/rounds", pages::create_round, AnyOf(MANAGE), Target::None, Page),
    route!(GET "/spot-checks/rounds/{id}", pages::round, AnyOf(READ), Target::None, Page),
    route!(POST "/spot-checks/rounds/{id}/draw", pages::draw, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/rounds/{id}/results", pages::record, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/spot-checks/rounds/{id}/ledger", pages::ledger, AnyOf(LEDGER), Target::None, Page),
    route!(POST "/spot-checks/rounds/{id}/publish", pages::publish, AnyOf(PUBLISH), Target::None, Page),
    // 一公开: what is published, for everyone; nothing else.
    route!(GET "/public/spot-checks", public::index, Public, Target::None, Public),
    route!(GET "/public/spot-checks/{id}", public::round, Public, Target::None, Public),
];
