//! The settings page.

mod settings_page;

pub use settings_page::SettingsPage;
