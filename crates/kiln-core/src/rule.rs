//! The contract's rule ids as a closed enum. The ids (`required`, `map_key.length`, ...) are an
//! API: the npm package, the console and scripts key on them, so [`Rule::as_str`] and the serde
//! form write exactly these strings, and [`Rule::ALL`] is the one list every front end (and the
//! npm package's generated TypeScript union) is made from.

use serde::{Deserialize, Serialize};

/// A rule a violation breaks: an annotation of the `.proto` files, or a shape problem of the
/// input (wrong JSON type, unknown field, unknown enum value). Serialized as its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// `(required)`: the field is absent, null, or its default value.
    #[serde(rename = "required")]
    Required,
    /// `(length)`: a string's length in characters.
    #[serde(rename = "length")]
    Length,
    /// `(pattern)`: a string does not match the whole pattern.
    #[serde(rename = "pattern")]
    Pattern,
    /// `(size)`: the number of a list's items or a map's entries.
    #[serde(rename = "size")]
    Size,
    /// `(value)`: a number's range.
    #[serde(rename = "value")]
    Value,
    /// `(map_key).length`: a map key's length.
    #[serde(rename = "map_key.length")]
    MapKeyLength,
    /// `(map_key).pattern`: a map key does not match the pattern.
    #[serde(rename = "map_key.pattern")]
    MapKeyPattern,
    /// `(exactly_one)`: none or several members of a oneof that needs one.
    #[serde(rename = "exactly_one")]
    ExactlyOne,
    /// Several members of a plain oneof are set.
    #[serde(rename = "oneof")]
    Oneof,
    /// The JSON value has the wrong type for the field.
    #[serde(rename = "type")]
    Type,
    /// A key the message does not have.
    #[serde(rename = "unknown_field")]
    UnknownField,
    /// A value the enum does not have.
    #[serde(rename = "enum")]
    Enum,
}

impl Rule {
    /// Every rule, in the order of the variants (`Rule::ALL[r as usize] == r`).
    pub const ALL: [Rule; 12] = [
        Rule::Required,
        Rule::Length,
        Rule::Pattern,
        Rule::Size,
        Rule::Value,
        Rule::MapKeyLength,
        Rule::MapKeyPattern,
        Rule::ExactlyOne,
        Rule::Oneof,
        Rule::Type,
        Rule::UnknownField,
        Rule::Enum,
    ];

    /// The contract's id of the rule, e.g. `map_key.length`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::Length => "length",
            Rule::Pattern => "pattern",
            Rule::Size => "size",
            Rule::Value => "value",
            Rule::MapKeyLength => "map_key.length",
            Rule::MapKeyPattern => "map_key.pattern",
            Rule::ExactlyOne => "exactly_one",
            Rule::Oneof => "oneof",
            Rule::Type => "type",
            Rule::UnknownField => "unknown_field",
            Rule::Enum => "enum",
        }
    }

    /// The rule whose id is `id` exactly, if any.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == id)
    }
}

/// An id that names no rule (from [`Rule`]'s `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule;

impl std::str::FromStr for Rule {
    type Err = UnknownRule;

    fn from_str(id: &str) -> Result<Rule, UnknownRule> {
        Rule::from_id(id).ok_or(UnknownRule)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Rule {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}
