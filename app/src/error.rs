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
    /// A write over its per-user rate limit (see
    /// `services::limits`); retry after `retry_after_s` seconds.
    #[error("You're doing that too fast; try again in {}.", crate::time_fmt::duration_words(*retry_after_s))]
    TooFast {
        /// Seconds until the next one is allowed.
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
    /// The server is too busy to take this now (e.g. every password-hashing
    /// slot is taken); retry after `retry_after_s` seconds.
    #[error("Hearth is busy right now. Try again in {}.", crate::time_fmt::duration_words(*retry_after_s))]
    Busy {
        /// Seconds to wait before retrying.
        retry_after_s: u64,
    },
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
    /// 9110 §15; 429 from RFC 6585): 401, 403, 404, 409, 413, 422, 429, 500
    /// or 503.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden | Self::EmailNotConfirmed => 403,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::TooLarge(_) => 413,
            Self::Validation { .. } => 422,
            Self::RateLimited { .. } | Self::TooFast { .. } => 429,
            Self::Internal | Self::Network => 500,
            Self::Busy { .. } => 503,
        }
    }

    /// Seconds to wait before retrying, for the errors that say so (sent as
    /// `Retry-After`, RFC 9110 §10.2.3).
    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_s }
            | Self::TooFast { retry_after_s }
            | Self::Busy { retry_after_s } => Some(*retry_after_s),
            _ => None,
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

    /// Seconds a client is asked to wait when the database can't be
    /// reached (the `Retry-After` of the 503).
    pub const DB_UNAVAILABLE_RETRY_S: u64 = 5;

    /// A database error becomes `Busy` (503 with `Retry-After`) when the
    /// database couldn't be reached: no pooled connection within the
    /// acquire timeout, a failed connect, a connection cut mid-query, or
    /// PostgreSQL refusing work while it shuts down or starts (SQLSTATE
    /// classes 08 and 57P). Anything else is a bug or bad data: `Internal`.
    impl From<sea_orm::DbErr> for AppError {
        fn from(err: sea_orm::DbErr) -> Self {
            if is_unavailable(&err) {
                tracing::error!(error = %err, "database unavailable");
                return Self::Busy {
                    retry_after_s: DB_UNAVAILABLE_RETRY_S,
                };
            }
            tracing::error!(error = %err, "database error");
            Self::Internal
        }
    }

    /// Whether `err` says the database is out of reach rather than that
    /// the query was wrong.
    pub fn is_unavailable(err: &sea_orm::DbErr) -> bool {
        use sea_orm::{DbErr, RuntimeErr, SqlxError};
        match err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
            DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
                match e.as_ref() {
                    SqlxError::Io(_)
                    | SqlxError::PoolTimedOut
                    | SqlxError::PoolClosed
                    | SqlxError::WorkerCrashed => true,
                    SqlxError::Database(db) => db
                        .code()
                        .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
                    _ => false,
                }
            }
            _ => false,
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

    /// Maps a unique-constraint violation to `on_unique`, anything else as
    /// `From<DbErr>` does (logged). Works on SQLite and PostgreSQL.
    pub fn on_unique(err: sea_orm::DbErr, on_unique: AppError) -> AppError {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => on_unique,
            _ => err.into(),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::{AppError, DB_UNAVAILABLE_RETRY_S, is_unavailable};
        use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, SqlxError};
        use std::sync::Arc;

        #[test]
        fn an_unreachable_database_is_busy_not_a_bug() {
            let timeout: AppError = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout).into();
            assert_eq!(
                timeout,
                AppError::Busy {
                    retry_after_s: DB_UNAVAILABLE_RETRY_S
                }
            );
            assert_eq!(timeout.http_status(), 503);
            let cut = DbErr::Query(RuntimeErr::SqlxError(Arc::new(SqlxError::Io(
                std::io::ErrorKind::ConnectionReset.into(),
            ))));
            assert!(is_unavailable(&cut));
            let bug = DbErr::Query(RuntimeErr::SqlxError(Arc::new(SqlxError::RowNotFound)));
            assert!(!is_unavailable(&bug));
            assert_eq!(AppError::from(bug), AppError::Internal);
            assert_eq!(
                AppError::from(DbErr::RecordNotFound("x".into())),
                AppError::Internal
            );
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr_impls::{DB_UNAVAILABLE_RETRY_S, is_unavailable, on_unique};

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
