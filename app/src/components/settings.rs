//! Settings: privacy and blocks, password and security (two-factor),
//! sessions, and your data and account.

mod account_page;
mod live_settings_form;
mod security_page;
mod sessions_page;
mod settings_page;
mod two_factor_section;

use live_settings_form::LiveSettingsForm;
#[allow(unused_imports)] // used once the section is written
use two_factor_section::TwoFactorSection;

pub use account_page::AccountPage;
pub use security_page::SecurityPage;
pub use sessions_page::SessionsPage;
pub use settings_page::SettingsPage;
