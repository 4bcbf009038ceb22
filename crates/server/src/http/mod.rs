//! The http layer: the route type and its layers, authorization by the route table, the CSRF
//! check of forms, extractors (typed ids, bodies, the signed-in account), the page context, how
//! errors are answered, and the embedded assets. It imports no feature.

pub mod assets;
pub mod authz;
pub mod csp;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod page;
pub mod paged;
pub mod route;
pub mod rule;
