//! Sign-up, log-in, log-out and "who am I".

mod get_current_user;
mod log_in;
mod log_out;
mod sign_up;

pub use get_current_user::*;
pub use log_in::*;
pub use log_out::*;
pub use sign_up::*;
