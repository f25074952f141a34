//! The languages Kiln's words come in. The validator's results, the rules' texts and the
//! reports of the front ends are written in one [`Locale`]; English is the default (the real
//! API, and so the local service, speak English).
//!
//! This file is also compiled into the build script (`build.rs` includes it with `#[path]`), so
//! the pattern texts generated at build time and the messages written at run time share it.

/// A language of Kiln's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// English, the default.
    #[default]
    En = 0,
    /// Russian.
    Ru = 1,
}

impl Locale {
    /// Every locale, in the order of the per-locale tables (`[en, ru]`).
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    /// The BCP 47 language tag: `en` or `ru`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
        }
    }

    /// The locale of a language tag or a POSIX locale name, by its language part, ignoring
    /// case: `ru`, `ru-RU`, `ru_RU.UTF-8`, `ru_RU@euro`, `en`, `en-US`, `en_GB.utf8`. The POSIX
    /// locales `C` and `POSIX` (and `C.UTF-8`) are English: their messages are the untranslated
    /// ones. Anything else (an empty string, `de`, `fr-FR`) is `None`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim();
        // A POSIX name: language[_territory][.codeset][@modifier].
        let end = tag.find(['.', '@']).unwrap_or(tag.len());
        let name = &tag[..end];
        let language = &name[..name.find(['-', '_']).unwrap_or(name.len())];
        if language.eq_ignore_ascii_case("ru") {
            Some(Locale::Ru)
        } else if language.eq_ignore_ascii_case("en")
            || (name == language
                && (language.eq_ignore_ascii_case("c") || language.eq_ignore_ascii_case("posix")))
        {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The index of this locale in a per-locale table (`[en, ru]`).
    pub fn index(self) -> usize {
        self as usize
    }
}
