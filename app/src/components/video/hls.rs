//! hls.js, loaded on first use from `/vendor/hls.min.js` (one `<script>`
//! per page, however many players ask), and a small handle over an hls.js
//! instance through `js_sys::Reflect`. Browser only.

use futures::channel::oneshot;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::{JsCast as _, JsValue};
use std::cell::RefCell;

/// Where `scripts/setup.sh` puts hls.js.
const SCRIPT_URL: &str = "/vendor/hls.min.js";

/// hls.js's `Hls.Events.MANIFEST_PARSED`.
const MANIFEST_PARSED: &str = "hlsManifestParsed";
/// hls.js's `Hls.Events.ERROR`.
const ERROR: &str = "hlsError";

enum Script {
    Absent,
    Loading(Vec<oneshot::Sender<bool>>),
}

thread_local! {
    static SCRIPT: RefCell<Script> = const { RefCell::new(Script::Absent) };
}

fn hls_class() -> Option<js_sys::Function> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str("Hls"))
        .ok()?
        .dyn_into()
        .ok()
}

fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function =
        js_sys::Reflect::get(target, &JsValue::from_str(method))?.dyn_into()?;
    let list = js_sys::Array::new();
    for arg in args {
        list.push(arg);
    }
    f.apply(target, &list)
}

/// Loads hls.js if it isn't yet; whether `window.Hls` is there now. A
/// failed load may be tried again later.
pub async fn load() -> bool {
    if hls_class().is_some() {
        return true;
    }
    let (tx, rx) = oneshot::channel::<bool>();
    let first = SCRIPT.with(|s| {
        let mut s = s.borrow_mut();
        match &mut *s {
            Script::Loading(waiting) => {
                waiting.push(tx);
                false
            }
            Script::Absent => {
                *s = Script::Loading(vec![tx]);
                true
            }
        }
    });
    if first && !inject() {
        finish(false);
    }
    rx.await.unwrap_or(false) && hls_class().is_some()
}

/// Answers everyone waiting for the script.
fn finish(loaded: bool) {
    let waiting = SCRIPT.with(
        |s| match std::mem::replace(&mut *s.borrow_mut(), Script::Absent) {
            Script::Loading(waiting) => waiting,
            Script::Absent => Vec::new(),
        },
    );
    for tx in waiting {
        let _ = tx.send(loaded);
    }
}

/// Adds the `<script>`; false if it couldn't.
fn inject() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Ok(script) = document.create_element("script") else {
        return false;
    };
    let _ = script.set_attribute("src", SCRIPT_URL);
    let _ = script.set_attribute("async", "");
    let on_load = Closure::once_into_js(|| finish(true));
    let on_error = Closure::once_into_js(|| finish(false));
    let _ = script.add_event_listener_with_callback("load", on_load.unchecked_ref());
    let _ = script.add_event_listener_with_callback("error", on_error.unchecked_ref());
    let Some(parent) = document
        .head()
        .map(web_sys::Element::from)
        .or_else(|| document.body().map(web_sys::Element::from))
    else {
        return false;
    };
    parent.append_child(&script).is_ok()
}

/// An hls.js instance playing into one `<video>`.
pub struct Hls {
    inner: JsValue,
    /// Event handlers, kept alive as long as the instance.
    _handlers: Vec<Closure<dyn FnMut(JsValue, JsValue)>>,
}

impl Hls {
    /// A new instance if hls.js is loaded and the browser has Media
    /// Source Extensions (`Hls.isSupported()`).
    pub fn new() -> Option<Self> {
        let class = hls_class()?;
        let supported = call(&class, "isSupported", &[]).ok()?.as_bool() == Some(true);
        if !supported {
            return None;
        }
        let inner = js_sys::Reflect::construct(&class, &js_sys::Array::new()).ok()?;
        Some(Self {
            inner,
            _handlers: Vec::new(),
        })
    }

    /// Plays `src` (a master playlist) in `media`; `on_ready` runs once the
    /// manifest is parsed, `on_fatal` on an error hls.js can't recover.
    pub fn play(
        &mut self,
        src: &str,
        media: &web_sys::HtmlMediaElement,
        on_ready: impl Fn() + 'static,
        on_fatal: impl Fn() + 'static,
    ) -> Result<(), JsValue> {
        let ready = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_, _| on_ready());
        let error = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_, data: JsValue| {
            let fatal = js_sys::Reflect::get(&data, &JsValue::from_str("fatal"))
                .ok()
                .and_then(|f| f.as_bool())
                .unwrap_or(false);
            if fatal {
                on_fatal();
            }
        });
        call(
            &self.inner,
            "on",
            &[&JsValue::from_str(MANIFEST_PARSED), ready.as_ref()],
        )?;
        call(
            &self.inner,
            "on",
            &[&JsValue::from_str(ERROR), error.as_ref()],
        )?;
        self._handlers.push(ready);
        self._handlers.push(error);
        call(&self.inner, "loadSource", &[&JsValue::from_str(src)])?;
        call(&self.inner, "attachMedia", &[media.as_ref()])?;
        Ok(())
    }

    /// Each level's (width, height), in hls.js's order.
    pub fn levels(&self) -> Vec<(u32, u32)> {
        let Ok(levels) = js_sys::Reflect::get(&self.inner, &JsValue::from_str("levels")) else {
            return Vec::new();
        };
        let dim = |level: &JsValue, key: &str| {
            js_sys::Reflect::get(level, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as u32
        };
        js_sys::Array::from(&levels)
            .iter()
            .map(|level| (dim(&level, "width"), dim(&level, "height")))
            .collect()
    }

    /// Switches to level `index` now (−1: automatic).
    pub fn set_current_level(&self, index: i32) {
        let _ = js_sys::Reflect::set(
            &self.inner,
            &JsValue::from_str("currentLevel"),
            &JsValue::from(index),
        );
    }

    /// Stops loading and detaches from the `<video>`.
    pub fn destroy(&self) {
        let _ = call(&self.inner, "destroy", &[]);
    }
}
