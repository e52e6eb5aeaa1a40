//! App-wide state provided at the root: who is signed in, the live event
//! connection, and the unread badges and presence built on it.

pub mod auth_context;
pub mod chat_context;
pub mod live_context;
