//! 共性问题: problems that several units of a round share, clustered by the words of their
//! titles, for the office to have them fixed everywhere (举一反三).

mod api;
mod pages;
mod params;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;

pub(crate) use api::{ClusterDto, ClusterProblemDto, CommonProblemsDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/rounds/{id}/common-problems", api::common_problems, AnyOf(READ), Target::None, Api,
        doc = api::__path_common_problems),
    route!(GET "/rounds/{id}/common-problems", pages::common_problems, AnyOf(READ), Target::None, Page),
];
