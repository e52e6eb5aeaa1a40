//! The search page.

mod search_page;

pub use search_page::SearchPage;
