//! Chat pages: the mailbox (`/messages`), a conversation
//! (`/messages/{id}`), a new group (`/messages/new`), the public rooms
//! directory (`/rooms`), and the presence label used next to friends.

mod conversation;
mod mailbox_page;
mod message_button;
mod new_group_page;
mod presence_label;
mod rooms_page;

pub use conversation::ConversationPage;
pub use mailbox_page::MailboxPage;
pub use message_button::MessageButton;
pub use new_group_page::NewGroupPage;
pub use presence_label::PresenceLabel;
pub use rooms_page::RoomsPage;
