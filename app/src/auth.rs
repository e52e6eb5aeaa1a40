//! Who is signed in: the server-side session (tower-sessions, stored in the
//! `sessions` table) holds the user id under [`USER_ID_KEY`]. Server-only.

use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use tower_sessions::Session;

/// Session key of the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";
/// Session key of when this session signed in (ms).
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at_ms";
/// Session key of the browser's `User-Agent` at sign-in (at most 512 bytes).
pub const USER_AGENT_KEY: &str = "user_agent";
/// Session key of the client IP at sign-in.
pub const IP_KEY: &str = "ip";

/// The current request's session.
///
/// # Errors
/// `Internal` if the session layer is missing (logged).
pub async fn session() -> AppResult<Session> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session on the request");
        AppError::Internal
    })
}

/// The signed-in user's id from a session, if any.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn user_id_of(session: &Session) -> AppResult<Option<UserId>> {
    Ok(session.get::<i64>(USER_ID_KEY).await?.map(UserId))
}

/// The signed-in user's id, if any.
///
/// # Errors
/// `Internal` if the session can't be read.
pub async fn current_user_id() -> AppResult<Option<UserId>> {
    user_id_of(&session().await?).await
}

/// The signed-in user's id.
///
/// # Errors
/// `Unauthorized` when signed out.
pub async fn require_user() -> AppResult<UserId> {
    current_user_id().await?.ok_or(AppError::Unauthorized)
}

/// Signs `user` in: a fresh session id (against fixation), then the user id.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn start_session(user: UserId) -> AppResult<()> {
    let session = session().await?;
    session.cycle_id().await?;
    // Anything a half-finished log-in left (two-factor step) goes.
    session.clear().await;
    session.insert(USER_ID_KEY, user.0).await?;
    session
        .insert(SIGNED_IN_AT_KEY, crate::time_fmt::now_ms())
        .await?;
    let agent = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            h.get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(512).collect::<String>())
        })
        .unwrap_or_default();
    session.insert(USER_AGENT_KEY, agent).await?;
    if let Some(ip) = client_ip().await {
        session.insert(IP_KEY, ip.to_string()).await?;
    }
    Ok(())
}

/// The current session's id, once it has one (after its first save).
///
/// # Errors
/// `Internal` if the session layer is missing.
pub async fn current_session_id() -> AppResult<Option<String>> {
    Ok(session().await?.id().map(|id| id.to_string()))
}

/// The signed-in user's id, counting one `action` against their rate
/// limit (see [`crate::services::limits`]). Every mutation starts here.
///
/// # Errors
/// `Unauthorized` when signed out; `TooFast` over the limit; `Internal`.
pub async fn require_user_for(action: crate::services::limits::Action) -> AppResult<UserId> {
    let user = require_user().await?;
    crate::state::app_state()?
        .limits
        .check(user, action)
        .await?;
    Ok(user)
}

/// [`require_user_for`], also refused when `HEARTH_REQUIRE_CONFIRMED_EMAIL`
/// is on and the email address isn't confirmed. For actions that reach
/// other people: posting, sharing, commenting, messaging, friend requests.
///
/// # Errors
/// `Unauthorized` when signed out; `EmailNotConfirmed`; `TooFast`;
/// `Internal`.
pub async fn require_confirmed_user(action: crate::services::limits::Action) -> AppResult<UserId> {
    let user = require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::email::require_confirmed(&state.db, &state.accounts, user).await?;
    state.limits.check(user, action).await?;
    Ok(user)
}

/// Signs out: deletes the session record and expires the cookie.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn end_session() -> AppResult<()> {
    let session = session().await?;
    let id = session.id().map(|id| id.to_string());
    session.flush().await?;
    if let Some(id) = id {
        crate::state::app_state()?
            .revocations
            .revoke(crate::revocation::Revoked::Session(id));
    }
    Ok(())
}

/// The client's address, as the server decided it for this request (the
/// TCP peer, or what a trusted reverse proxy forwarded: see
/// `HEARTH_TRUSTED_PROXIES`). A request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub std::net::IpAddr);

/// The client's IP address: the [`ClientIp`] the server's proxy middleware
/// put on the request, else (without that middleware) the TCP peer.
pub async fn client_ip() -> Option<std::net::IpAddr> {
    if let Ok(axum::Extension(ClientIp(ip))) =
        leptos_axum::extract::<axum::Extension<ClientIp>>().await
    {
        return Some(ip);
    }
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ci| ci.0.ip())
}
