use crate::error::AppError;
use crate::ids::PostId;
use crate::models::ReactionSummary;
use leptos::prelude::*;

/// Sets (`kind` = like, love, haha, wow, sad, angry) or removes (`kind` empty) the signed-in user's reaction; returns the new counts.
///
/// # Errors
/// `Unauthorized`; `NotFound`; `Validation` on `kind`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "react_to_post")]
pub async fn react_to_post(post_id: PostId, kind: String) -> Result<ReactionSummary, AppError> {
    use crate::{auth, services::reactions, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Reaction).await?;
    {
        let kind = if kind.is_empty() {
            None
        } else {
            Some(
                crate::models::ReactionKind::parse(&kind)
                    .ok_or_else(|| AppError::validation("kind", "Unknown reaction."))?,
            )
        };
        let state = app_state()?;
        reactions::react(&state.db, &state.hub, me, post_id, kind).await
    }
}
