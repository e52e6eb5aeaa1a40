//! Search.

mod search_all;

pub use search_all::*;
