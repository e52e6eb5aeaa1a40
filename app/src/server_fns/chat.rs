//! Chat: conversations, messages, rooms, read positions, presence and
//! live settings.

mod add_group_members;
mod create_group;
mod create_room;
mod delete_message;
mod edit_message;
mod get_conversation;
mod get_friends_presence;
mod get_live_settings;
mod get_unread_counts;
mod join_room;
mod leave_conversation;
mod list_conversations;
mod list_messages;
mod list_rooms;
mod mark_conversation_read;
mod open_direct_conversation;
mod remove_group_member;
mod rename_conversation;
mod send_message;
mod update_live_settings;

pub use add_group_members::*;
pub use create_group::*;
pub use create_room::*;
pub use delete_message::*;
pub use edit_message::*;
pub use get_conversation::*;
pub use get_friends_presence::*;
pub use get_live_settings::*;
pub use get_unread_counts::*;
pub use join_room::*;
pub use leave_conversation::*;
pub use list_conversations::*;
pub use list_messages::*;
pub use list_rooms::*;
pub use mark_conversation_read::*;
pub use open_direct_conversation::*;
pub use remove_group_member::*;
pub use rename_conversation::*;
pub use send_message::*;
pub use update_live_settings::*;
