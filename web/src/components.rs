//! Markup the screens share: a list of messages, and a labelled field with its hint and
//! messages. They hold no rules: what the messages say comes from `kiln-console` and the core.

use leptos::prelude::*;

/// The messages of a field (`aria-live`, so a screen reader hears them change).
#[component]
pub fn Messages(
    /// The texts, in order.
    messages: Signal<Vec<String>>,
    /// The list's element ID (controls point at it with `aria-describedby`).
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    view! {
        <ul class="messages" id=id aria-live="polite">
            {move || messages.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    }
}

/// A labelled control (the children) with its hint and its messages; `data-field` names the
/// request field, `{id}-hint` and `{id}-error` are the IDs the control describes itself by.
#[component]
pub fn Field(
    /// The request field (`name`, `min_disk_size`).
    field: &'static str,
    /// The control's element ID.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The hint under the control.
    #[prop(into)]
    hint: String,
    /// The messages under the hint.
    messages: Signal<Vec<String>>,
    /// The control.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:invalid=move || messages.with(|m| !m.is_empty()) data-field=field>
            <label for=id>{label}</label>
            {children()}
            <p class="hint" id=format!("{id}-hint")>{hint}</p>
            <Messages messages id=format!("{id}-error") />
        </div>
    }
}

/// A group of controls under a legend, with its hint and messages (`data-field` as [`Field`]).
#[component]
pub fn FieldSet(
    /// The request field.
    field: &'static str,
    /// The visible legend.
    legend: &'static str,
    /// Extra classes (`source`).
    #[prop(optional)]
    class: &'static str,
    /// The messages at the end.
    messages: Signal<Vec<String>>,
    /// The controls (and any hint).
    children: Children,
) -> impl IntoView {
    view! {
        <fieldset class=format!("field {class}") class:invalid=move || messages.with(|m| !m.is_empty()) data-field=field>
            <legend>{legend}</legend>
            {children()}
            <Messages messages />
        </fieldset>
    }
}

/// A load in flight: `text` ("Loading images…") at first, then, after a few seconds, that the
/// console is still waiting and for how long (a slow link is not a broken page).
#[component]
pub fn Waiting(
    /// The second the call started.
    since: i64,
    /// What is being loaded.
    text: &'static str,
) -> impl IntoView {
    let ctx = crate::state::ctx();
    let lang = ctx.lang();
    let waited = move || ctx.now.get() - since;
    let long = Memo::new(move |_| waited() >= STILL_WAITING_S);
    // The live region changes once (loading, then still waiting); the seconds tick beside it,
    // hidden from screen readers, so nothing is announced every second.
    view! {
        <p class="muted waiting">
            <span role="status">{move || if long.get() { lang.words().still_waiting } else { text }}</span>
            {move || long.get().then(|| view! { <span aria-hidden="true">{move || lang.waited(waited())}</span> })}
        </p>
    }
}

/// After this many seconds a load says it is still waiting.
const STILL_WAITING_S: i64 = 3;

/// A failed load in words, with Retry and the service's own text for support.
#[component]
pub fn Failed(
    /// What the failure says.
    text: String,
    /// The service's raw answer.
    detail: Option<String>,
    /// Runs the load again.
    retry: impl Fn() + 'static,
) -> impl IntoView {
    let w = crate::state::ctx().lang().words();
    view! {
        <div class="banner banner-error" role="alert">
            <span>{text}</span>
            " "
            <button type="button" class="secondary" on:click=move |_| retry()>{w.retry}</button>
            <Raw detail />
        </div>
    }
}

/// The service's raw answer (code, message, violations), folded away: for support.
#[component]
pub fn Raw(
    /// The raw answer; nothing is shown without one.
    detail: Option<String>,
) -> impl IntoView {
    let w = crate::state::ctx().lang().words();
    detail.map(|raw| {
        view! {
            <details class="raw">
                <summary>{w.error_details}</summary>
                <pre>{raw}</pre>
            </details>
        }
    })
}

/// Previous and next over a listing's pages, and where it is (`Page 2`); both buttons wait
/// while a page loads.
#[component]
pub fn Pager(
    /// The page shown.
    cursor: RwSignal<kiln_console::listing::Cursor>,
    /// The page's `next_page_token` (empty on the last page).
    next: RwSignal<String>,
    /// Whether a page is loading.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView {
    use kiln_console::listing::Cursor;
    let lang = crate::state::ctx().lang();
    let w = lang.words();
    let previous = move || cursor.with(Cursor::previous);
    let following = move || cursor.with(|c| next.with(|t| c.next(t)));
    view! {
        <div class="pager" role="group" aria-label=w.pages>
            <button type="button" class="secondary" disabled=move || busy.get() || previous().is_none()
                on:click=move |_| if let Some(c) = previous() { cursor.set(c) }>{w.previous_page}</button>
            <span class="muted">{move || lang.page_number(cursor.with(Cursor::page))}</span>
            <button type="button" class="secondary" disabled=move || busy.get() || following().is_none()
                on:click=move |_| if let Some(c) = following() { cursor.set(c) }>{w.next_page}</button>
        </div>
    }
}
