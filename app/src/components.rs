//! Pages and their parts, by domain; shared widgets in [`common`].

pub mod auth;
pub mod chat;
pub mod common;
pub mod home;
pub mod notifications;
pub mod photos;
pub mod posts;
pub mod profiles;
pub mod search;
pub mod settings;
pub mod social;
pub mod video;
