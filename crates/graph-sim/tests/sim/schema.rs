//! A strict validator for JSON bodies against the shared v1.0 schema
//! subset (`../shared/graph-schema/v1.0-security-subset.json`): property
//! names known for the type (base types included, unless open), JSON types
//! matching the Edm types, no null where the schema says non-nullable,
//! enum values that are members, and evolvable members only when the
//! request asked for them.

use std::path::PathBuf;

use serde_json::{Map, Value};

/// The loaded schema file.
pub struct Schema {
    doc: Value,
}

/// Where the shared schema lives relative to this crate.
fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/graph-schema/v1.0-security-subset.json")
}

impl Schema {
    /// Loads the schema, or prints the skip message and returns None.
    pub fn load() -> Option<Schema> {
        let path = schema_path();
        let Ok(text) = std::fs::read(&path) else {
            println!("skipped: ../shared not present");
            return None;
        };
        let doc = serde_json::from_slice(&text).expect("schema file is JSON");
        Some(Schema { doc })
    }

    fn structured(&self, name: &str) -> Option<&Value> {
        self.doc["entityTypes"]
            .get(name)
            .or_else(|| self.doc["complexTypes"].get(name))
    }

    fn is_derived(&self, actual: &str, declared: &str) -> bool {
        let mut current = Some(actual.to_string());
        while let Some(name) = current {
            if name == declared {
                return true;
            }
            current = self
                .structured(&name)
                .and_then(|t| t["baseType"].as_str())
                .map(String::from);
        }
        false
    }

    /// Declared properties (structural and navigation) of a type and its
    /// base types, and whether any of them is open.
    fn properties(&self, name: &str) -> (Map<String, Value>, bool) {
        let mut props = Map::new();
        let mut open = false;
        let mut current = Some(name.to_string());
        while let Some(type_name) = current {
            let Some(t) = self.structured(&type_name) else {
                break;
            };
            open |= t["openType"].as_bool().unwrap_or(false);
            for key in ["properties", "navigationProperties"] {
                if let Some(map) = t[key].as_object() {
                    for (k, v) in map {
                        props.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            current = t["baseType"].as_str().map(String::from);
        }
        (props, open)
    }

    /// Errors of `value` as an instance of the structured type `name`.
    pub fn check(&self, value: &Value, name: &str, evolvable_ok: bool) -> Vec<String> {
        let mut errors = Vec::new();
        self.check_structured(value, name, evolvable_ok, "$", &mut errors);
        errors
    }

    /// Errors of a list body whose items are of type `name`.
    pub fn check_list(&self, body: &Value, name: &str, evolvable_ok: bool) -> Vec<String> {
        let mut errors = Vec::new();
        let Some(map) = body.as_object() else {
            return vec!["$: list body is not an object".into()];
        };
        for key in map.keys() {
            if !matches!(
                key.as_str(),
                "@odata.context" | "@odata.count" | "@odata.nextLink" | "value"
            ) {
                errors.push(format!("$.{key}: unexpected key in a list body"));
            }
        }
        match body["value"].as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_structured(
                        item,
                        name,
                        evolvable_ok,
                        &format!("$.value[{i}]"),
                        &mut errors,
                    );
                }
            }
            None => errors.push("$.value: missing or not an array".into()),
        }
        errors
    }

    fn check_structured(
        &self,
        value: &Value,
        declared: &str,
        evolvable_ok: bool,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        let Some(map) = value.as_object() else {
            errors.push(format!("{at}: expected an object of type {declared}"));
            return;
        };
        let mut actual = declared.to_string();
        if let Some(odata_type) = map.get("@odata.type").and_then(Value::as_str) {
            let named = odata_type.trim_start_matches('#');
            if self.structured(named).is_none() || !self.is_derived(named, declared) {
                errors.push(format!(
                    "{at}: @odata.type {odata_type} is not {declared} or derived from it"
                ));
                return;
            }
            actual = named.to_string();
        }
        let (props, open) = self.properties(&actual);
        for (key, item) in map {
            if key.starts_with('@') || key.contains("@odata.") {
                continue;
            }
            match props.get(key) {
                Some(prop) => {
                    let ty = prop["type"].as_str().unwrap_or_default();
                    let nullable = prop["nullable"].as_bool().unwrap_or(true);
                    self.check_value(
                        item,
                        ty,
                        nullable,
                        evolvable_ok,
                        &format!("{at}.{key}"),
                        errors,
                    );
                }
                None if open => {}
                None => errors.push(format!("{at}.{key}: not a property of {actual}")),
            }
        }
    }

    fn check_value(
        &self,
        value: &Value,
        ty: &str,
        nullable: bool,
        evolvable_ok: bool,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        if let Some(inner) = ty
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(
                            item,
                            inner,
                            nullable,
                            evolvable_ok,
                            &format!("{at}[{i}]"),
                            errors,
                        );
                    }
                }
                None => errors.push(format!("{at}: expected an array for {ty}, found {value}")),
            }
            return;
        }
        if value.is_null() {
            if !nullable {
                errors.push(format!("{at}: null for non-nullable {ty}"));
            }
            return;
        }
        if ty.starts_with("Edm.") {
            if let Err(message) = check_edm(value, ty) {
                errors.push(format!("{at}: {message}"));
            }
        } else if let Some(e) = self.doc["enumTypes"].get(ty) {
            self.check_enum(value, ty, e, evolvable_ok, at, errors);
        } else if self.structured(ty).is_some() {
            self.check_structured(value, ty, evolvable_ok, at, errors);
        } else {
            errors.push(format!("{at}: type {ty} is not in the schema"));
        }
    }

    fn check_enum(
        &self,
        value: &Value,
        ty: &str,
        e: &Value,
        evolvable_ok: bool,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        let Some(text) = value.as_str() else {
            errors.push(format!("{at}: enum {ty} must be a string, found {value}"));
            return;
        };
        let members: Vec<&str> = e["members"]
            .as_array()
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let cut = members.iter().position(|m| *m == "unknownFutureValue");
        let flags = e["isFlags"].as_bool().unwrap_or(false);
        let parts: Vec<&str> = if flags {
            text.split(',').map(str::trim).collect()
        } else {
            vec![text]
        };
        for part in parts {
            match members.iter().position(|m| *m == part) {
                None => errors.push(format!("{at}: '{part}' is not a member of {ty}")),
                Some(i) if cut.is_some_and(|c| i > c) && !evolvable_ok => errors.push(format!(
                    "{at}: evolvable member '{part}' of {ty} sent without the Prefer header"
                )),
                Some(_) => {}
            }
        }
    }
}

fn check_edm(value: &Value, ty: &str) -> Result<(), String> {
    let ok = match ty {
        "Edm.String" | "Edm.Binary" => value.is_string(),
        "Edm.Boolean" => value.is_boolean(),
        "Edm.Int32" => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        "Edm.Int64" => value.is_i64() || value.is_u64(),
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => {
            value.is_number() || matches!(value.as_str(), Some("NaN" | "INF" | "-INF"))
        }
        "Edm.DateTimeOffset" => value
            .as_str()
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        "Edm.Date" => value
            .as_str()
            .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
        "Edm.Duration" => value
            .as_str()
            .is_some_and(|s| s.trim_start_matches('-').starts_with('P')),
        "Edm.Guid" => value.as_str().is_some_and(is_guid),
        other => return Err(format!("unsupported Edm type {other}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{value} is not a valid {ty}"))
    }
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}
