//! Conformance with Microsoft's documented bodies: every file in
//! `../shared/graph-examples/` parses into the domain model (or, for error
//! bodies, into the right error class), and bodies generated from the v1.0
//! schema subset in `../shared/graph-schema/` decode with the right types.
//!
//! The shared files are read at run time, never copied; without them the
//! tests print why and pass.

use std::path::{Path, PathBuf};
use std::time::Duration;

use manage365_core::graph::wire::{
    self, AccessAssignmentWire, AlertPatch, AlertWire, BatchRequest, CommentRequest,
    CommentsResponse, ControlProfilePatch, ControlProfileWire, CustomerWire, IncidentPatch,
    IncidentWire, OrganizationWire, Page, RelationshipWire, SecureScoreWire,
};
use manage365_core::graph::Error;
use manage365_core::model::{Classification, Determination, IncidentStatus, Severity, SkipReason};
use serde_json::{json, Value};

type Check = fn(&Path) -> Result<(), String>;

fn shared(dir: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(dir);
    if path.is_dir() {
        Some(path)
    } else {
        println!("skipped: ../shared/{dir} not present");
        None
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    wire::decode(&read(path), &path.display().to_string()).map_err(|e| e.to_string())
}

fn ensure(condition: bool, what: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(what.to_string())
    }
}

const TENANT: &str = "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c";

fn incident_page(path: &Path) -> Result<(), String> {
    let page: Page<IncidentWire> = parse(path)?;
    ensure(!page.value.is_empty(), "at least one incident")?;
    for wire in page.value {
        incident_checks(wire)?;
    }
    Ok(())
}

fn incident_one(path: &Path) -> Result<(), String> {
    incident_checks(parse(path)?)
}

/// The docs' incident samples: PascalCase enums, createdBy/createdTime.
fn incident_checks(wire: IncidentWire) -> Result<(), String> {
    let (incident, _) = wire.into_domain(TENANT).map_err(|e| e.to_string())?;
    ensure(
        incident.classification == Some(Classification::TruePositive),
        "TruePositive",
    )?;
    ensure(
        incident.determination == Some(Determination::MultiStagedAttack),
        "MultiStagedAttack",
    )?;
    ensure(incident.status == IncidentStatus::Active, "Active")?;
    ensure(incident.severity == Severity::Medium, "Medium")?;
    ensure(incident.comments.len() == 1, "one comment")?;
    ensure(
        incident.comments[0].created_by.is_some(),
        "comment author from createdBy",
    )?;
    ensure(
        incident.comments[0].created_at.is_some(),
        "comment time from createdTime",
    )
}

fn alert_page(path: &Path) -> Result<(), String> {
    let page: Page<AlertWire> = parse(path)?;
    ensure(!page.value.is_empty(), "at least one alert")?;
    for wire in page.value {
        wire.into_domain(TENANT).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn alert_one(path: &Path) -> Result<(), String> {
    let wire: AlertWire = parse(path)?;
    let alert = wire.into_domain(TENANT).map_err(|e| e.to_string())?;
    ensure(alert.mitre_techniques == ["T1564.001"], "mitre techniques")?;
    for evidence in &alert.evidence {
        ensure(
            !evidence.label.is_empty(),
            &format!("{} evidence has a label", evidence.kind),
        )?;
    }
    Ok(())
}

fn alert_with_evidence(path: &Path) -> Result<(), String> {
    alert_one(path)?;
    let alert = parse::<AlertWire>(path)?
        .into_domain(TENANT)
        .map_err(|e| e.to_string())?;
    let kinds: Vec<&str> = alert.evidence.iter().map(|e| e.kind.as_str()).collect();
    ensure(
        kinds == ["device", "file", "process", "registry_key"],
        "evidence kinds",
    )
}

fn comments_response(path: &Path) -> Result<(), String> {
    let comments = parse::<CommentsResponse>(path)?
        .into_domain()
        .map_err(|e| e.to_string())?;
    ensure(comments.len() == 2, "whole comment list")?;
    ensure(
        comments[1].comment == "Demo for docs",
        "newest comment last",
    )
}

fn comment_request(path: &Path) -> Result<(), String> {
    let body: CommentRequest = parse(path)?;
    ensure(
        body == CommentRequest::new("Demo for docs"),
        "same shape as we send",
    )
}

fn incident_patch(path: &Path) -> Result<(), String> {
    let update = parse::<IncidentPatch>(path)?.to_update();
    ensure(
        update.classification == Some(Classification::TruePositive),
        "classification",
    )?;
    ensure(
        update.determination == Some(Determination::MultiStagedAttack),
        "determination",
    )
}

fn alert_patch(path: &Path) -> Result<(), String> {
    let body: AlertPatch = parse(path)?;
    ensure(body.status.as_deref() == Some("inProgress"), "status")
}

fn profile_patch(path: &Path) -> Result<(), String> {
    let body: ControlProfilePatch = parse(path)?;
    ensure(
        body.vendor_information.provider == "SecureScore",
        "vendorInformation",
    )
}

fn batch_request(path: &Path) -> Result<(), String> {
    let body: BatchRequest = parse(path)?;
    ensure(body.requests.len() == 5, "five requests")
}

fn secure_scores(path: &Path) -> Result<(), String> {
    let scores: Page<SecureScoreWire> = parse(path)?;
    let snapshot = scores.value[0]
        .to_snapshot(TENANT)
        .map_err(|e| e.to_string())?;
    ensure(
        snapshot.current_score == 387.0 && snapshot.max_score == 697.0,
        "scores",
    )?;

    // Joined with the documented control profile, DLPEnabled earns 20.
    let profiles_path = path.with_file_name("list-securescorecontrolprofiles.response.json");
    let profiles: Page<ControlProfileWire> = parse(&profiles_path)?;
    let recs = wire::recommendations_from_wire(
        TENANT,
        "security.microsoft.com",
        profiles.value,
        scores.value.first(),
    )
    .map_err(|e| e.to_string())?;
    ensure(
        recs[0].current_score == Some(20.0),
        "DLPEnabled current score",
    )?;
    ensure(
        recs[0]
            .portal_url
            .starts_with("https://security.microsoft.com/"),
        "portal host",
    )
}

fn control_profiles(path: &Path) -> Result<(), String> {
    let profiles: Page<ControlProfileWire> = parse(path)?;
    let recs =
        wire::recommendations_from_wire(TENANT, "security.microsoft.com", profiles.value, None)
            .map_err(|e| e.to_string())?;
    ensure(
        recs[0].state.as_deref() == Some("Default"),
        "state from controlStateUpdates",
    )?;
    ensure(
        recs[0].action_url.as_deref() == Some("https://compliance.microsoft.com/#/policies"),
        "actionUrl kept",
    )
}

fn gdap_customers(path: &Path) -> Result<(), String> {
    let customers: Page<CustomerWire> = parse(path)?;
    let joined = wire::customers_from_wire(customers.value, &[]).map_err(|e| e.to_string())?;
    ensure(
        joined.len() == 2 && joined[0].display_name == "Contoso Inc",
        "customers",
    )
}

fn gdap_assignments(path: &Path) -> Result<(), String> {
    let assignments: Page<AccessAssignmentWire> = parse(path)?;
    // A relationship granting Global Reader plus a role no assignment has.
    let relationship: RelationshipWire = serde_json::from_value(json!({
        "id": "r", "status": "active",
        "customer": {"tenantId": "c1", "displayName": "Contoso"},
        "accessDetails": {"unifiedRoles": [
            {"roleDefinitionId": "f2ef992c-3afb-46b9-b7cf-a126ee74c451"},
            {"roleDefinitionId": "5d6b6bb7-de71-4623-b4af-96380a352509"}]}
    }))
    .map_err(|e| e.to_string())?;
    let roles = relationship.effective_roles(&assignments.value);
    ensure(
        roles.into_iter().collect::<Vec<_>>() == ["f2ef992c-3afb-46b9-b7cf-a126ee74c451"],
        "only roles both granted and assigned",
    )
}

fn classify(path: &Path, status: u16, retry_after: Option<Duration>) -> Error {
    Error::from_graph_response(
        status,
        "/v1.0/security/incidents",
        TENANT,
        &read(path),
        None,
        retry_after,
    )
}

fn forbidden(path: &Path) -> Result<(), String> {
    let error = classify(path, 403, None);
    ensure(
        error.skip_reason() == Some(SkipReason::MissingSecurityRoles),
        "missing roles",
    )?;
    ensure(
        error.request_id() == Some("93b6f17e-c05d-4f45-ad2a-6665c708d8a0"),
        "request id",
    )
}

fn throttled(path: &Path) -> Result<(), String> {
    let wait = Some(Duration::from_millis(2128));
    let error = classify(path, 429, wait);
    ensure(
        error == Error::Throttled { retry_after: wait },
        "throttled with Retry-After 2.128",
    )
}

fn generic_error(path: &Path) -> Result<(), String> {
    match classify(path, 416, None) {
        Error::Api {
            status: 416,
            code,
            request_id,
            ..
        } => {
            ensure(code == "invalidRange", "Graph's code kept")?;
            ensure(
                request_id.as_deref() == Some("request-id"),
                "request id kept",
            )
        }
        other => Err(format!("expected an API error, got {other:?}")),
    }
}

fn documentation(_: &Path) -> Result<(), String> {
    Ok(())
}

const CHECKS: &[(&str, Check)] = &[
    ("README.md", documentation),
    ("create-incident-comment.request.json", comment_request),
    ("create-incident-comment.response.json", comments_response),
    (
        "error-403-authorization-requestdenied.response.json",
        forbidden,
    ),
    ("error-403-empty-code.response.json", forbidden),
    ("get-alert.response.json", alert_with_evidence),
    ("get-incident.response.json", incident_one),
    ("graph-error.example.json", generic_error),
    ("json-batch.request.json", batch_request),
    ("list-alerts_v2.response.json", alert_page),
    (
        "list-delegatedadminaccessassignments.response.json",
        gdap_assignments,
    ),
    ("list-delegatedadmincustomers.response.json", gdap_customers),
    ("list-incidents.response.json", incident_page),
    (
        "list-securescorecontrolprofiles.response.json",
        control_profiles,
    ),
    ("list-securescores.response.json", secure_scores),
    ("throttled-429.response.json", throttled),
    ("update-alert.request.json", alert_patch),
    ("update-alert.response.json", alert_one),
    ("update-incident.request.json", incident_patch),
    ("update-incident.response.json", incident_one),
    (
        "update-securescorecontrolprofile.request.json",
        profile_patch,
    ),
];

#[test]
fn every_documented_example_parses_into_the_domain() {
    let Some(dir) = shared("graph-examples") else {
        return;
    };
    let mut failures = Vec::new();

    for entry in std::fs::read_dir(&dir).expect("list graph-examples") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        match CHECKS.iter().find(|(file, _)| *file == name) {
            Some((_, check)) => {
                if let Err(e) = check(&path) {
                    failures.push(format!("{name}: {e}"));
                }
            }
            None => failures.push(format!("{name}: not covered by a conformance check")),
        }
    }

    assert!(
        failures.is_empty(),
        "conformance failures:\n{}",
        failures.join("\n")
    );
}

// ---- schema-driven checks -------------------------------------------------

struct Schema(Value);

impl Schema {
    fn load() -> Option<Schema> {
        let dir = shared("graph-schema")?;
        let text = std::fs::read(dir.join("v1.0-security-subset.json")).expect("schema file");
        Some(Schema(serde_json::from_slice(&text).expect("schema JSON")))
    }

    fn type_def(&self, name: &str) -> Option<&Value> {
        self.0["entityTypes"]
            .get(name)
            .or_else(|| self.0["complexTypes"].get(name))
    }

    fn enum_members(&self, name: &str) -> Vec<String> {
        self.0["enumTypes"][name]["members"]
            .as_array()
            .unwrap_or_else(|| panic!("enum {name} in schema"))
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect()
    }

    /// Declared properties of a type and its base types.
    fn properties(&self, name: &str) -> Vec<(String, String)> {
        let mut props = Vec::new();
        let mut current = Some(name.to_string());
        while let Some(type_name) = current {
            let Some(def) = self.type_def(&type_name) else {
                break;
            };
            for (prop, spec) in def["properties"].as_object().into_iter().flatten() {
                props.push((
                    prop.clone(),
                    spec["type"].as_str().unwrap_or("").to_string(),
                ));
            }
            current = def["baseType"].as_str().map(str::to_string);
        }
        props
    }

    /// A plausible JSON value of a schema type: every property filled.
    fn sample(&self, type_name: &str, depth: usize) -> Value {
        if let Some(inner) = type_name
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            let abstract_type = self.type_def(inner).is_some_and(|d| d["abstract"] == true);
            if depth > 3 || abstract_type {
                return json!([]);
            }
            return json!([self.sample(inner, depth + 1)]);
        }
        match type_name {
            "Edm.String" => json!("text"),
            "Edm.DateTimeOffset" => json!("2024-05-01T10:00:00.1234567Z"),
            "Edm.Int32" | "Edm.Int64" => json!(7),
            "Edm.Double" => json!(1.5),
            "Edm.Boolean" => json!(true),
            "Edm.Guid" => json!("00000000-0000-0000-0000-000000000001"),
            "Edm.Duration" => json!("P1D"),
            "Edm.Date" => json!("2024-05-01"),
            _ if self.0["enumTypes"].get(type_name).is_some() => {
                json!(self.enum_members(type_name)[0])
            }
            _ if depth > 3 => json!({}),
            _ => {
                let fields = self
                    .properties(type_name)
                    .into_iter()
                    .map(|(name, ty)| (name, self.sample(&ty, depth + 1)));
                Value::Object(fields.collect())
            }
        }
    }
}

#[test]
fn every_schema_enum_member_maps_to_a_known_product_value() {
    use manage365_core::graph::wire::WireEnum;
    use manage365_core::model::AlertStatus;
    let Some(schema) = Schema::load() else { return };
    let known_after = |enum_name: &str, check: &dyn Fn(&str) -> bool| {
        for member in schema.enum_members(enum_name) {
            if member != "unknownFutureValue" {
                assert!(check(&member), "{enum_name}.{member} has no product value");
            }
        }
    };

    known_after("microsoft.graph.security.alertSeverity", &|m| {
        Severity::from_wire(m).is_known()
    });
    known_after("microsoft.graph.security.incidentStatus", &|m| {
        IncidentStatus::from_wire(m).is_known()
    });
    known_after("microsoft.graph.security.alertStatus", &|m| {
        AlertStatus::from_wire(m).is_known()
    });
    known_after("microsoft.graph.security.alertClassification", &|m| {
        Classification::from_wire(m).is_known()
    });
    known_after("microsoft.graph.security.alertDetermination", &|m| {
        Determination::from_wire(m).is_known()
    });
}

#[test]
fn bodies_built_from_the_schema_decode_with_matching_types() {
    let Some(schema) = Schema::load() else { return };
    let body = |name: &str| serde_json::to_vec(&schema.sample(name, 0)).unwrap();
    let ok = |result: Result<(), Error>, name: &str| {
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    };

    let incident: IncidentWire =
        wire::decode(&body("microsoft.graph.security.incident"), "incident").unwrap();
    ok(incident.into_domain(TENANT).map(drop), "incident");
    let alert: AlertWire = wire::decode(&body("microsoft.graph.security.alert"), "alert").unwrap();
    ok(alert.into_domain(TENANT).map(drop), "alert");
    let score: SecureScoreWire =
        wire::decode(&body("microsoft.graph.secureScore"), "score").unwrap();
    ok(score.to_snapshot(TENANT).map(drop), "secureScore");
    let profile: ControlProfileWire = wire::decode(
        &body("microsoft.graph.secureScoreControlProfile"),
        "profile",
    )
    .unwrap();
    ok(
        wire::recommendations_from_wire(
            TENANT,
            "security.microsoft.com",
            vec![profile],
            Some(&score),
        )
        .map(drop),
        "secureScoreControlProfile",
    );
    let customer: CustomerWire =
        wire::decode(&body("microsoft.graph.delegatedAdminCustomer"), "customer").unwrap();
    let relationship: RelationshipWire = wire::decode(
        &body("microsoft.graph.delegatedAdminRelationship"),
        "relationship",
    )
    .unwrap();
    let assignment: AccessAssignmentWire = wire::decode(
        &body("microsoft.graph.delegatedAdminAccessAssignment"),
        "assignment",
    )
    .unwrap();
    ok(
        wire::customers_from_wire(vec![customer], &[(relationship, vec![assignment])]).map(drop),
        "GDAP",
    );
    let org: OrganizationWire =
        wire::decode(&body("microsoft.graph.organization"), "organization").unwrap();
    assert_eq!(
        org.domain_names(),
        vec!["text"],
        "verifiedDomains[].name is read"
    );
}

#[test]
fn every_schema_evidence_type_is_kept_and_known_kinds_exist_in_the_schema() {
    let Some(schema) = Schema::load() else { return };
    let mut kinds = Vec::new();

    for (name, def) in schema.0["complexTypes"].as_object().unwrap() {
        if def["baseType"] != "microsoft.graph.security.alertEvidence" {
            continue;
        }
        let mut raw = schema.sample(name, 0);
        raw["@odata.type"] = json!(format!("#{name}"));
        let evidence = wire::evidence_from_wire(serde_json::value::to_raw_value(&raw).unwrap());
        let kept: Value = serde_json::from_str(evidence.raw.get()).unwrap();
        assert_eq!(kept, raw, "{name} is kept raw");
        kinds.push(evidence.kind);
    }

    for product_kind in [
        "user",
        "device",
        "ip",
        "file",
        "process",
        "mailbox",
        "message",
        "url",
        "registry_key",
        "registry_value",
        "cloud_application",
        "oauth_application",
        "mail_cluster",
        "security_group",
    ] {
        assert!(
            kinds.iter().any(|k| k == product_kind),
            "{product_kind} maps a schema type"
        );
    }
}
