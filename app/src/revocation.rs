//! Ending sessions reaches their open sockets: whoever deletes session
//! rows (log-out, "End session", "Log out everywhere else", a password
//! reset, account deletion) also calls [`Revocations::revoke`], and every
//! live socket of this process covered by it closes at once with close
//! code [`SIGNED_OUT_CLOSE_CODE`]; the page then shows itself signed out.
//! Within a process this is a `tokio::sync::broadcast` channel; with Redis
//! ([`Revocations::with_redis`]) every revocation is also published on
//! [`crate::cluster::REVOKED_CHANNEL`] and replayed into every other
//! instance's channel. Revocations published while Redis was down are
//! lost, so when the subscription comes back every socket re-checks its
//! session in the database ([`Revoked::Recheck`]).

use crate::ids::UserId;
use std::sync::Arc;
use tokio::sync::broadcast;

/// WebSocket close code for "your session ended" (4000–4999 is for
/// applications, RFC 6455 §7.4.2).
pub const SIGNED_OUT_CLOSE_CODE: u16 = 4401;

/// Which sessions ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// Some revocations may have been missed (the Redis link was down):
    /// every socket looks its session up again.
    Recheck,
}

impl Revoked {
    /// Whether a socket opened by `session` of `user` must close.
    pub fn covers(&self, session: Option<&str>, user: UserId) -> bool {
        match self {
            Self::Session(id) => session == Some(id.as_str()),
            Self::User { user: u, except } => {
                *u == user && (except.is_none() || except.as_deref() != session)
            }
            Self::Recheck => false,
        }
    }
}

/// The broadcast of ended sessions. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Revocations {
    local: broadcast::Sender<Arc<Revoked>>,
    redis: Option<Arc<crate::cluster::RedisLink>>,
}

impl Default for Revocations {
    fn default() -> Self {
        Self {
            local: broadcast::channel(256).0,
            redis: None,
        }
    }
}

/// A revocation on [`crate::cluster::REVOKED_CHANNEL`].
#[derive(serde::Serialize, serde::Deserialize)]
struct WireRevoked {
    from: u64,
    revoked: Revoked,
}

impl Revocations {
    /// Revocations that also reach (and come from) the other instances on
    /// `link` (register before [`crate::cluster::RedisLink::start`]).
    pub fn with_redis(link: Arc<crate::cluster::RedisLink>) -> Self {
        let local = broadcast::channel(256).0;
        let me = link.instance().0;
        let tx = local.clone();
        link.on_message(
            crate::cluster::REVOKED_CHANNEL,
            Box::new(
                move |payload| match serde_json::from_str::<WireRevoked>(payload) {
                    Ok(wire) if wire.from != me => {
                        let _ = tx.send(Arc::new(wire.revoked));
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable revocation from Redis"),
                },
            ),
        );
        let tx = local.clone();
        link.on_connect(Box::new(move || {
            let _ = tx.send(Arc::new(Revoked::Recheck));
        }));
        Self {
            local,
            redis: Some(link),
        }
    }

    /// Tells every socket of this process (and, with Redis, of every
    /// instance) that `revoked` ended.
    pub fn revoke(&self, revoked: Revoked) {
        if let Some(link) = &self.redis {
            let wire = WireRevoked {
                from: link.instance().0,
                revoked: revoked.clone(),
            };
            match serde_json::to_string(&wire) {
                Ok(payload) => link.publish(crate::cluster::REVOKED_CHANNEL, payload),
                Err(e) => tracing::error!(error = %e, "serializing a revocation"),
            }
        }
        // No receiver (no socket open) is fine.
        let _ = self.local.send(Arc::new(revoked));
    }

    /// A receiver for one socket. A socket that lags behind by more than
    /// 256 revocations must re-check its session (see `live.rs`).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Revoked>> {
        self.local.subscribe()
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
