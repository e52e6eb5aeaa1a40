//! The browser entry point: hydrates the server-rendered page.

// A plain `cargo build` keeps Leptos' fully typed views (cargo-leptos
// erases them, see Cargo.toml), whose nested types outgrow the default
// limit of 128.
#![recursion_limit = "256"]

/// Called by the generated JS glue once the wasm module loads.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
