//! Evidence items (`microsoft.graph.security.alertEvidence` subtypes) for
//! generated alerts. Each builder emits exactly the properties the v1.0
//! schema declares for its type, with `@odata.type` naming the subtype.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::names::{CLOUD_APPS, LURE_DOMAINS, OAUTH_APPS, PLACES, SUBJECTS};
use super::org::{Device, Org, Person};
use super::rng::Gen;
use crate::clock::format_time;

/// The evidence kinds the generator can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// userEvidence
    User,
    /// deviceEvidence
    Device,
    /// ipEvidence
    Ip,
    /// fileEvidence
    File,
    /// processEvidence
    Process,
    /// mailboxEvidence
    Mailbox,
    /// analyzedMessageEvidence
    Message,
    /// urlEvidence
    Url,
    /// registryKeyEvidence
    RegistryKey,
    /// registryValueEvidence
    RegistryValue,
    /// cloudApplicationEvidence
    CloudApp,
    /// oauthApplicationEvidence
    OauthApp,
    /// mailClusterEvidence
    MailCluster,
    /// securityGroupEvidence
    SecurityGroup,
    /// cloudLogonSessionEvidence
    LogonSession,
    /// fileHashEvidence
    FileHash,
}

/// Who and what one alert is about; evidence items of an alert share it.
pub struct Scene<'a> {
    /// The tenant.
    pub org: &'a Org,
    /// The user involved.
    pub person: &'a Person,
    /// The device involved.
    pub device: &'a Device,
    /// When the alert was created (evidence shares the instant).
    pub created: DateTime<Utc>,
    /// A suspicious file name for file/process evidence.
    pub file_name: &'a str,
}

/// Builds one evidence item of `kind`.
pub fn build(gen: &mut Gen, scene: &Scene, kind: Kind) -> Value {
    let (odata, roles, mut body) = match kind {
        Kind::User => ("userEvidence", vec!["compromised"], user(scene)),
        Kind::Device => ("deviceEvidence", vec!["compromised"], device(gen, scene)),
        Kind::Ip => ("ipEvidence", vec!["attacker"], ip(gen)),
        Kind::File => ("fileEvidence", vec![], file(gen, scene)),
        Kind::Process => ("processEvidence", vec!["created"], process(gen, scene)),
        Kind::Mailbox => ("mailboxEvidence", vec!["attacked"], mailbox(scene)),
        Kind::Message => ("analyzedMessageEvidence", vec![], message(gen, scene)),
        Kind::Url => ("urlEvidence", vec!["contextual"], url(gen)),
        Kind::RegistryKey => ("registryKeyEvidence", vec![], registry_key()),
        Kind::RegistryValue => (
            "registryValueEvidence",
            vec!["edited"],
            registry_value(scene),
        ),
        Kind::CloudApp => ("cloudApplicationEvidence", vec![], cloud_app(gen)),
        Kind::OauthApp => (
            "oauthApplicationEvidence",
            vec!["policyViolator"],
            oauth_app(gen),
        ),
        Kind::MailCluster => ("mailClusterEvidence", vec![], mail_cluster(gen, scene)),
        Kind::SecurityGroup => ("securityGroupEvidence", vec!["edited"], security_group(gen)),
        Kind::LogonSession => ("cloudLogonSessionEvidence", vec![], logon(gen, scene)),
        Kind::FileHash => ("fileHashEvidence", vec![], file_hash(gen)),
    };
    let base = base(gen, scene, odata, &roles);
    for (key, value) in base {
        body.entry(key).or_insert(value);
    }
    Value::Object(body)
}

/// The alertEvidence properties shared by every subtype.
fn base(gen: &mut Gen, scene: &Scene, odata: &str, roles: &[&str]) -> Map<String, Value> {
    let verdict = *gen.pick(&["suspicious", "malicious", "unknown", "noThreatsFound"]);
    // Members after unknownFutureValue (active, pendingApproval, running)
    // appear now and then so the Prefer header has something to change.
    let remediation = *gen.pick(&[
        "none",
        "none",
        "none",
        "remediated",
        "prevented",
        "blocked",
        "active",
        "pendingApproval",
        "running",
    ]);
    let mut map = Map::new();
    map.insert(
        "@odata.type".into(),
        json!(format!("#microsoft.graph.security.{odata}")),
    );
    map.insert("createdDateTime".into(), json!(format_time(scene.created)));
    map.insert("verdict".into(), json!(verdict));
    map.insert("remediationStatus".into(), json!(remediation));
    map.insert("remediationStatusDetails".into(), Value::Null);
    map.insert("roles".into(), json!(roles));
    map.insert("detailedRoles".into(), json!([]));
    map.insert("tags".into(), json!([]));
    map
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A `microsoft.graph.security.userAccount` for a person.
pub fn account(person: &Person, org: &Org) -> Value {
    json!({
        "accountName": person.account_name,
        "domainName": org.domain.split('.').next().unwrap_or_default().to_uppercase(),
        "userSid": person.sid,
        "azureAdUserId": person.object_id,
        "userPrincipalName": person.upn,
        "displayName": person.display_name,
    })
}

fn user(scene: &Scene) -> Map<String, Value> {
    obj(json!({ "userAccount": account(scene.person, scene.org) }))
}

fn device(gen: &mut Gen, scene: &Scene) -> Map<String, Value> {
    let d = scene.device;
    let first_seen = gen.before(scene.created, 86_400 * 30, 86_400 * 700);
    obj(json!({
        "firstSeenDateTime": format_time(first_seen),
        "mdeDeviceId": d.mde_id,
        "azureAdDeviceId": d.aad_id,
        "deviceDnsName": format!("{}.{}", d.host.to_lowercase(), scene.org.domain),
        "hostName": d.host,
        "ntDomain": scene.org.domain.split('.').next().unwrap_or_default().to_uppercase(),
        "dnsDomain": scene.org.domain,
        "osPlatform": d.os_platform,
        "osBuild": d.os_build,
        "version": if d.os_build >= 22000 { "23H2" } else { "22H2" },
        "healthStatus": *gen.pick(&["active", "active", "inactive", "impairedCommunication"]),
        "riskScore": *gen.pick(&["high", "medium", "low"]),
        "rbacGroupId": 0,
        "rbacGroupName": "UnassignedGroup",
        "onboardingStatus": "onboarded",
        "defenderAvStatus": *gen.pick(&["updated", "notUpdated"]),
        "ipInterfaces": [d.ip],
        "lastIpAddress": d.ip,
        "lastExternalIpAddress": gen.public_ip(),
        "loggedOnUsers": [{
            "accountName": scene.person.account_name,
            "domainName": scene.org.domain.split('.').next().unwrap_or_default().to_uppercase(),
        }],
        "vmMetadata": null,
    }))
}

fn ip(gen: &mut Gen) -> Map<String, Value> {
    let (city, state, country, code, lat, long) = *gen.pick(PLACES);
    obj(json!({
        "ipAddress": gen.public_ip(),
        "countryLetterCode": code,
        "location": {
            "city": city, "state": state, "countryName": country,
            "latitude": lat, "longitude": long,
        },
        "stream": null,
    }))
}

/// A `microsoft.graph.security.fileDetails` for a file name.
fn file_details(gen: &mut Gen, name: &str, path: &str) -> Value {
    json!({
        "fileName": name,
        "filePath": path,
        "filePublisher": null,
        "fileSize": gen.range(40_000, 9_000_000),
        "issuer": null,
        "md5": gen.hex(32),
        "sha1": gen.hex(40),
        "sha256": gen.hex(64),
        "sha256Ac": null,
        "signer": null,
    })
}

fn file(gen: &mut Gen, scene: &Scene) -> Map<String, Value> {
    let path = format!("C:\\Users\\{}\\Downloads", scene.person.account_name);
    obj(json!({
        "fileDetails": file_details(gen, scene.file_name, &path),
        "detectionStatus": *gen.pick(&["detected", "blocked", "prevented"]),
        "mdeDeviceId": scene.device.mde_id,
    }))
}

fn process(gen: &mut Gen, scene: &Scene) -> Map<String, Value> {
    let started = gen.before(scene.created, 5, 600);
    let parent_started = gen.before(started, 60, 86_400);
    let mut parent = file_details(gen, "explorer.exe", "C:\\Windows");
    parent["filePublisher"] = json!("Microsoft Corporation");
    obj(json!({
        "processId": gen.range(1_000, 30_000),
        "parentProcessId": gen.range(400, 9_000),
        "processCommandLine": format!("\"{}\" -enc SQBFAFgA", scene.file_name),
        "processCreationDateTime": format_time(started),
        "parentProcessCreationDateTime": format_time(parent_started),
        "imageFile": file_details(gen, scene.file_name, "C:\\ProgramData"),
        "parentProcessImageFile": parent,
        "userAccount": account(scene.person, scene.org),
        "detectionStatus": "detected",
        "mdeDeviceId": scene.device.mde_id,
    }))
}

fn mailbox(scene: &Scene) -> Map<String, Value> {
    obj(json!({
        "displayName": scene.person.display_name,
        "primaryAddress": scene.person.upn,
        "upn": scene.person.upn,
        "userAccount": account(scene.person, scene.org),
    }))
}

fn message(gen: &mut Gen, scene: &Scene) -> Map<String, Value> {
    let lure = *gen.pick(LURE_DOMAINS);
    let received = gen.before(scene.created, 30, 3_600);
    obj(json!({
        "networkMessageId": gen.guid(),
        "internetMessageId": format!("<{}@{lure}>", gen.hex(24)),
        "subject": *gen.pick(SUBJECTS),
        "language": "en",
        "senderIp": gen.public_ip(),
        "recipientEmailAddress": scene.person.upn,
        "p1Sender": {"displayName": "Notification", "domainName": lure,
                     "emailAddress": format!("no-reply@{lure}")},
        "p2Sender": {"displayName": "Notification", "domainName": lure,
                     "emailAddress": format!("no-reply@{lure}")},
        "antiSpamDirection": "Inbound",
        "deliveryAction": *gen.pick(&["Delivered", "Blocked", "Junked"]),
        "deliveryLocation": *gen.pick(&["Inbox/folder", "Quarantine", "Junk folder"]),
        "receivedDateTime": format_time(received),
        "threats": ["Phish"],
        "threatDetectionMethods": ["URL detonation reputation"],
        "urls": [format!("https://{lure}/login")],
        "urlCount": 1,
        "attachmentsCount": 0,
        "urn": format!("urn:MailEntity:{}", gen.hex(32)),
    }))
}

fn url(gen: &mut Gen) -> Map<String, Value> {
    let lure = *gen.pick(LURE_DOMAINS);
    obj(json!({ "url": format!("https://{lure}/auth/{}", gen.hex(8)) }))
}

fn registry_key() -> Map<String, Value> {
    obj(json!({
        "registryHive": "HKEY_CURRENT_USER",
        "registryKey": "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
    }))
}

fn registry_value(scene: &Scene) -> Map<String, Value> {
    obj(json!({
        "mdeDeviceId": scene.device.mde_id,
        "registryHive": "HKEY_CURRENT_USER",
        "registryKey": "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
        "registryValue": format!("C:\\ProgramData\\{}", scene.file_name),
        "registryValueName": "OneDriveUpdater",
        "registryValueType": "String",
    }))
}

fn cloud_app(gen: &mut Gen) -> Map<String, Value> {
    let (name, id) = *gen.pick(CLOUD_APPS);
    obj(json!({
        "appId": id, "displayName": name, "instanceId": 0,
        "instanceName": name, "saasAppId": id, "stream": null,
    }))
}

fn oauth_app(gen: &mut Gen) -> Map<String, Value> {
    let (name, publisher) = *gen.pick(OAUTH_APPS);
    obj(json!({
        "appId": gen.guid(), "displayName": name,
        "objectId": gen.guid(), "publisher": publisher,
    }))
}

fn mail_cluster(gen: &mut Gen, scene: &Scene) -> Map<String, Value> {
    let lure = *gen.pick(LURE_DOMAINS);
    let count = gen.range(2, 40);
    let ids: Vec<String> = (0..count.min(3)).map(|_| gen.guid()).collect();
    obj(json!({
        "clusterBy": "Sender",
        "clusterByValue": format!("no-reply@{lure}"),
        "emailCount": count,
        "networkMessageIds": ids,
        "query": format!("(SenderFromAddress:\"no-reply@{lure}\") AND (RecipientDomain:\"{}\")",
                         scene.org.domain),
        "urn": format!("urn:MailClusterEntity:{}", gen.hex(32)),
    }))
}

fn security_group(gen: &mut Gen) -> Map<String, Value> {
    let guid = gen.guid();
    obj(json!({
        "securityGroupId": guid,
        "activeDirectoryObjectGuid": guid,
        "displayName": "Domain Admins",
        "distinguishedName": "CN=Domain Admins,CN=Users,DC=corp,DC=local",
        "friendlyName": "Domain Admins",
        "sid": format!("S-1-5-21-{}-512", gen.digits(10)),
    }))
}

fn logon(gen: &mut Gen, scene: &Scene) -> Map<String, Value> {
    let started = gen.before(scene.created, 60, 7_200);
    obj(json!({
        "sessionId": gen.guid(),
        "startUtcDateTime": format_time(started),
        "previousLogonDateTime": format_time(gen.before(started, 3_600, 86_400 * 3)),
        "browser": "Chrome 126.0.0",
        "deviceName": null,
        "operatingSystem": "Linux",
        "protocol": "OAuth2:Token",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
        "account": null,
    }))
}

fn file_hash(gen: &mut Gen) -> Map<String, Value> {
    obj(json!({ "algorithm": "sha256", "value": gen.hex(64) }))
}
