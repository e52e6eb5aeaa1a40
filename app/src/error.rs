//! The one error type that crosses the wire: server functions return it, the
//! UI matches on it. Server-side causes are logged where they are converted
//! (see `ssr` impls below) and never serialized.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Errors a user can see. Serialized as JSON between server and browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// No signed-in user where one is required.
    #[error("Please log in to continue.")]
    Unauthorized,
    /// The signed-in user may not do this (e.g. edit someone else's post).
    #[error("You can't do that.")]
    Forbidden,
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("We couldn't find that.")]
    NotFound,
    /// Bad input for one field; `field` is the form field's `name`.
    #[error("{message}")]
    Validation {
        /// Form field name, e.g. `"username"`.
        field: String,
        /// Sentence shown next to the field.
        message: String,
    },
    /// Log-in with an unknown user or a wrong password: one message for both,
    /// so the answer does not reveal which accounts exist.
    #[error("Incorrect username, email or password.")]
    InvalidCredentials,
    /// Too many attempts; retry after `retry_after_s` seconds.
    #[error("Too many attempts. Try again in {}.", crate::time_fmt::duration_words(*retry_after_s))]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after_s: u64,
    },
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The upload is over its size limit; the message names the limit.
    #[error("{0}")]
    TooLarge(String),
    /// The action needs a confirmed email address
    /// (`HEARTH_REQUIRE_CONFIRMED_EMAIL` is on and this account's isn't).
    #[error(
        "Confirm your email address first: open the link we sent you, or ask for a new one in the banner above."
    )]
    EmailNotConfirmed,
    /// Something failed on the server; details are in the server log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request could not reach the server or its answer was unreadable.
    #[error("Couldn't reach Hearth. Check your connection and try again.")]
    Network,
}

impl AppError {
    /// A [`AppError::Validation`] for `field`.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The message to show beside form field `field`, if this error concerns it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation { field: f, message } if f == field => Some(message.clone()),
            _ => None,
        }
    }

    /// The HTTP status a server function answers with for this error (RFC
    /// 9110 §15; 429 from RFC 6585): 401, 403, 404, 409, 413, 422, 429 or
    /// 500.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden | Self::EmailNotConfirmed => 403,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::TooLarge(_) => 413,
            Self::Validation { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal | Self::Network => 500,
        }
    }

    /// True when the error belongs beside a particular field rather than on
    /// top of the form.
    pub fn is_field_error(&self) -> bool {
        matches!(self, Self::Validation { .. })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => Self::Network,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                Self::validation("form", "Some of the form was missing or malformed.")
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                let _ = other;
                Self::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr_impls {
    use super::AppError;

    impl From<sea_orm::DbErr> for AppError {
        fn from(err: sea_orm::DbErr) -> Self {
            tracing::error!(error = %err, "database error");
            Self::Internal
        }
    }

    impl From<anyhow::Error> for AppError {
        fn from(err: anyhow::Error) -> Self {
            tracing::error!(error = ?err, "internal error");
            Self::Internal
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(err: tower_sessions::session::Error) -> Self {
            tracing::error!(error = %err, "session error");
            Self::Internal
        }
    }

    /// Maps a unique-constraint violation to `on_unique`, anything else to
    /// `Internal` (logged). Works on SQLite and PostgreSQL.
    pub fn on_unique(err: sea_orm::DbErr, on_unique: AppError) -> AppError {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => on_unique,
            _ => err.into(),
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr_impls::on_unique;

/// Shorthand for results whose error is [`AppError`].
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_message_names_the_wait() {
        let e = AppError::RateLimited { retry_after_s: 300 };
        assert_eq!(e.to_string(), "Too many attempts. Try again in 5 minutes.");
    }

    #[test]
    fn field_message_only_for_its_field() {
        let e = AppError::validation("username", "That username is taken.");
        assert_eq!(
            e.field_message("username").as_deref(),
            Some("That username is taken.")
        );
        assert_eq!(e.field_message("email"), None);
    }

    #[test]
    fn round_trips_as_json() {
        let e = AppError::RateLimited { retry_after_s: 12 };
        let back: AppError =
            serde_json::from_str(&serde_json::to_string(&e).expect("serialize")).expect("parse");
        assert_eq!(back, e);
    }
}
