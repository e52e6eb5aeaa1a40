//! Id newtypes shared by server and browser, so a `PostId` can't be passed
//! where a `UserId` is expected. All are database row ids (64-bit).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A user account (`users.id`).
    UserId
);
id_type!(
    /// A post (`posts.id`).
    PostId
);
id_type!(
    /// A comment or reply (`comments.id`).
    CommentId
);
id_type!(
    /// A chat conversation: one-to-one, group or public room (`conversations.id`).
    ConversationId
);
id_type!(
    /// A chat message (`messages.id`).
    MessageId
);
id_type!(
    /// A (grouped) notification (`notifications.id`).
    NotificationId
);
id_type!(
    /// A durable live event (`live_events.id`): what a reconnecting socket
    /// resumes after.
    EventId
);
