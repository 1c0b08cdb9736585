//! Reading a few members out of JSON kept as text ([`RawValue`]) without
//! parsing the rest into a tree: each level read is one pass over its
//! text that borrows names and values from it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Number;

/// The string at a `/`-separated path of a JSON object (any string, empty
/// too), e.g. `userAccount/userPrincipalName`.
pub(crate) fn text_at(raw: &RawValue, path: &str) -> Option<String> {
    Members::of(raw).value_at(path).and_then(text)
}

/// One level of a JSON object: its members' names and their values as
/// unparsed text. Anything but an object has no members. A name repeated
/// counts with its last value, as in a parsed tree.
pub(crate) struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Members<'a> {
    pub(crate) fn of(raw: &'a RawValue) -> Members<'a> {
        serde_json::from_str(raw.get()).unwrap_or(Members(Vec::new()))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// The value at a `/`-separated path below this object.
    fn value_at(&self, path: &str) -> Option<&'a RawValue> {
        let mut names = path.split('/');
        let first = self.get(names.next()?)?;
        names.try_fold(first, |value, name| Members::of(value).get(name))
    }

    /// The string member `name`, if it is one.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.get(name).and_then(text)
    }

    /// A non-empty string (or a number, shown as text) at a `/`-separated
    /// path.
    pub(crate) fn label_at(&self, path: &str) -> Option<String> {
        let value = self.value_at(path)?;
        match value.get().as_bytes().first()? {
            b'"' => text(value).filter(|s| !s.is_empty()),
            b'-' | b'0'..=b'9' => serde_json::from_str::<Number>(value.get())
                .ok()
                .map(|n| n.to_string()),
            _ => None,
        }
    }
}

/// A JSON string's value; `None` for any other JSON value.
pub(crate) fn text(value: &RawValue) -> Option<String> {
    if value.get().starts_with('"') {
        serde_json::from_str(value.get()).ok()
    } else {
        None
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(name) = map.next_key_seed(Name)? {
                    members.push((name, map.next_value()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A member name, borrowed from the text unless it holds escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn strings_are_read_at_nested_paths_through_whitespace_and_escapes() {
        let item = raw(r#"{ "userAccount" : { "userPrincipalName" : "a\u0040b.com" } }"#);
        assert_eq!(
            text_at(&item, "userAccount/userPrincipalName").as_deref(),
            Some("a@b.com")
        );
        assert_eq!(text_at(&item, "userAccount/missing"), None);
        assert_eq!(text_at(&item, "missing/userPrincipalName"), None);
    }

    #[test]
    fn escaped_names_match_and_a_repeated_name_counts_with_its_last_value() {
        let item = raw(r#"{"na\u006de": "first", "name": "second"}"#);
        assert_eq!(Members::of(&item).text("name").as_deref(), Some("second"));
    }

    #[test]
    fn labels_are_non_empty_strings_or_numbers_and_nothing_else() {
        let item = raw(r#"{"s": "x", "e": "", "n": 1.50, "i": -7, "b": true, "o": {}, "z": null}"#);
        let members = Members::of(&item);
        let labels: Vec<_> = ["s", "e", "n", "i", "b", "o", "z"]
            .iter()
            .map(|name| members.label_at(name))
            .collect();
        assert_eq!(
            labels,
            [
                Some("x".into()),
                None,
                Some("1.5".into()),
                Some("-7".into()),
                None,
                None,
                None
            ]
        );
        assert_eq!(
            members.text("e").as_deref(),
            Some(""),
            "text takes empty strings"
        );
        assert_eq!(members.text("n"), None, "text takes strings only");
    }

    #[test]
    fn anything_but_an_object_has_no_members() {
        for text in [r#""odd""#, "[1, 2]", "null", "3"] {
            assert!(Members::of(&raw(text)).0.is_empty(), "{text}");
        }
    }
}
