//! Alert templates modelled on real Defender XDR detections, and the
//! builder that turns a template into a `microsoft.graph.security.alert`
//! body for one tenant.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::evidence::{self, Kind, Scene};
use super::org::Org;
use super::rng::Gen;
use crate::clock::format_time;

/// A kind of detection.
pub struct Template {
    /// Alert title.
    pub title: &'static str,
    /// Alert description.
    pub description: &'static str,
    /// MITRE tactic-like category.
    pub category: &'static str,
    /// MITRE technique ids.
    pub mitre: &'static [&'static str],
    /// serviceSource; evolvable members appear in a few templates.
    pub service: &'static str,
    /// detectionSource.
    pub detection: &'static str,
    /// productName.
    pub product: &'static str,
    /// Provider id prefix ("da" for MDE, "fa" for MDO, ...).
    pub prefix: &'static str,
    /// Usual severity.
    pub severity: &'static str,
    /// Evidence carried.
    pub evidence: &'static [Kind],
    /// Suspicious file name when file/process evidence is present.
    pub file_name: &'static str,
}

const MDE: &str = "microsoftDefenderForEndpoint";
const MDO: &str = "microsoftDefenderForOffice365";
const MDA: &str = "microsoftDefenderForCloudApps";
const AADIP: &str = "azureAdIdentityProtection";

/// The template catalogue.
pub const TEMPLATES: &[Template] = &[
    Template { title: "Suspicious PowerShell command line", description: "A suspicious PowerShell activity was observed on the device. This activity matches attackers that use encoded commands to download and run payloads.", category: "Execution", mitre: &["T1059.001", "T1027"], service: MDE, detection: "microsoftDefenderForEndpoint", product: "Microsoft Defender for Endpoint", prefix: "da", severity: "medium", evidence: &[Kind::Device, Kind::Process, Kind::User, Kind::File], file_name: "powershell.exe" },
    Template { title: "'Mimikatz' credential theft tool", description: "Mimikatz, a tool that dumps credentials from memory, was detected on the device.", category: "CredentialAccess", mitre: &["T1003.001"], service: MDE, detection: "antivirus", product: "Microsoft Defender for Endpoint", prefix: "da", severity: "high", evidence: &[Kind::Device, Kind::File, Kind::Process, Kind::User, Kind::FileHash], file_name: "mimikatz.exe" },
    Template { title: "Suspicious execution of hidden file", description: "A hidden file has been launched. Attackers often hide files associated with malicious tools to evade file system inspection.", category: "DefenseEvasion", mitre: &["T1564.001"], service: MDE, detection: "microsoftDefenderForEndpoint", product: "Microsoft Defender for Endpoint", prefix: "da", severity: "low", evidence: &[Kind::Device, Kind::File, Kind::Process, Kind::RegistryKey], file_name: "svch0st.exe" },
    Template { title: "Anomaly detected in ASEP registry", description: "A process registered a suspicious command or file in an auto-start registry key so that it runs at every sign-in.", category: "Persistence", mitre: &["T1547.001"], service: MDE, detection: "microsoftDefenderForEndpoint", product: "Microsoft Defender for Endpoint", prefix: "da", severity: "medium", evidence: &[Kind::Device, Kind::RegistryValue, Kind::RegistryKey, Kind::Process], file_name: "OneDriveUpdater.exe" },
    Template { title: "Ransomware behavior detected in the file system", description: "Files were encrypted and renamed in a pattern typical of ransomware.", category: "Impact", mitre: &["T1486"], service: MDE, detection: "antivirus", product: "Microsoft Defender for Endpoint", prefix: "da", severity: "high", evidence: &[Kind::Device, Kind::File, Kind::Process, Kind::User], file_name: "locker.exe" },
    Template { title: "Email messages containing malicious URL removed after delivery", description: "Emails with a malicious URL were delivered and later removed by zero-hour auto purge.", category: "InitialAccess", mitre: &["T1566.002"], service: MDO, detection: "microsoftDefenderForOffice365", product: "Microsoft Defender for Office 365", prefix: "fa", severity: "medium", evidence: &[Kind::Mailbox, Kind::Message, Kind::Url, Kind::MailCluster], file_name: "" },
    Template { title: "A potentially malicious URL click was detected", description: "A user clicked a URL that was later found to be malicious.", category: "InitialAccess", mitre: &["T1566.002", "T1204.001"], service: MDO, detection: "microsoftDefenderForOffice365", product: "Microsoft Defender for Office 365", prefix: "fa", severity: "high", evidence: &[Kind::Mailbox, Kind::Url, Kind::User, Kind::Ip], file_name: "" },
    Template { title: "Suspicious inbox forwarding rule", description: "A user created an inbox rule that forwards mail to an external address.", category: "Collection", mitre: &["T1114.003"], service: MDA, detection: "cloudAppSecurity", product: "Microsoft Defender for Cloud Apps", prefix: "ca", severity: "medium", evidence: &[Kind::User, Kind::Mailbox, Kind::CloudApp, Kind::Ip], file_name: "" },
    Template { title: "Impossible travel activity", description: "Sign-ins from geographically distant locations within a time shorter than travel between them allows.", category: "InitialAccess", mitre: &["T1078"], service: MDA, detection: "cloudAppSecurity", product: "Microsoft Defender for Cloud Apps", prefix: "ca", severity: "medium", evidence: &[Kind::User, Kind::Ip, Kind::Ip, Kind::CloudApp], file_name: "" },
    Template { title: "Unfamiliar sign-in properties", description: "The sign-in had properties not seen recently for this user.", category: "InitialAccess", mitre: &["T1078.004"], service: AADIP, detection: "azureAdIdentityProtection", product: "Microsoft Entra ID Protection", prefix: "aa", severity: "low", evidence: &[Kind::User, Kind::Ip, Kind::LogonSession], file_name: "" },
    Template { title: "Suspicious OAuth app consent", description: "A user granted broad mailbox permissions to an unverified OAuth application.", category: "CredentialAccess", mitre: &["T1528"], service: "microsoftAppGovernance", detection: "appGovernanceDetection", product: "App governance", prefix: "ga", severity: "high", evidence: &[Kind::OauthApp, Kind::User, Kind::CloudApp], file_name: "" },
    Template { title: "Suspicious additions to sensitive groups", description: "An account was added to a sensitive on-premises group.", category: "PrivilegeEscalation", mitre: &["T1098"], service: "microsoftDefenderForIdentity", detection: "microsoftDefenderForIdentity", product: "Microsoft Defender for Identity", prefix: "ad", severity: "medium", evidence: &[Kind::User, Kind::SecurityGroup, Kind::Device], file_name: "" },
    // Evolvable serviceSource / detectionSource members: only sent with
    // `Prefer: include-unknown-enum-members`.
    Template { title: "Suspicious sign-in to Azure portal from anonymous IP", description: "A scheduled analytics rule found a privileged sign-in from an anonymising proxy.", category: "InitialAccess", mitre: &["T1078.004", "T1090.003"], service: "microsoftSentinel", detection: "scheduledAlerts", product: "Microsoft Sentinel", prefix: "sn", severity: "medium", evidence: &[Kind::User, Kind::Ip, Kind::LogonSession], file_name: "" },
    Template { title: "Storage account accessed from a suspicious IP", description: "Defender for Cloud saw a storage account accessed from an IP with a bad reputation.", category: "Exfiltration", mitre: &["T1530"], service: "microsoftDefenderForCloud", detection: "microsoftDefenderForStorage", product: "Microsoft Defender for Cloud", prefix: "dc", severity: "low", evidence: &[Kind::Ip, Kind::CloudApp], file_name: "" },
];

/// Alert fields decided by the incident the alert belongs to (if any).
pub struct Placement<'a> {
    /// Incident id, `None` for standalone alerts.
    pub incident_id: Option<&'a str>,
    /// Creation instant.
    pub created: DateTime<Utc>,
    /// Alert status.
    pub status: &'a str,
    /// Classification (null while unknown).
    pub classification: Option<&'a str>,
    /// Determination (null while unknown).
    pub determination: Option<&'a str>,
    /// Assignee UPN.
    pub assigned_to: Option<&'a str>,
    /// Last update instant.
    pub updated: DateTime<Utc>,
}

/// Builds an alert from a template for `org`.
pub fn build(gen: &mut Gen, org: &Org, t: &Template, place: &Placement) -> Value {
    let id = format!(
        "{}{}_{}",
        t.prefix,
        gen.digits(18),
        gen.range(1, 2_000_000_000)
    );
    let person = gen.pick(&org.people).clone();
    let device = gen.pick(&org.devices).clone();
    let scene = Scene {
        org,
        person: &person,
        device: &device,
        created: place.created,
        file_name: t.file_name,
    };
    let evidence: Vec<Value> = t
        .evidence
        .iter()
        .map(|k| evidence::build(gen, &scene, *k))
        .collect();
    let first = gen.before(place.created, 60, 7_200);
    let tid = &org.tenant_id;
    let resolved = (place.status == "resolved").then(|| format_time(place.updated));

    json!({
        "@odata.type": "#microsoft.graph.security.alert",
        "id": id,
        "providerAlertId": id,
        "incidentId": place.incident_id,
        "status": place.status,
        "severity": t.severity,
        "classification": place.classification,
        "determination": place.determination,
        "serviceSource": t.service,
        "detectionSource": t.detection,
        "productName": t.product,
        "detectorId": gen.guid(),
        "tenantId": tid,
        "title": t.title,
        "description": t.description,
        "recommendedActions": "Review the evidence, contain affected users and devices, and collect artifacts before remediation.",
        "category": t.category,
        "assignedTo": place.assigned_to,
        "alertWebUrl": format!("https://security.microsoft.com/alerts/{id}?tid={tid}"),
        "incidentWebUrl": place.incident_id
            .map(|i| format!("https://security.microsoft.com/incidents/{i}?tid={tid}")),
        "actorDisplayName": null,
        "threatDisplayName": null,
        "threatFamilyName": null,
        "mitreTechniques": t.mitre,
        "createdDateTime": format_time(place.created),
        "lastUpdateDateTime": format_time(place.updated),
        "resolvedDateTime": resolved,
        "firstActivityDateTime": format_time(first),
        "lastActivityDateTime": format_time(place.created),
        "comments": [],
        "evidence": evidence,
        "systemTags": [],
        "alertPolicyId": null,
        "investigationState": if t.service == MDE { "running" } else { "unknown" },
        "additionalData": {},
        "customDetails": {},
        "categories": [t.category],
    })
}
