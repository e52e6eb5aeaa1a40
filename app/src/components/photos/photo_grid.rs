//! A post's photos as a grid: one photo alone (its own shape, within
//! limits), two side by side, three with the first large, four in a
//! square; beyond four, four cells with "+N" on the last. Each cell opens
//! the [`PhotoViewer`] at that photo.

use super::photo_viewer::PhotoViewer;
use crate::models::Photo;
use leptos::prelude::*;

/// Cells shown at most; the rest are behind "+N".
const MAX_CELLS: usize = 4;

/// The grid of `photos` (nothing when empty), with its viewer.
#[component]
pub fn PhotoGrid(
    /// The photos, in the author's order.
    #[prop(into)]
    photos: Signal<Vec<Photo>>,
) -> impl IntoView {
    let open = RwSignal::new(None::<usize>);
    let grid = move || {
        let list = photos.get();
        let n = list.len();
        if n == 0 {
            return None;
        }
        let layout = layout_class(n);
        // A lone photo keeps its shape, between 4:5 (tall) and 2:1 (wide).
        let shape = match list.first() {
            Some(p) if n == 1 && p.height > 0 => {
                let ratio = (f64::from(p.width) / f64::from(p.height)).clamp(0.8, 2.0);
                format!("aspect-ratio:{ratio:.4}")
            }
            _ => String::new(),
        };
        let cells = list
            .into_iter()
            .take(MAX_CELLS)
            .enumerate()
            .map(|(i, photo)| {
                let more = (i + 1 == MAX_CELLS && n > MAX_CELLS).then(|| n - MAX_CELLS);
                grid_cell(photo, i, n, more, open)
            })
            .collect_view();
        Some(view! {
            <div class=format!("photo-grid {layout}") style=shape role="group" aria-label="Photos">
                {cells}
            </div>
        })
    };
    view! {
        {grid}
        <PhotoViewer photos open />
    }
}

/// The grid's class for `n` photos (4 and more share a layout).
fn layout_class(n: usize) -> &'static str {
    match n {
        1 => "one",
        2 => "two",
        3 => "three",
        _ => "four",
    }
}

/// A cell's accessible name: "Open photo 4 of 7 (3 more): alt".
fn cell_name(i: usize, n: usize, more: Option<usize>, alt: &str) -> String {
    let mut name = format!("Open photo {} of {n}", i + 1);
    if let Some(more) = more {
        name.push_str(&format!(" ({more} more)"));
    }
    if !alt.is_empty() {
        name.push_str(": ");
        name.push_str(alt);
    }
    name
}

/// Cell `i` of `n`; `more` is how many photos hide behind it.
fn grid_cell(
    photo: Photo,
    i: usize,
    n: usize,
    more: Option<usize>,
    open: RwSignal<Option<usize>>,
) -> impl IntoView {
    let name = cell_name(i, n, more, &photo.alt);
    let sizes = if n == 1 {
        "(max-width: 672px) 100vw, 640px"
    } else {
        "(max-width: 672px) 50vw, 320px"
    };
    let (width, height) = photo.size_at(640);
    view! {
        <button
            type="button"
            class="photo-cell"
            style=photo.placeholder_css()
            aria-label=name
            on:click=move |_| open.set(Some(i))
        >
            <img
                src=photo.url_for(640)
                srcset=photo.srcset()
                sizes=sizes
                width=width
                height=height
                loading="lazy"
                decoding="async"
                alt=photo.alt.clone()
            />
            {more
                .map(|m| {
                    view! {
                        <span class="photo-more" aria-hidden="true">
                            {format!("+{m}")}
                        </span>
                    }
                })}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_by_count() {
        let classes: Vec<_> = (1..=6).map(layout_class).collect();
        assert_eq!(classes, ["one", "two", "three", "four", "four", "four"]);
    }

    #[test]
    fn cell_names_count_and_describe() {
        assert_eq!(cell_name(1, 3, None, ""), "Open photo 2 of 3");
        assert_eq!(
            cell_name(3, 7, Some(3), "A kite"),
            "Open photo 4 of 7 (3 more): A kite"
        );
    }
}
