//! App-wide state provided at the root: who is signed in, and the live
//! event connection.

pub mod auth_context;
pub mod live_context;
