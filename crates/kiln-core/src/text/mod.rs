//! Every word a person reads from the core, in English and Russian side by side: the violation
//! messages of each rule id, the error outcomes, the rules' texts for forms, the nouns of
//! oneofs and their members, and the names of character classes that pattern texts are made
//! of. Nothing else in the crate holds a sentence.
//!
//! Messages are the hot path of an invalid request (the npm package's speed is measured), so
//! they are appended to a `String` with `push_str` and [`push_int`], never through
//! `core::fmt`. The pattern words (`pattern_words.rs`, with `numbers.rs`) are also compiled
//! into the build script (with `#[path]`), which renders each pattern's words with
//! [`shape_words`] and [`push_shape`]: the run time and the build time share one vocabulary.
//!
//! Russian terms follow Yandex Cloud's Russian console and documentation (образ, диск, снимок,
//! семейство, каталог, операция, метка); numbers take the noun form Russian asks for
//! ([`ru_plural`]: 1 символ, 2 символа, 5 символов; «не более 21 символа»).
//!
//! One file per purpose: numbers, plurals and counted nouns; limits; violation messages; error
//! outcomes; `describe`'s hints; the oneof glossary; the pattern words. Only `numbers.rs` and
//! `pattern_words.rs` are compiled into the build script (so rewording a message does not rerun
//! code generation). Everything is re-exported here, so `crate::text::X` names any of them.

mod glossary;
mod hints;
mod limits;
mod numbers;
mod outcomes;
mod pattern_words;
mod violations;

pub use glossary::*;
pub use hints::*;
pub use limits::*;
pub use numbers::*;
pub use outcomes::*;
pub use pattern_words::*;
pub use violations::*;
