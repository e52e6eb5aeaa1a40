//! The settings page.

mod live_settings_form;
mod settings_page;

use live_settings_form::LiveSettingsForm;

pub use settings_page::SettingsPage;
