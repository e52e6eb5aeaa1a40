//! A person's sessions (rows of `sessions` whose `user_id` is theirs):
//! list them, end one, end all but this one. Ending a session deletes its
//! row (the cookie then finds nothing) and, through
//! [`crate::revocation::Revocations`], closes its open sockets.

use crate::db::entities::sessions;
use crate::error::AppResult;
use crate::ids::UserId;
use crate::revocation::{Revocations, Revoked};
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};

/// Deletes every session of `user` except `except` (a session id) and
/// closes their sockets. Returns how many ended. Call it after the change
/// that requires it has committed.
///
/// # Errors
/// `Internal` on database failure.
pub async fn end_all<C: ConnectionTrait>(
    db: &C,
    revocations: &Revocations,
    user: UserId,
    except: Option<&str>,
) -> AppResult<u64> {
    let mut delete = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user.0));
    if let Some(keep) = except {
        delete = delete.filter(sessions::Column::Id.ne(keep));
    }
    let n = delete.exec(db).await?.rows_affected;
    revocations.revoke(Revoked::User {
        user,
        except: except.map(str::to_owned),
    });
    Ok(n)
}
