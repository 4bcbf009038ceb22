//! The service layer: everything the handlers need from the stored ledgers, and the only code of
//! the server that calls [`Store`]. It knows nothing of HTTP or HTML: it takes typed ids and the
//! signed-in [`session::Principal`], decides which role an account acts in, narrows to the data
//! scope, and returns records or plain data for the features to shape into JSON or pages.

pub mod accounts;
pub mod audit;
pub mod common_problems;
pub mod delivery;
pub mod documents;
pub mod editing;
pub mod evaluations;
pub mod feedback_routing;
pub mod inbox;
pub mod indicators;
pub mod ledger;
pub mod lookback;
pub mod notify;
pub mod portal;
pub mod portal_limits;
pub mod rounds;
pub mod scope;
pub mod search;
pub mod session;
pub mod spot_checks;
mod state;
pub mod supervision;
pub mod uploads;
pub mod workflow;

pub use state::{AppState, BEIJING, EVIDENCE_LIMIT_BYTES, UPLOAD_LIMIT_BYTES};
