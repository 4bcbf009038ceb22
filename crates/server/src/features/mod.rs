//! The features, one folder each: its routes, its JSON handlers with their DTOs, its pages with
//! their view models. A feature calls the service layer, the render kit and the http layer;
//! it never imports another feature.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod common_problems;
pub mod documents;
pub mod editing;
pub mod evaluations;
pub mod home;
pub mod indicators;
pub mod ledger;
pub mod lookback;
pub mod notifications;
pub mod portal;
pub mod rounds;
pub mod search;
pub mod spot_checks;
pub mod supervision;
pub mod system;
pub mod workflow;
