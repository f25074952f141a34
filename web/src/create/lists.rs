//! The form's list fields: labels as key/value rows, product IDs as rows, each with Add and
//! Remove.

use kiln_console::hints;
use leptos::prelude::*;

use super::State;
use crate::components::FieldSet;

/// A group of rows with an Add button and the rules' hint.
fn list_field<V: IntoView + 'static>(
    state: State,
    field: &'static str,
    legend: &'static str,
    add_label: &'static str,
    rows: impl Fn() -> V + Send + Sync + 'static,
    add: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <FieldSet field legend messages=state.messages_of(field)>
            {rows}
            <button type="button" class="secondary" on:click=move |_| add()>{add_label}</button>
            <p class="hint">{hints::hint(field, state.lang).text}</p>
        </FieldSet>
    }
}

/// Labels as key = value rows.
#[component]
pub(super) fn Labels(state: State) -> impl IntoView {
    let count = Memo::new(move |_| state.form.with(|f| f.labels.len()));
    let lang = state.lang;
    let max_length = hints::hint("labels", lang).max_length;
    let row = move |i: usize| {
        let get = move |key: bool| {
            move || {
                state.form.with(|f| {
                    f.labels
                        .get(i)
                        .map(|(k, v)| if key { k.clone() } else { v.clone() })
                        .unwrap_or_default()
                })
            }
        };
        let set = move |key: bool, value: String| {
            state.edit(|f| {
                if let Some(row) = f.labels.get_mut(i) {
                    if key { row.0 = value } else { row.1 = value }
                }
            })
        };
        view! {
            <div class="row">
                <input type="text" class="label-key" aria-label=lang.label_key(i + 1)
                    maxlength=max_length
                    prop:value=get(true) on:input=move |ev| set(true, event_target_value(&ev))
                    on:focusout=move |_| state.touch("labels") />
                <span aria-hidden="true">"="</span>
                <input type="text" class="label-value" aria-label=lang.label_value(i + 1)
                    maxlength=max_length
                    prop:value=get(false) on:input=move |ev| set(false, event_target_value(&ev))
                    on:focusout=move |_| state.touch("labels") />
                <button type="button" class="secondary" aria-label=lang.remove_label(i + 1)
                    on:click=move |_| state.edit(|f| { if i < f.labels.len() { f.labels.remove(i); } })>{lang.words().remove}</button>
            </div>
        }
    };
    list_field(
        state,
        "labels",
        lang.words().labels,
        lang.words().add_label,
        move || (0..count.get()).map(row).collect_view(),
        move || state.edit(|f| f.labels.push(Default::default())),
    )
}

/// Product IDs, one per row.
#[component]
pub(super) fn ProductIds(state: State) -> impl IntoView {
    let count = Memo::new(move |_| state.form.with(|f| f.product_ids.len()));
    let lang = state.lang;
    let max_length = hints::hint("product_ids", lang).max_length;
    let row = move |i: usize| {
        view! {
            <div class="row">
                <input type="text" aria-label=lang.product_id(i + 1)
                    maxlength=max_length
                    prop:value=move || state.form.with(|f| f.product_ids.get(i).cloned().unwrap_or_default())
                    on:input=move |ev| state.edit(|f| if let Some(p) = f.product_ids.get_mut(i) { *p = event_target_value(&ev) })
                    on:focusout=move |_| state.touch("product_ids") />
                <button type="button" class="secondary" aria-label=lang.remove_product_id(i + 1)
                    on:click=move |_| state.edit(|f| { if i < f.product_ids.len() { f.product_ids.remove(i); } })>{lang.words().remove}</button>
            </div>
        }
    };
    list_field(
        state,
        "product_ids",
        lang.words().product_ids,
        lang.words().add_product_id,
        move || (0..count.get()).map(row).collect_view(),
        move || state.edit(|f| f.product_ids.push(String::new())),
    )
}
