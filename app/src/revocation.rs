//! Ending sessions reaches their open sockets: whoever deletes session
//! rows (log-out, "End session", "Log out everywhere else", a password
//! reset, account deletion) also calls [`Revocations::revoke`], and every
//! live socket of this process covered by it closes at once with close
//! code [`SIGNED_OUT_CLOSE_CODE`]; the page then shows itself signed out.
//! In-process for now (a `tokio::sync::broadcast` channel); issue I carries
//! it across instances.

use crate::ids::UserId;
use std::sync::Arc;
use tokio::sync::broadcast;

/// WebSocket close code for "your session ended" (4000–4999 is for
/// applications, RFC 6455 §7.4.2).
pub const SIGNED_OUT_CLOSE_CODE: u16 = 4401;

/// Which sessions ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// One session, by its id (the cookie value's session id).
    Session(String),
    /// Every session of `user`, except `except` (the one that asked).
    User {
        /// Whose sessions.
        user: UserId,
        /// A session id to keep.
        except: Option<String>,
    },
}

impl Revoked {
    /// Whether a socket opened by `session` of `user` must close.
    pub fn covers(&self, session: Option<&str>, user: UserId) -> bool {
        match self {
            Self::Session(id) => session == Some(id.as_str()),
            Self::User { user: u, except } => {
                *u == user && (except.is_none() || except.as_deref() != session)
            }
        }
    }
}

/// The broadcast of ended sessions. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Revocations(broadcast::Sender<Arc<Revoked>>);

impl Default for Revocations {
    fn default() -> Self {
        Self(broadcast::channel(256).0)
    }
}

impl Revocations {
    /// Tells every socket of this process that `revoked` ended.
    pub fn revoke(&self, revoked: Revoked) {
        // No receiver (no socket open) is fine.
        let _ = self.0.send(Arc::new(revoked));
    }

    /// A receiver for one socket. A socket that lags behind by more than
    /// 256 revocations must re-check its session (see `live.rs`).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Revoked>> {
        self.0.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_the_right_sockets() {
        let me = UserId(1);
        let one = Revoked::Session("a".into());
        assert!(one.covers(Some("a"), me));
        assert!(!one.covers(Some("b"), me));
        let all_but = Revoked::User {
            user: me,
            except: Some("a".into()),
        };
        assert!(!all_but.covers(Some("a"), me));
        assert!(all_but.covers(Some("b"), me));
        assert!(!all_but.covers(Some("b"), UserId(2)));
        let all = Revoked::User {
            user: me,
            except: None,
        };
        assert!(all.covers(Some("a"), me));
    }
}
