//! Every icon is a `<symbol>` of one SVG sprite, `/img/icons.svg` (built by
//! `scripts/build-icons.py` from Lucide's line icons and Twemoji's
//! reactions), drawn with `<use>`: no font is needed (a browser without an
//! emoji font shows the same icons), the wasm holds only the names, and
//! line icons follow the text colour (`currentColor`).

use crate::models::{ReactionKind, Visibility};
use leptos::prelude::*;

/// URL of the sprite (a static file, cached by the browser).
pub const ICON_SPRITE: &str = "/img/icons.svg";

/// A symbol of the sprite. Line icons are 24×24 units; reactions 36×36.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IconName {
    /// A speech bubble: messages, comments.
    Messages,
    /// A bell.
    Notifications,
    /// Two people: friends, the "Friends" audience.
    Friends,
    /// A compass: discovering people.
    People,
    /// A cog.
    Settings,
    /// A globe: the "Public" audience.
    Public,
    /// A padlock: the "Only me" audience.
    OnlyMe,
    /// A thumb up, outlined: the Like button.
    Like,
    /// A forward arrow: sharing.
    Share,
    /// A chevron pointing down: a menu.
    ChevronDown,
    /// A chevron pointing left: previous.
    ChevronLeft,
    /// A chevron pointing right: next.
    ChevronRight,
    /// An "×": close, remove.
    Close,
    /// A framed picture: photos.
    Photo,
    /// A film camera: videos.
    Video,
    /// Two bars: pause.
    Pause,
    /// A triangle: resume.
    Resume,
    /// A magnifying glass: search.
    Search,
    /// Three dots: a menu of more actions.
    More,
    /// A white triangle on a dark disc: play a video (64×64 units).
    PlayDisc,
    /// A reaction, in colour.
    Reaction(ReactionKind),
}

impl IconName {
    /// The symbol's id in the sprite.
    pub fn id(self) -> &'static str {
        match self {
            Self::Messages => "messages",
            Self::Notifications => "notifications",
            Self::Friends => "friends",
            Self::People => "people",
            Self::Settings => "settings",
            Self::Public => "public",
            Self::OnlyMe => "only-me",
            Self::Like => "like",
            Self::Share => "share",
            Self::ChevronDown => "chevron-down",
            Self::ChevronLeft => "chevron-left",
            Self::ChevronRight => "chevron-right",
            Self::Close => "close",
            Self::Photo => "photo",
            Self::Video => "video",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Search => "search",
            Self::More => "more",
            Self::PlayDisc => "play-disc",
            Self::Reaction(kind) => match kind {
                ReactionKind::Like => "reaction-like",
                ReactionKind::Love => "reaction-love",
                ReactionKind::Haha => "reaction-haha",
                ReactionKind::Wow => "reaction-wow",
                ReactionKind::Sad => "reaction-sad",
                ReactionKind::Angry => "reaction-angry",
            },
        }
    }

    /// The audience icon of a post.
    pub fn of_visibility(visibility: Visibility) -> Self {
        match visibility {
            Visibility::Public => Self::Public,
            Visibility::Friends => Self::Friends,
            Visibility::OnlyMe => Self::OnlyMe,
        }
    }
}

/// An icon `size` CSS pixels square (default 20), hidden from assistive
/// technology: the control or text it sits beside carries the name. For
/// an icon that is the only carrier of meaning, give `label`: it becomes
/// `role="img"` with that accessible name.
///
/// The props are plain values, not signals: an icon is drawn once and
/// holds no reactive node (a feed page draws a few hundred). Where the
/// symbol changes, the caller redraws it (`{move || view! { <Icon … /> }}`).
#[component]
pub fn Icon(
    /// Which symbol.
    name: IconName,
    /// Width and height in CSS pixels.
    #[prop(default = 20)]
    size: u32,
    /// Accessible name, when the icon means something on its own.
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    let href = format!("{ICON_SPRITE}#{}", name.id());
    let labelled = label.is_some();
    view! {
        <svg
            class="icon"
            width=size
            height=size
            aria-hidden=(!labelled).then_some("true")
            role=labelled.then_some("img")
            aria-label=label
            focusable="false"
        >
            <use_ href=href />
        </svg>
    }
    // Erased, so an icon adds one level to its parent's view type, not its
    // whole `<svg>` tree (see `PostCard`).
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_is_a_symbol_of_the_sprite() {
        let sprite = include_str!("../../../../public/img/icons.svg");
        let mut names = vec![
            IconName::Messages,
            IconName::Notifications,
            IconName::Friends,
            IconName::People,
            IconName::Settings,
            IconName::Public,
            IconName::OnlyMe,
            IconName::Like,
            IconName::Share,
            IconName::ChevronDown,
            IconName::ChevronLeft,
            IconName::ChevronRight,
            IconName::Close,
            IconName::Photo,
            IconName::Video,
            IconName::Pause,
            IconName::Resume,
            IconName::Search,
            IconName::More,
            IconName::PlayDisc,
        ];
        names.extend(ReactionKind::ALL.map(IconName::Reaction));
        for name in names {
            assert!(
                sprite.contains(&format!("<symbol id=\"{}\"", name.id())),
                "{name:?} ({}) is missing from public/img/icons.svg",
                name.id()
            );
        }
        // No emoji or other pictographs that need a font: the sprite is
        // paths only.
        assert!(!sprite.contains("<text"));
    }
}
