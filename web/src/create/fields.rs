//! The form's single-value fields: texts, the description, the minimum disk size, the OS,
//! pooled, the hardware generation. Hints and limits come from the rules (`hints`).

use kiln_console::form::{Form, Generation, OsType};
use kiln_console::hints::{self, Hint};
use kiln_console::{GB, group_digits};
use leptos::prelude::*;

use super::State;
use crate::components::{Field, FieldSet};

/// A text input bound to one string of the form.
fn text_input(
    state: State,
    field: &'static str,
    id: &'static str,
    hint: &Hint,
    get: fn(&Form) -> &String,
    set: fn(&mut Form) -> &mut String,
) -> impl IntoView + use<> {
    view! {
        <input
            id=id
            type="text"
            autocomplete="off"
            maxlength=hint.max_length
            aria-describedby=format!("{id}-hint {id}-error")
            aria-invalid=state.invalid(field)
            prop:value=move || state.form.with(|f| get(f).clone())
            on:input=move |ev| state.edit(|f| *set(f) = event_target_value(&ev))
            on:focusout=move |_| state.touch(field)
        />
    }
}

/// A labelled text input for the request field `field`, with the rules' hint and maxlength.
pub(super) fn text_field(
    state: State,
    field: &'static str,
    id: &'static str,
    label: &'static str,
    get: fn(&Form) -> &String,
    set: fn(&mut Form) -> &mut String,
) -> impl IntoView + use<> {
    let hint = hints::hint(field, state.lang);
    let input = text_input(state, field, id, &hint, get, set);
    view! {
        <Field field id label hint=hint.text messages=state.messages_of(field)>
            {input}
        </Field>
    }
}

pub(super) fn description(state: State) -> impl IntoView + use<> {
    let hint = hints::hint("description", state.lang);
    view! {
        <Field field="description" id="description" label=state.lang.words().description hint=hint.text.clone()
            messages=state.messages_of("description")>
            <textarea
                id="description"
                rows="2"
                maxlength=hint.max_length
                aria-describedby="description-hint description-error"
                aria-invalid=state.invalid("description")
                prop:value=move || state.form.with(|f| f.description.clone())
                on:input=move |ev| state.edit(|f| f.description = event_target_value(&ev))
                on:focusout=move |_| state.touch("description")
            ></textarea>
        </Field>
    }
}

pub(super) fn min_disk_size(state: State) -> impl IntoView + use<> {
    let lang = state.lang;
    let w = lang.words();
    view! {
        <Field field="min_disk_size" id="min-disk-size" label=w.min_disk_size
            hint=hints::min_disk_size_hint(lang).text messages=state.messages_of("min_disk_size")>
            <input
                id="min-disk-size"
                type="text"
                inputmode="numeric"
                autocomplete="off"
                aria-describedby="min-disk-size-hint min-disk-size-error min-disk-size-bytes min-disk-size-floor"
                aria-invalid=state.invalid("min_disk_size")
                prop:value=move || state.form.with(|f| f.min_disk_size_gb.clone())
                on:input=move |ev| state.edit(|f| f.min_disk_size_gb = event_target_value(&ev))
                on:focusout=move |_| state.touch("min_disk_size")
            />
            <span class="bytes" id="min-disk-size-bytes">
                {move || match state.form.with(Form::min_disk_size) {
                    Ok(Some(bytes)) => lang.bytes_note(&group_digits(bytes), bytes / GB),
                    _ => String::new(),
                }}
            </span>
            // Once a source is picked, its size is the field's floor, before Create is pressed.
            <p class="hint" id="min-disk-size-floor">
                {move || state.floor().map(|floor| lang.source_floor(&lang.gb(floor)))}
            </p>
        </Field>
    }
}

pub(super) fn os(state: State) -> impl IntoView + use<> {
    let lang = state.lang;
    let w = lang.words();
    let nvidia = text_input(
        state,
        "os",
        "nvidia-driver",
        &Hint::default(),
        |f| &f.nvidia_driver,
        |f| &mut f.nvidia_driver,
    );
    view! {
        <Field field="os" id="os-type" label=w.os_type
            hint=w.os_hint messages=state.messages_of("os")>
            <select
                id="os-type"
                aria-describedby="os-type-hint os-type-error"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    let t = OsType::ALL.into_iter().find(|t| format!("{t:?}") == value).unwrap_or_default();
                    state.edit(|f| f.os_type = t);
                }
                on:focusout=move |_| state.touch("os")
            >
                {OsType::ALL.into_iter().map(|t| view! {
                    <option value=format!("{t:?}") selected=move || state.form.with(|f| f.os_type == t)>{lang.os_type(t)}</option>
                }).collect_view()}
            </select>
        </Field>
        <div class="field">
            <label for="nvidia-driver">{w.nvidia_driver}</label>
            {nvidia}
            <p class="hint" id="nvidia-driver-hint">{w.nvidia_hint}</p>
            <ul class="messages" id="nvidia-driver-error"></ul>
        </div>
    }
}

pub(super) fn pooled(state: State) -> impl IntoView + use<> {
    let w = state.lang.words();
    view! {
        <div class="field check" data-field="pooled">
            <input
                id="pooled"
                type="checkbox"
                aria-describedby="pooled-hint"
                prop:checked=move || state.form.with(|f| f.pooled)
                on:change=move |ev| state.edit(|f| f.pooled = event_target_checked(&ev))
            />
            <label for="pooled">{w.pooled}</label>
            <p class="hint" id="pooled-hint">{w.pooled_hint}</p>
        </div>
    }
}

pub(super) fn generation(state: State) -> impl IntoView + use<> {
    let lang = state.lang;
    view! {
        <FieldSet field="hardware_generation" legend=lang.words().hardware_generation
            messages=state.messages_of("hardware_generation")>
            {Generation::ALL.into_iter().map(|g| {
                let id = format!("generation-{g:?}").to_lowercase();
                view! {
                    <div class="choice">
                        <input type="radio" name="generation" id=id.clone()
                            aria-describedby=format!("{id}-hint")
                            prop:checked=move || state.form.with(|f| f.generation == g)
                            on:change=move |_| state.edit(|f| f.generation = g) />
                        <label for=id.clone()>{lang.generation(g)}</label>
                        <span class="hint" id=format!("{id}-hint")>{lang.generation_hint(g)}</span>
                    </div>
                }
            }).collect_view()}
        </FieldSet>
    }
}
