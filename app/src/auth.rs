//! Who is signed in: the server-side session (tower-sessions, stored in the
//! `sessions` table) holds the user id under [`USER_ID_KEY`]. Server-only.

use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use tower_sessions::Session;

/// Session key of the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

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
    session.insert(USER_ID_KEY, user.0).await?;
    Ok(())
}

/// Signs out: deletes the session record and expires the cookie.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn end_session() -> AppResult<()> {
    session().await?.flush().await?;
    Ok(())
}

/// The client's IP address (the TCP peer; put a proxy's trusted header in
/// front of this if Hearth runs behind one).
pub async fn client_ip() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ci| ci.0.ip())
}
