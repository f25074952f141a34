//! The contract's rule ids as a closed enum. The ids (`required`, `map_key.length`, ...) are an
//! API: the npm package, the console and scripts key on them, so [`Rule::as_str`] and the serde
//! form write exactly these strings, and [`Rule::ALL`] is the one list every front end (and the
//! npm package's generated TypeScript union) is made from.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

/// A rule a violation breaks: an annotation of the `.proto` files, or a shape problem of the
/// input (wrong JSON type, unknown field, unknown enum value). Serialized as its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `(required)`: the field is absent, null, or its default value.
    Required,
    /// `(length)`: a string's length in characters.
    Length,
    /// `(pattern)`: a string does not match the whole pattern.
    Pattern,
    /// `(size)`: the number of a list's items or a map's entries.
    Size,
    /// `(value)`: a number's range.
    Value,
    /// `(map_key).length`: a map key's length.
    MapKeyLength,
    /// `(map_key).pattern`: a map key does not match the pattern.
    MapKeyPattern,
    /// `(exactly_one)`: none or several members of a oneof that needs one.
    ExactlyOne,
    /// Several members of a plain oneof are set.
    Oneof,
    /// The JSON value has the wrong type for the field.
    Type,
    /// A key the message does not have.
    UnknownField,
    /// A value the enum does not have.
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

/// Written as its id string (`serialize_str`: the least code in the validator's wasm; the npm
/// package writes a rule as a unit variant of its own, with `as u32` and [`Rule::as_str`]).
impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Read from its id string; any other string is an error naming the ids.
impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let id = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Rule::from_id(&id).ok_or_else(|| D::Error::unknown_variant(&id, &IDS))
    }
}

/// The ids of [`Rule::ALL`], for serde's error.
const IDS: [&str; 12] = {
    let mut ids = [""; 12];
    let mut i = 0;
    while i < ids.len() {
        ids[i] = Rule::ALL[i].as_str();
        i += 1;
    }
    ids
};

/// An id that names no rule (from [`Rule`]'s `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule;

impl std::fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a rule id of the contract")
    }
}

impl std::error::Error for UnknownRule {}

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
