//! Alert evidence: ~48 `@odata.type` subtypes of `alertEvidence`, and more
//! every year. The common ones get a product kind and a label a person
//! recognises; every item keeps its raw JSON so nothing is lost.

use serde_json::Value;

use crate::model::Evidence;

/// Graph's short type name (`ipEvidence`) to the product kind.
const KINDS: &[(&str, &str)] = &[
    ("userEvidence", "user"),
    ("deviceEvidence", "device"),
    ("ipEvidence", "ip"),
    ("fileEvidence", "file"),
    ("processEvidence", "process"),
    ("mailboxEvidence", "mailbox"),
    ("analyzedMessageEvidence", "message"),
    ("urlEvidence", "url"),
    ("registryKeyEvidence", "registry_key"),
    ("registryValueEvidence", "registry_value"),
    ("cloudApplicationEvidence", "cloud_application"),
    ("oauthApplicationEvidence", "oauth_application"),
    ("mailClusterEvidence", "mail_cluster"),
    ("securityGroupEvidence", "security_group"),
];

/// Fields tried, in order, for a label; paths use `/` for nesting.
fn label_paths(kind: &str) -> &'static [&'static str] {
    match kind {
        "user" => &[
            "userAccount/userPrincipalName",
            "userAccount/accountName",
            "userAccount/displayName",
        ],
        "device" => &[
            "deviceDnsName",
            "hostName",
            "mdeDeviceId",
            "azureAdDeviceId",
        ],
        "ip" => &["ipAddress"],
        "file" => &[
            "fileDetails/fileName",
            "fileDetails/filePath",
            "fileDetails/sha256",
        ],
        "process" => &["processCommandLine", "imageFile/fileName", "processId"],
        "mailbox" => &["primaryAddress", "upn", "displayName"],
        "message" => &["subject", "networkMessageId", "internetMessageId"],
        "url" => &["url"],
        "registry_key" => &["registryKey"],
        "registry_value" => &["registryValueName", "registryValue", "registryKey"],
        "cloud_application" | "oauth_application" => &["displayName", "appId"],
        "mail_cluster" => &["clusterByValue", "query"],
        "security_group" => &["displayName", "securityGroupId"],
        // Unknown subtypes: the names most evidence types use.
        _ => &[
            "displayName",
            "name",
            "hostName",
            "url",
            "ipAddress",
            "userPrincipalName",
        ],
    }
}

/// One evidence item into the product's [`Evidence`]. Never fails: an item
/// that is not even an object is kept raw with kind `unknown`.
pub fn evidence_from_wire(raw: Value) -> Evidence {
    let short = raw.get("@odata.type").and_then(Value::as_str).map(|t| {
        t.rsplit('.')
            .next()
            .unwrap_or(t)
            .trim_start_matches('#')
            .to_string()
    });
    let kind = match &short {
        Some(name) => KINDS
            .iter()
            .find(|(wire, _)| wire.eq_ignore_ascii_case(name))
            .map_or_else(|| name.clone(), |(_, kind)| kind.to_string()),
        None => "unknown".to_string(),
    };

    Evidence {
        label: label_for(&kind, &raw),
        verdict: text_at(&raw, "verdict"),
        remediation_status: text_at(&raw, "remediationStatus"),
        roles: raw
            .get("roles")
            .and_then(Value::as_array)
            .map(|roles| {
                roles
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        kind,
        raw,
    }
}

fn label_for(kind: &str, raw: &Value) -> String {
    if kind == "registry_key" {
        if let (Some(hive), Some(key)) = (text_at(raw, "registryHive"), text_at(raw, "registryKey"))
        {
            return format!("{hive}\\{key}");
        }
    }
    if kind == "user" {
        let account = |f: &str| text_at(raw, &format!("userAccount/{f}"));
        if account("userPrincipalName").is_none() {
            if let (Some(domain), Some(name)) = (account("domainName"), account("accountName")) {
                return format!("{domain}\\{name}");
            }
        }
    }
    label_paths(kind)
        .iter()
        .find_map(|path| text_at(raw, path))
        .unwrap_or_default()
}

/// A non-empty string (or number, shown as text) at a `/`-separated path.
fn text_at(raw: &Value, path: &str) -> Option<String> {
    let value = path.split('/').try_fold(raw, |v, key| v.get(key))?;
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_types_get_a_kind_and_label() {
        let ip = evidence_from_wire(json!({
            "@odata.type": "#microsoft.graph.security.ipEvidence",
            "ipAddress": "203.0.113.5", "verdict": "malicious", "roles": ["attacker"]
        }));

        assert_eq!(ip.kind, "ip");
        assert_eq!(ip.label, "203.0.113.5");
        assert_eq!(ip.verdict.as_deref(), Some("malicious"));
        assert_eq!(ip.roles, vec!["attacker"]);
    }

    #[test]
    fn registry_keys_are_labelled_with_their_hive() {
        let key = evidence_from_wire(json!({
            "@odata.type": "#microsoft.graph.security.registryKeyEvidence",
            "registryHive": "HKEY_LOCAL_MACHINE", "registryKey": "SYSTEM\\X"
        }));

        assert_eq!(key.label, "HKEY_LOCAL_MACHINE\\SYSTEM\\X");
    }

    #[test]
    fn unknown_types_keep_their_short_name_and_raw_json() {
        let raw = json!({
            "@odata.type": "#microsoft.graph.security.kubernetesPodEvidence",
            "name": "web-7f9", "verdict": "suspicious"
        });
        let pod = evidence_from_wire(raw.clone());

        assert_eq!(pod.kind, "kubernetesPodEvidence");
        assert_eq!(pod.label, "web-7f9");
        assert_eq!(pod.raw, raw);
    }

    #[test]
    fn items_without_a_type_or_object_shape_are_kept() {
        assert_eq!(evidence_from_wire(json!({"hostName": "h"})).kind, "unknown");
        assert_eq!(evidence_from_wire(json!("odd")).label, "");
    }

    #[test]
    fn users_without_upn_show_domain_and_account() {
        let user = evidence_from_wire(json!({
            "@odata.type": "#microsoft.graph.security.userEvidence",
            "userAccount": {"accountName": "SYSTEM", "domainName": "NT AUTHORITY"}
        }));

        assert_eq!(user.label, "NT AUTHORITY\\SYSTEM");
    }
}
