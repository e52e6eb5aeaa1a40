//! Log-in and sign-up, email confirmation, password reset.

mod confirm_email_banner;
mod confirm_email_page;
mod forgot_password_page;
mod landing;
mod log_in_form;
mod reset_password_page;
mod sign_in_required;
mod sign_up_form;
mod two_factor_step;

pub use confirm_email_banner::{ConfirmEmailBanner, ConfirmEmailNotice};
pub use confirm_email_page::ConfirmEmailPage;
pub use forgot_password_page::ForgotPasswordPage;
pub use landing::Landing;
pub use log_in_form::LogInForm;
pub use reset_password_page::ResetPasswordPage;
pub use sign_in_required::SignInRequired;
pub use sign_up_form::SignUpForm;
pub use two_factor_step::TwoFactorStep;
