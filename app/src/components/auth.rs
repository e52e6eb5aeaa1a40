//! Log-in and sign-up.

mod landing;
mod log_in_form;
mod sign_in_required;
mod sign_up_form;

pub use landing::Landing;
pub use log_in_form::LogInForm;
pub use sign_in_required::SignInRequired;
pub use sign_up_form::SignUpForm;
