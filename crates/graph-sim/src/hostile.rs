//! Hostile text for security testing of clients: every text field a
//! triage UI shows is overwritten with strings from a payload corpus
//! (script tags, event handlers, `javascript:` links, template syntax,
//! bidi overrides, control characters, ...), cycling through the corpus
//! so that each payload lands in many fields.
//!
//! Values stay JSON strings, so bodies remain what the schema allows; only
//! their content is hostile. Ids, enum members, timestamps and domains are
//! left alone (the simulator's own routing and filters depend on them).
//! The corpus file is `{"payloads": [{"name": "...", "text": "..."}]}`.

use std::path::Path;

use serde_json::Value;

use crate::world::Tenant;

/// Keys whose string values are shown to the analyst somewhere: incident
/// and alert text, comments, owners, evidence names, paths, command lines,
/// subjects, addresses, and Secure Score recommendation text and links.
const TEXT_KEYS: &[&str] = &[
    "displayName",
    "description",
    "title",
    "comment",
    "createdByDisplayName",
    "assignedTo",
    "recommendedActions",
    "category",
    "customTags",
    "incidentWebUrl",
    "alertWebUrl",
    "userPrincipalName",
    "accountName",
    "deviceDnsName",
    "hostName",
    "fileName",
    "filePath",
    "processCommandLine",
    "subject",
    "senderFromAddress",
    "p1Sender",
    "p2Sender",
    "primaryAddress",
    "url",
    "registryKey",
    "registryValueName",
    "remediation",
    "remediationImpact",
    "actionUrl",
    "threats",
];

/// Reads a corpus file: the `text` of every entry of `payloads`.
pub fn load(path: &Path) -> std::io::Result<Vec<String>> {
    let bytes = std::fs::read(path)?;
    let corpus: Value = serde_json::from_slice(&bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let texts: Vec<String> = corpus["payloads"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|p| p["text"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if texts.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "no payloads[].text in the corpus",
        ));
    }
    Ok(texts)
}

/// Cycles through the corpus.
struct Cycle<'a> {
    payloads: &'a [String],
    next: usize,
}

impl Cycle<'_> {
    fn take(&mut self) -> String {
        let text = self.payloads[self.next % self.payloads.len()].clone();
        self.next += 1;
        text
    }

    /// Replaces the shown text fields anywhere inside `value`.
    fn walk(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let shown = TEXT_KEYS.contains(&key.as_str());
                    match child {
                        Value::String(text) if shown => *text = self.take(),
                        Value::Array(items) if shown => items
                            .iter_mut()
                            .filter(|i| i.is_string())
                            .for_each(|i| *i = Value::String(self.take())),
                        other => self.walk(other),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.walk(i)),
            _ => {}
        }
    }
}

/// Puts `payloads` into every shown text field of `tenants`, the tenant
/// names included (GDAP customer, relationship and organization).
pub fn inject(tenants: &mut [Tenant], payloads: &[String]) {
    if payloads.is_empty() {
        return;
    }
    let mut cycle = Cycle { payloads, next: 0 };
    for tenant in tenants {
        let name = cycle.take();
        tenant.org.display_name = name.clone();
        tenant.organization["displayName"] = Value::String(name.clone());
        for relationship in &mut tenant.relationships {
            relationship["customer"]["displayName"] = Value::String(name.clone());
        }
        let bodies = tenant
            .incidents
            .iter_mut()
            .chain(tenant.alerts.iter_mut())
            .chain(tenant.control_profiles.iter_mut());
        bodies.for_each(|body| cycle.walk(body));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn shown_text_is_replaced_and_ids_are_kept() {
        let payloads = vec!["<a>".to_string(), "<b>".to_string()];
        let mut cycle = Cycle {
            payloads: &payloads,
            next: 0,
        };
        let mut body = json!({"id": "1", "title": "t", "customTags": ["x", "y"],
            "evidence": [{"fileDetails": {"fileName": "f", "sha256": "00"}}]});

        cycle.walk(&mut body);

        let hostile = |v: &Value| payloads.iter().any(|p| v == p.as_str());
        assert_eq!(body["id"], "1");
        assert!(hostile(&body["title"]));
        assert!(body["customTags"].as_array().unwrap().iter().all(hostile));
        assert!(hostile(&body["evidence"][0]["fileDetails"]["fileName"]));
        assert_eq!(body["evidence"][0]["fileDetails"]["sha256"], "00");
        assert_eq!(cycle.next, 4, "four shown fields replaced");
    }
}
