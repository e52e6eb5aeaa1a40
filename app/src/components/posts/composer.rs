use crate::components::common::{Avatar, ErrorNotice, FieldError, action_error, moves_within};
use crate::components::photos::{
    AddPhotosInput, PhotoPicker, PickedPhotos, drag_has_files, dropped_files, pasted_files,
};
use crate::components::posts::VisibilitySelect;
use crate::components::video::{AddVideoInput, VideoUpload, VideoUploadPanel};
use crate::models::{CurrentUser, MAX_PHOTOS_PER_POST, MediaPurpose, PostView};
use crate::server_fns::posts::CreatePost;
use crate::validation::TextLimit;
use leptos::form::FromFormData as _;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

/// "What's on your mind?" box at the top of the feed, with the audience
/// ("Who can see this?", Friends unless changed) and, with JavaScript, up
/// to 10 photos: chosen with "Add photos", dropped on the box or pasted
/// into it; each uploads at once, with progress, and gets alt text. A post
/// may then be photos only. Or, instead of photos, one video ("Add video"
/// or dropped), uploaded resumably with progress, pause and cancel; "Post"
/// waits for its last byte. With JavaScript the new post is handed to
/// `on_created` and the box clears; without it the form posts (text only)
/// and the page reloads with the post on top.
#[component]
pub fn Composer(
    /// The author.
    me: CurrentUser,
    /// Receives each post created here.
    on_created: Callback<PostView>,
) -> impl IntoView {
    let create = ServerAction::<CreatePost>::new();
    let error = action_error(create);
    let form = NodeRef::<leptos::html::Form>::new();
    let picker = PhotoPicker::new(MediaPurpose::Post, MAX_PHOTOS_PER_POST);
    // A post has photos or one video.
    let video = VideoUpload::new();
    let has_photos = Signal::derive(move || !picker.is_empty());
    // Photos need the upload client: offered once hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let dragging = RwSignal::new(false);
    let section = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(Ok(post)) = create.value().get() {
            on_created.run(post);
            picker.clear();
            video.finish();
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if picker.uploading() || video.blocks_post() || create.pending().get_untracked() {
            return;
        }
        match CreatePost::from_event(&ev) {
            Ok(mut input) => {
                input.photos = picker.inputs();
                input.video = video.upload_id();
                create.dispatch(input);
            }
            Err(e) => leptos::logging::error!("composer form: {e}"),
        }
    };
    let on_dragover = move |ev: leptos::ev::DragEvent| {
        if hydrated.get_untracked() && drag_has_files(&ev) {
            ev.prevent_default();
            dragging.set(true);
        }
    };
    let on_dragleave = move |ev: leptos::ev::DragEvent| {
        // Moving onto a child of the box is not leaving it.
        if !moves_within(section.get_untracked(), ev.related_target()) {
            dragging.set(false);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        dragging.set(false);
        if drag_has_files(&ev) {
            ev.prevent_default();
            if video.active() {
                return;
            }
            let mut files = dropped_files(&ev);
            match files.iter().position(|f| f.type_().starts_with("video/")) {
                Some(i) if picker.is_empty() => video.choose(files.swap_remove(i)),
                _ => picker.add(files),
            }
        }
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        let files = pasted_files(&ev);
        if !files.is_empty() {
            ev.prevent_default();
            if !video.active() {
                picker.add(files);
            }
        }
    };
    let first_name = me
        .display_name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    view! {
        <section
            class="card composer"
            class:dragging=move || dragging.get()
            aria-label="Create a post"
            node_ref=section
            on:dragover=on_dragover
            on:dragleave=on_dragleave
            on:drop=on_drop
            on:paste=on_paste
        >
            <form action=CreatePost::url() method="post" node_ref=form on:submit=on_submit>
                <div class="composer-row">
                    <Avatar photo=me.avatar.clone() size=40 />
                    <div class="composer-input">
                        <label for="composer-body" class="visually-hidden">
                            "What's on your mind?"
                        </label>
                        <textarea
                            id="composer-body"
                            name="body"
                            rows="3"
                            maxlength=TextLimit::Post.maxlength()
                            required=move || picker.is_empty() && !video.active()
                            placeholder=format!("What's on your mind, {first_name}?")
                            aria-describedby="composer-body-error"
                        ></textarea>
                        <FieldError error field="body" form="composer-" />
                        <PickedPhotos picker id_prefix="composer-photo-" />
                        <FieldError error field="photos" form="composer-" />
                        <FieldError error field="alt" form="composer-" />
                        <VideoUploadPanel upload=video blocked=has_photos />
                        <FieldError error field="video" form="composer-" />
                        <ErrorNotice error />
                    </div>
                </div>
                <div class="composer-actions">
                    <Show when=move || hydrated.get()>
                        <fieldset class="composer-attach" disabled=move || video.active()>
                            <AddPhotosInput picker id="composer-photos" label="Add photos" />
                        </fieldset>
                        <AddVideoInput upload=video id="composer-video" disabled=has_photos />
                    </Show>
                    <VisibilitySelect id="composer-visibility" />
                    <button
                        type="submit"
                        class="button primary composer-submit"
                        disabled=move || {
                            create.pending().get() || picker.uploading() || video.blocks_post()
                        }
                    >
                        "Post"
                    </button>
                </div>
                <FieldError error field="visibility" form="composer-" />
            </form>
        </section>
    }
}
