//! Settings: privacy and blocks, password and security (two-factor),
//! sessions, and your data and account.

mod account_page;
mod live_settings_form;
mod security_page;
mod sessions_page;
mod settings_page;
mod two_factor_section;

use live_settings_form::LiveSettingsForm;
use two_factor_section::TwoFactorSection;

pub use account_page::AccountPage;
pub use security_page::{SecurityPage, SettingsNav};
pub use sessions_page::SessionsPage;
pub use settings_page::SettingsPage;
