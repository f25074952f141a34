//! Browser storage and the settings. The token lives in session storage only: never in the URL,
//! local storage or logs. Defaults come from `kiln-config.json`, served next to the app.
//!
//! JSON text (the runtime config, what storage keeps) is parsed and written by the browser's own
//! `JSON.parse` / `JSON.stringify`, and crosses into Rust values through serde-wasm-bindgen, so
//! the page carries no JSON parser of its own (web/BUDGET.md has the sizes).

use kiln_console::text::Lang;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

/// `text` parsed by the browser and read as a `T`; `None` when it is not JSON or not a `T`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// `value` as JSON text, written by the browser (maps become plain objects).
pub fn to_json<T: Serialize>(value: &T) -> Option<String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value: JsValue = value.serialize(&serializer).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// A value from local storage.
pub fn local_get(key: &str) -> Option<String> {
    local()?.get_item(key).ok()?
}

/// Keeps a value in local storage (best effort: a full or disabled storage loses it).
pub fn local_set(key: &str, value: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(key, value);
    }
}

/// Forgets a value in session storage.
pub fn session_remove(key: &str) {
    if let Some(s) = session() {
        let _ = s.remove_item(key);
    }
}

/// Calls `f(key, new value)` whenever another tab of this origin changes local storage (the
/// browser's `storage` event; a tab never hears its own writes). For the page's lifetime.
pub fn on_storage(f: impl Fn(String, Option<String>) + 'static) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::StorageEvent)>::new(
        move |event: web_sys::StorageEvent| {
            if let Some(key) = event.key() {
                f(key, event.new_value());
            }
        },
    );
    let _ = window.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// Whether the browser says it is online.
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Calls `f(online)` when the browser goes offline or back online. For the page's lifetime.
pub fn on_online(f: impl Fn(bool) + 'static) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let f = std::rc::Rc::new(f);
    for (event, online) in [("online", true), ("offline", false)] {
        let f = f.clone();
        let listener = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || f(online));
        let _ = window.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        listener.forget();
    }
}

/// A value from session storage.
pub fn session_get(key: &str) -> Option<String> {
    session()?.get_item(key).ok()?
}

/// Keeps a value in session storage.
pub fn session_set(key: &str, value: &str) {
    if let Some(s) = session() {
        let _ = s.set_item(key, value);
    }
}

/// Where the chosen language is kept.
const LANG: &str = "kiln.lang";

/// The language: the one chosen before, else the first of the browser's languages the
/// console has, else English.
pub fn load_lang() -> Lang {
    if let Some(lang) = local_get(LANG).as_deref().and_then(Lang::from_tag) {
        return lang;
    }
    let tags: Vec<String> = web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|t| t.as_string())
                .collect()
        })
        .unwrap_or_default();
    Lang::first_of(tags.iter().map(String::as_str))
}

/// Remembers the chosen language, and keeps `<html lang>` true (each screen sets the title).
pub fn save_lang(lang: Lang) {
    local_set(LANG, lang.tag());
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", lang.tag());
    }
}

/// Where the console sends its calls, for which folder, with which token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// gRPC-Web base URL; empty means this page's origin.
    pub endpoint: String,
    /// The folder the console works in.
    pub folder_id: String,
    /// The bearer token (session storage only).
    pub token: String,
}

/// The runtime config document (`kiln-config.json`).
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
pub struct RuntimeConfig {
    /// Default endpoint.
    pub endpoint: Option<String>,
    /// Default folder.
    pub folder_id: Option<String>,
    /// A development token (only `kiln serve` in development mode offers one).
    pub token: Option<String>,
}

const ENDPOINT: &str = "kiln.endpoint";
const FOLDER: &str = "kiln.folder";
const TOKEN: &str = "kiln.token";

impl Settings {
    /// What the user saved, over the runtime config's defaults.
    pub fn load(config: &RuntimeConfig) -> Settings {
        let pick = |stored: Option<String>, default: &Option<String>| {
            stored.or_else(|| default.clone()).unwrap_or_default()
        };
        Settings {
            endpoint: pick(local_get(ENDPOINT), &config.endpoint),
            folder_id: pick(local_get(FOLDER), &config.folder_id),
            token: pick(session_get(TOKEN), &config.token),
        }
    }

    /// Saves the settings: endpoint and folder in local storage, the token in session storage.
    pub fn save(&self) {
        local_set(ENDPOINT, &self.endpoint);
        local_set(FOLDER, &self.folder_id);
        session_set(TOKEN, &self.token);
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> String {
        if self.endpoint.trim().is_empty() {
            web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default()
        } else {
            self.endpoint.trim().trim_end_matches('/').to_owned()
        }
    }

    /// The API client for these settings.
    pub fn api(&self) -> crate::api::Api {
        crate::api::Api {
            base: self.base_url(),
            token: self.token.clone(),
        }
    }
}

/// Fetches `/kiln-config.json` (from the root: the page may be at `/images/ID`); defaults when
/// there is none.
pub async fn fetch_config() -> RuntimeConfig {
    match gloo_net::http::Request::get("/kiln-config.json")
        .send()
        .await
    {
        Ok(response) if response.ok() => match response.text().await {
            Ok(text) => from_json(&text).unwrap_or_default(),
            Err(_) => RuntimeConfig::default(),
        },
        _ => RuntimeConfig::default(),
    }
}

/// A fresh random UUID (v4), for idempotency keys.
pub fn uuid() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("{:x}", js_sys::Date::now() as u64))
}

/// Seconds since the epoch, by this browser's clock.
pub fn now_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
