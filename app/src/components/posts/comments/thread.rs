//! A loaded list of comments (a post's, oldest first) or replies (a
//! comment's, newest first), with paging and in-place changes.

use crate::error::AppError;
use crate::ids::{CommentId, PostId};
use crate::models::{CommentView, CommentsPage};
use crate::server_fns::comments::{list_comments, list_replies};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// At most this many pages are refetched when a thread reloads.
const MAX_RELOAD_PAGES: usize = 10;

/// What a thread lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadSource {
    /// A post's top-level comments, oldest first.
    Post(PostId),
    /// A comment's replies, newest first.
    Replies(CommentId),
}

impl ThreadSource {
    async fn fetch(self, cursor: Option<String>) -> Result<CommentsPage, AppError> {
        match self {
            Self::Post(id) => list_comments(id, cursor).await,
            Self::Replies(id) => list_replies(id, cursor).await,
        }
    }
}

/// The comments shown, where the next page starts, and load state. `Copy`:
/// every field is an arena signal.
#[derive(Clone, Copy)]
pub struct Thread {
    source: ThreadSource,
    items: RwSignal<Vec<CommentView>>,
    /// Cursor of the next page (`None` at the end).
    pub next: RwSignal<Option<String>>,
    /// Pages fetched so far (0 before the first).
    pages: RwSignal<usize>,
    /// A fetch is running.
    pub loading: RwSignal<bool>,
    /// The last fetch's error.
    pub error: RwSignal<Option<AppError>>,
    /// Bumped by every reload, so an older page arriving late is dropped.
    generation: StoredValue<u64>,
}

impl Thread {
    /// A thread starting with `first` (the first page), or empty.
    pub fn new(source: ThreadSource, first: Option<CommentsPage>) -> Self {
        let pages = usize::from(first.is_some());
        let (items, next) = first.map_or((Vec::new(), None), |p| (p.comments, p.next_cursor));
        Self {
            source,
            items: RwSignal::new(items),
            next: RwSignal::new(next),
            pages: RwSignal::new(pages),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Ids in display order (tracked).
    pub fn ids(self) -> Vec<CommentId> {
        self.items.with(|v| v.iter().map(|c| c.id).collect())
    }

    /// Whether nothing is shown (tracked).
    pub fn is_empty(self) -> bool {
        self.items.with(Vec::is_empty)
    }

    /// Whether the first page has been fetched (untracked).
    pub fn loaded(self) -> bool {
        self.pages.get_untracked() > 0
    }

    /// One comment, followed by its own memo so other items' changes don't
    /// re-render it.
    pub fn item(self, id: CommentId) -> Memo<Option<CommentView>> {
        Memo::new(move |_| self.items.with(|v| v.iter().find(|c| c.id == id).cloned()))
    }

    /// Fetches the next page (the first one if none yet) and appends it.
    pub fn load_more(self) {
        if self.loading.get_untracked() {
            return;
        }
        let cursor = self.next.get_untracked();
        if cursor.is_none() && self.pages.get_untracked() > 0 {
            return;
        }
        let generation = self.generation.get_value();
        self.loading.set(true);
        spawn_local(async move {
            let result = self.source.fetch(cursor).await;
            if self.generation.get_value() != generation {
                return;
            }
            match result {
                Ok(page) => {
                    self.error.set(None);
                    self.items.update(|items| {
                        for c in page.comments {
                            if !items.iter().any(|i| i.id == c.id) {
                                items.push(c);
                            }
                        }
                    });
                    self.next.set(page.next_cursor);
                    self.pages.update(|n| *n += 1);
                }
                Err(e) => self.error.set(Some(e)),
            }
            self.loading.set(false);
        });
    }

    /// Refetches what is shown: as many pages as were loaded, or, when the
    /// end had been reached, up to the (new) end, so new comments appear.
    pub fn reload(self) {
        let loaded = self.pages.get_untracked();
        if loaded == 0 {
            return;
        }
        let wanted = if self.next.get_untracked().is_none() {
            MAX_RELOAD_PAGES
        } else {
            loaded.min(MAX_RELOAD_PAGES)
        };
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.loading.set(true);
        spawn_local(async move {
            let mut items = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            let outcome = loop {
                match self.source.fetch(cursor.take()).await {
                    Ok(page) => {
                        pages += 1;
                        items.extend(page.comments);
                        cursor = page.next_cursor;
                        if cursor.is_none() || pages >= wanted {
                            break Ok(());
                        }
                    }
                    Err(e) => break Err(e),
                }
            };
            if self.generation.get_value() != generation {
                return;
            }
            match outcome {
                Ok(()) => {
                    self.error.set(None);
                    self.items.set(items);
                    self.next.set(cursor);
                    self.pages.set(pages);
                }
                Err(e) => self.error.set(Some(e)),
            }
            self.loading.set(false);
        });
    }

    /// Shows a comment just written: at the end of a post's comments, on top
    /// of a comment's replies.
    pub fn add(self, comment: CommentView) {
        let newest_first = matches!(self.source, ThreadSource::Replies(_));
        self.items.update(|items| {
            if items.iter().any(|c| c.id == comment.id) {
                return;
            }
            if newest_first {
                items.insert(0, comment);
            } else {
                items.push(comment);
            }
        });
    }

    /// Replaces a comment after an edit.
    pub fn replace(self, comment: CommentView) {
        self.items.update(|items| {
            if let Some(slot) = items.iter_mut().find(|c| c.id == comment.id) {
                *slot = comment;
            }
        });
    }

    /// Removes a deleted comment.
    pub fn remove(self, id: CommentId) {
        self.items.update(|items| items.retain(|c| c.id != id));
    }

    /// Adds `delta` to a comment's reply count (a reply added or deleted).
    pub fn bump_replies(self, id: CommentId, delta: i64) {
        self.items.update(|items| {
            if let Some(c) = items.iter_mut().find(|c| c.id == id) {
                let n = i64::from(c.reply_count).saturating_add(delta).max(0);
                c.reply_count = u32::try_from(n).unwrap_or(u32::MAX);
            }
        });
    }
}
