//! Page shells.

mod main_layout;

pub use main_layout::MainLayout;
