//! Moving focus and scrolling, after the view has caught up with a change (the next frame).

use wasm_bindgen::JsCast;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Focuses the first element matching the first of `selectors` that matches any (focusing
/// scrolls it into view), next frame.
pub fn focus(selectors: Vec<String>) {
    leptos::prelude::request_animation_frame(move || {
        let Some(document) = document() else { return };
        let element = selectors
            .iter()
            .find_map(|s| document.query_selector(s).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

/// Focuses the first text control of the first field with a problem (a field of radio
/// buttons only: its first button).
pub fn focus_first_invalid() {
    focus(vec![
        ".field.invalid input[type=text], .field.invalid textarea, .field.invalid select".into(),
        ".field.invalid input".into(),
    ]);
}

/// Focuses the row of the operations panel with this operation ID (IDs are letters and
/// digits, so they go into the selector as they are).
pub fn focus_operation(id: &str) {
    focus(vec![format!("[data-operation-id=\"{id}\"]")]);
}

/// The document's title: the screen's name, then the console's (bookmarks and tabs say where).
pub fn set_title(title: &str) {
    if let Some(document) = document() {
        document.set_title(title);
    }
}
