//! The answer of every JSON list: a page of items and how many there are in all.

use serde::Serialize;

/// `{"items": […], "total": N}`.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
}
