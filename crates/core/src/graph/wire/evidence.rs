//! Alert evidence: ~48 `@odata.type` subtypes of `alertEvidence`, and more
//! every year. The common ones get a product kind and a label a person
//! recognises; every item keeps its raw JSON so nothing is lost.

use serde_json::value::RawValue;

use crate::model::Evidence;
use crate::raw_json::{text, Members};

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
///
/// The item stays Graph's text: only the members a kind and label need are
/// read from it, without building a JSON tree of the whole item (evidence
/// is most of an alert's bytes, and the sync only stores it).
pub fn evidence_from_wire(raw: Box<RawValue>) -> Evidence {
    let item = Members::of(&raw);
    let short = item.text("@odata.type").map(|t| {
        t.rsplit('.')
            .next()
            .unwrap_or(&t)
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
        label: label_for(&kind, &item),
        verdict: item.label_at("verdict"),
        remediation_status: item.label_at("remediationStatus"),
        roles: item
            .get("roles")
            .and_then(|roles| serde_json::from_str::<Vec<&RawValue>>(roles.get()).ok())
            .map(|roles| roles.into_iter().filter_map(text).collect())
            .unwrap_or_default(),
        kind,
        raw,
    }
}

fn label_for(kind: &str, item: &Members<'_>) -> String {
    if kind == "registry_key" {
        if let (Some(hive), Some(key)) =
            (item.label_at("registryHive"), item.label_at("registryKey"))
        {
            return format!("{hive}\\{key}");
        }
    }
    if kind == "user" {
        let account = |f: &str| item.label_at(&format!("userAccount/{f}"));
        if account("userPrincipalName").is_none() {
            if let (Some(domain), Some(name)) = (account("domainName"), account("accountName")) {
                return format!("{domain}\\{name}");
            }
        }
    }
    label_paths(kind)
        .iter()
        .find_map(|path| item.label_at(path))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn from(item: Value) -> Evidence {
        evidence_from_wire(serde_json::value::to_raw_value(&item).unwrap())
    }

    #[test]
    fn known_types_get_a_kind_and_label() {
        let ip = from(json!({
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
        let key = from(json!({
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
        let pod = from(raw.clone());

        assert_eq!(pod.kind, "kubernetesPodEvidence");
        assert_eq!(pod.label, "web-7f9");
        assert_eq!(serde_json::from_str::<Value>(pod.raw.get()).unwrap(), raw);
    }

    #[test]
    fn items_without_a_type_or_object_shape_are_kept() {
        assert_eq!(from(json!({"hostName": "h"})).kind, "unknown");
        assert_eq!(from(json!("odd")).label, "");
    }

    #[test]
    fn users_without_upn_show_domain_and_account() {
        let user = from(json!({
            "@odata.type": "#microsoft.graph.security.userEvidence",
            "userAccount": {"accountName": "SYSTEM", "domainName": "NT AUTHORITY"}
        }));

        assert_eq!(user.label, "NT AUTHORITY\\SYSTEM");
    }
}
