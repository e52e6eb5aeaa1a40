//! Profiles: reading one by username and letting its owner edit it.

use crate::db::entities::{profiles, users};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::models::ProfileView;
use crate::services::social;
use crate::time_fmt::now_ms;
use crate::validation;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

/// The profile of `username` (any case) as `viewer` sees it.
///
/// # Errors
/// `NotFound` for an unknown username or someone who blocked `viewer`;
/// `Unauthorized` without a viewer.
pub async fn get_profile<C: ConnectionTrait>(
    db: &C,
    username: &str,
    viewer: Option<UserId>,
) -> AppResult<ProfileView> {
    let (user, profile) = users::Entity::find()
        .filter(users::Column::UsernameKey.eq(validation::username_key(username.trim())))
        // The "Deleted account" user has no profile page.
        .filter(users::Column::Id.ne(crate::services::accounts::GHOST_USER_ID))
        .find_also_related(profiles::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let profile = profile.ok_or(AppError::NotFound)?;
    let relationship = match viewer {
        Some(viewer) => social::relationship(db, viewer, UserId(user.id)).await?,
        None => return Err(AppError::Unauthorized),
    };
    let mut photos = crate::services::media::photos_by_id(
        db,
        [profile.avatar_media_id, profile.cover_media_id]
            .into_iter()
            .flatten(),
    )
    .await?;
    Ok(ProfileView {
        relationship,
        user_id: UserId(user.id),
        is_owner: viewer == Some(UserId(user.id)),
        username: user.username,
        display_name: profile.display_name,
        first_name: user.first_name,
        last_name: user.last_name,
        bio: profile.bio,
        avatar: photos.remove(&profile.avatar_media_id.unwrap_or(-1)),
        cover: photos.remove(&profile.cover_media_id.unwrap_or(-1)),
        joined_at_ms: user.created_at_ms,
    })
}

/// Sets `user`'s display name and bio.
///
/// # Errors
/// `Validation` for a display name outside 1–60 characters or a bio over
/// 300; `NotFound` if the account is gone.
pub async fn update_profile<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    display_name: &str,
    bio: &str,
) -> AppResult<()> {
    let display_name = validation::name("display_name", "Name", display_name)?;
    let bio = validation::bio(bio)?;
    let profile = profiles::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    // People search indexes the account's first and last name: keep them
    // in step with the name shown (first word, then the rest).
    let (first, last) = display_name
        .split_once(char::is_whitespace)
        .map_or((display_name.as_str(), ""), |(f, l)| (f, l.trim()));
    users::Entity::update_many()
        .col_expr(
            users::Column::FirstName,
            sea_orm::sea_query::Expr::value(first.to_owned()),
        )
        .col_expr(
            users::Column::LastName,
            sea_orm::sea_query::Expr::value(last.to_owned()),
        )
        .filter(users::Column::Id.eq(user.0))
        .exec(db)
        .await?;
    let mut active: profiles::ActiveModel = profile.into();
    active.display_name = Set(display_name);
    active.bio = Set(bio);
    active.updated_at_ms = Set(now_ms());
    active.update(db).await?;
    Ok(())
}
