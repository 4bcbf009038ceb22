//! 全文检索: search across problems, measures, progress, evidence names and public feedback
//! within the caller's data scope — the API, the results page and the header's search box.

mod api;
mod pages;
mod params;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;

pub(crate) use api::{SearchHitDto, SearchPageDto, everything};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/search", api::search, AnyOf(READ), Target::None, Api, doc = api::__path_search),
    route!(GET "/search", pages::search, AnyOf(READ), Target::None, Page),
];
