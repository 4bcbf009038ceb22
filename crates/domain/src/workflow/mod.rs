//! The closure (销号) workflow of a measure as an explicit state machine (domain brief §6.3).
//!
//! 未启动 → 正在整改 (↔ 基本完成) → claimed complete with evidence → checked by the leader in charge →
//! confirmed by the unit's leading group (已完成待核) → verified and closed (已销号) by the verifier
//! outside the unit. Every review step can send the measure back with a reason (退回重办); an
//! extension is a request the verifier approves, never a silent date change; long-term measures
//! close stages and stay open; look-back can reopen a closed measure (反弹).
//!
//! The machine is pure: it decides, the storage layer records. One rule table says who may take
//! which step in which state; [`apply`] decides a step with it and [`available_actions`] lists the
//! steps an actor may take now, so the buttons a page shows and the steps the machine accepts
//! cannot drift apart. Refusals are typed ([`WorkflowError`]) and carry their Chinese message.
//!
//! The files: `state` (who acts, where a measure stands), `action` (the steps and their one
//! table of names and labels), `rules` (the rule table, [`apply`], [`available_actions`]),
//! `refusal` (why a step is refused) and `acting` (which role an account acts in).

mod acting;
mod action;
mod refusal;
mod rules;
pub(crate) mod state;

pub use acting::{Task, acting_role};
pub use action::{Action, ActionKind, UnknownAction};
pub use refusal::WorkflowError;
pub use rules::{Availability, Blocker, Outcome, apply, available_actions, available_actions_any, deciders};
pub use state::{Actor, ExtensionRequest, Hands, MeasureFacts, MeasureState, OwnWork, Person, ReviewStage};
