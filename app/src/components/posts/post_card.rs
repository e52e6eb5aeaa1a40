use super::owner_controls::OwnerControls;
use super::reactions::{ReactionButtons, ReactionSummaryButton};
use super::share_box::ShareBox;
use super::shared_post::SharedPostEmbed;
use crate::components::common::{
    Avatar, ErrorNotice, Icon, IconName, RelativeTime, lazy_view, sendable,
};
use crate::components::photos::PhotoGrid;
use crate::components::posts::{PostBody, VisibilityIcon};
use crate::components::video::PostVideo;
use crate::contexts::live_context::{Throttle, use_live};
use crate::error::AppError;
use crate::events::LiveEvent;
use crate::ids::PostId;
use crate::lazy::comments_section;
use crate::models::{Photo, PostView, ReactionSummary, SharedPost, Video, Visibility};
use crate::server_fns::posts::get_post;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What of a post can change while its card is shown.
#[derive(Clone, Copy)]
pub struct PostState {
    /// Text (empty for a share without text).
    pub body: RwSignal<String>,
    /// Usernames mentioned in `body`.
    pub mentions: RwSignal<Vec<String>>,
    /// Photos, in the author's order.
    pub photos: RwSignal<Vec<Photo>>,
    /// The video, if any, with its processing state.
    pub video: RwSignal<Option<Video>>,
    /// Last edit, ms since epoch.
    pub edited_at: RwSignal<Option<i64>>,
    /// Audience.
    pub visibility: RwSignal<Visibility>,
    /// Reaction counts and the viewer's own.
    pub reactions: RwSignal<ReactionSummary>,
    /// Comments and replies the viewer can see.
    pub comment_count: RwSignal<u32>,
    /// For a share: the shared post, or why it can't be shown.
    pub shared: RwSignal<Option<SharedPost>>,
    /// Deleted, or no longer visible to the viewer.
    pub removed: RwSignal<bool>,
}

impl PostState {
    fn new(post: &PostView) -> Self {
        Self {
            body: RwSignal::new(post.body.clone()),
            mentions: RwSignal::new(post.mentions.clone()),
            photos: RwSignal::new(post.photos.clone()),
            video: RwSignal::new(post.video.clone()),
            edited_at: RwSignal::new(post.edited_at_ms),
            visibility: RwSignal::new(post.visibility),
            reactions: RwSignal::new(post.reactions.clone()),
            comment_count: RwSignal::new(post.comment_count),
            shared: RwSignal::new(post.shared.clone()),
            removed: RwSignal::new(false),
        }
    }

    /// Takes a fresh copy of the post.
    pub fn apply(&self, post: PostView) {
        self.body.set(post.body);
        self.mentions.set(post.mentions);
        self.photos.set(post.photos);
        // Unchanged, it must not restart a playing video.
        if self.video.with_untracked(|v| *v != post.video) {
            self.video.set(post.video);
        }
        self.edited_at.set(post.edited_at_ms);
        self.visibility.set(post.visibility);
        self.reactions.set(post.reactions);
        self.comment_count.set(post.comment_count);
        self.shared.set(post.shared);
    }

    /// Refetches the post; hides the card if it's gone.
    fn refresh(self, id: PostId) {
        spawn_local(async move {
            match get_post(id).await {
                Ok(fresh) => self.apply(fresh),
                Err(AppError::NotFound) => self.removed.set(true),
                Err(_) => {}
            }
        });
    }
}

/// One post: author, time (links to the permalink), audience icon, text,
/// photos (a grid opening a viewer), a video or the shared post, reactions, comments, "Share", and for its author
/// "Edit post" and "Delete post". Follows live edits, deletions, reactions
/// and comments of the post.
#[component]
pub fn PostCard(
    /// The post as first loaded.
    post: PostView,
    /// Show the whole text and open the comments (the permalink page).
    #[prop(default = false)]
    expanded: bool,
    /// Called after the viewer deletes it.
    #[prop(optional)]
    on_deleted: Option<Callback<()>>,
) -> impl IntoView {
    let id = post.id;
    let state = PostState::new(&post);
    let comments_open = RwSignal::new(expanded);
    let comments_reload = RwSignal::new(0_u64);

    // A share follows edits and the deletion of the post it embeds.
    let root_id = match &post.shared {
        Some(SharedPost::Available(root)) => Some(root.id),
        _ => None,
    };
    let live = use_live();
    // The server sends events about a post only to tabs showing it.
    live.watch_post(id);
    if let Some(root) = root_id {
        live.watch_post(root);
    }
    // Refetches for live events, at most one per REFETCH_GAP: a burst of
    // reactions is one or two requests, not one each.
    let refetch = Throttle::new();
    let reload_comments = StoredValue::new(false);
    let refresh = move || {
        state.refresh(id);
        if reload_comments.try_update_value(std::mem::take) == Some(true)
            && comments_open.get_untracked()
        {
            comments_reload.update(|n| *n += 1);
        }
    };
    live.on_event(move |event| match event {
        LiveEvent::PostDeleted { post_id } if *post_id == id => state.removed.set(true),
        LiveEvent::PostDeleted { post_id } | LiveEvent::PostUpdated { post_id }
            if Some(*post_id) == root_id =>
        {
            refetch.run(refresh);
        }
        LiveEvent::PostUpdated { post_id } | LiveEvent::ReactionsChanged { post_id }
            if *post_id == id =>
        {
            refetch.run(refresh);
        }
        LiveEvent::CommentsChanged { post_id } if *post_id == id => {
            reload_comments.set_value(true);
            refetch.run(refresh);
        }
        _ => {}
    });

    let is_share = post.shared.is_some();
    // Only public originals may be shared (or a share made) publicly.
    let root_visibility = match &post.shared {
        Some(SharedPost::Available(root)) => Some(root.visibility),
        Some(SharedPost::Unavailable) => None,
        None => Some(post.visibility),
    };
    let allow_public = root_visibility == Some(Visibility::Public);
    // The author of an original may always make it Public.
    let edit_allows_public = !is_share || allow_public;
    let author = post.author.clone();
    let profile_href = format!("/u/{}", author.username);
    let owner_controls = post.can_edit.then(|| {
        view! { <OwnerControls id state is_share allow_public=edit_allows_public on_deleted /> }
    });
    // A post gets its video when it is made; edits don't add one.
    let video = post.video.is_some().then(|| {
        let on_processed = Callback::new(move |()| state.refresh(id));
        view! { <PostVideo video=state.video is_author=post.can_edit on_processed /> }
    });
    let has_body = Memo::new(move |_| state.body.with(|b| !b.is_empty()));
    let shared = Memo::new(move |_| state.shared.get());
    let shared = move || {
        shared
            .get()
            .map(|shared| view! { <SharedPostEmbed shared expanded /> })
    };
    view! {
        <article
            class="card post"
            aria-label=format!("Post by {}", author.display_name)
            hidden=move || state.removed.get()
        >
            <header class="post-header">
                <a href=profile_href.clone() class="post-avatar" tabindex="-1" aria-hidden="true">
                    <Avatar photo=author.avatar.clone() size=40 />
                </a>
                <div class="post-meta">
                    <a href=profile_href.clone() class="post-author">
                        {author.display_name.clone()}
                    </a>
                    <a href=format!("/p/{id}") class="post-time">
                        <RelativeTime ms=post.created_at_ms />
                    </a>
                    <span class="post-sep" aria-hidden="true">
                        " · "
                    </span>
                    <VisibilityIcon visibility=state.visibility />
                    {move || {
                        state
                            .edited_at
                            .get()
                            .map(|ms| {
                                view! {
                                    <span class="post-edited" title=crate::time_fmt::exact_time(ms)>
                                        " · Edited"
                                    </span>
                                }
                            })
                    }}
                </div>
            </header>
            <Show when=move || has_body.get()>
                <PostBody id body=state.body mentions=state.mentions expanded />
            </Show>
            <PhotoGrid photos=state.photos />
            {video}
            {shared}
            {owner_controls}
            <PostFooter id state root_visibility allow_public comments_open comments_reload />
        </article>
    }
    // Erased: a card's full view type nested inside a feed's `For` goes past
    // the compiler's recursion limit in release builds (debug builds erase
    // every component anyway).
    .into_any()
}

/// Reaction summary, the row of buttons (Like, picker, "Comments (N)",
/// "Share"), and the comments section.
#[component]
fn PostFooter(
    id: PostId,
    state: PostState,
    /// The shared original's audience (`None` when it isn't available).
    root_visibility: Option<Visibility>,
    allow_public: bool,
    comments_open: RwSignal<bool>,
    comments_reload: RwSignal<u64>,
) -> impl IntoView {
    let react_error = RwSignal::new(None::<AppError>);
    let shared_done = RwSignal::new(false);
    let comments_id = format!("comments-{id}");
    let on_changed = Callback::new(move |()| state.refresh(id));
    let share =
        root_visibility.map(|_| view! { <ShareBox post_id=id allow_public done=shared_done /> });
    view! {
        <div class="post-stats">
            <ReactionSummaryButton post_id=id reactions=state.reactions />
        </div>
        <div class="post-buttons">
            <ReactionButtons post_id=id reactions=state.reactions error=react_error />
            <button
                type="button"
                class="button ghost comments-toggle"
                aria-expanded=move || comments_open.get().to_string()
                aria-controls=comments_id.clone()
                on:click=move |_| comments_open.update(|open| *open = !*open)
            >
                <Icon name=IconName::Messages size=18 />
                {move || format!("Comments ({})", state.comment_count.get())}
            </button>
            {share}
        </div>
        <ErrorNotice error=react_error.into() />
        <p class="status" role="status">
            {move || shared_done.get().then_some("Shared to your feed.")}
        </p>
        <div class="comments" id=comments_id hidden=move || !comments_open.get()>
            <Show when=move || {
                comments_open.get()
            }>
                {move || lazy_view(
                    sendable(comments_section(id, comments_reload.into(), on_changed)),
                    || view! { <p class="loading small">"Loading comments…"</p> }.into_any(),
                )}
            </Show>
        </div>
    }
}
