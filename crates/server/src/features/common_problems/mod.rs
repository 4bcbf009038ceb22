//! 共性问题: problems that several units of a round share, clustered by the words of their
//! titles, for the office to have them fixed everywhere (举一反三).

mod api;
mod pages;
mod params;

use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;

pub(crate) use api::{CascadeDto, CascadedDto, ClusterDto, ClusterProblemDto, CommonProblemsDto};

/// Sending a cluster to every unit (举一反三) is the office's care of the round.
const MANAGE: &[rectify_auth::Permission] = &[rectify_auth::Permission::ManageRounds];

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/rounds/{id}/common-problems", api::common_problems, AnyOf(READ), Target::None, Api,
        doc = api::__path_common_problems),
    route!(GET "/rounds/{id}/common-problems", pages::common_problems, AnyOf(READ), Target::None, Page),
    route!(POST "/api/rounds/{id}/common-problems/cascade", api::cascade, AnyOf(MANAGE), Target::None, Api,
        doc = api::__path_cascade),
    route!(GET "/rounds/{id}/common-problems/cascade", pages::confirm_cascade, AnyOf(MANAGE), Target::None, Page),
    route!(POST "/rounds/{id}/common-problems/cascade", pages::cascade, AnyOf(MANAGE), Target::None, Page),
];
