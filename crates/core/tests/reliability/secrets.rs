//! Suite 5, secrets: after a full run of the engine (device-code and
//! client-secret sign-in, syncs, updates, refusals, throttling, a tenant
//! whose tokens fail), the client secret and every token the simulator
//! issued must appear nowhere: not in the cache file, its WAL or shared
//! memory, not in trace-level logs, not in the audit log, Health or the
//! settings. The secret lives only in the keychain (keyring-core's sample
//! store here); tokens live only in memory.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use graph_sim::SimConfig;
use manage365_core::auth::{start_device_sign_in, Credential, Keychain, Secret};
use manage365_core::connect::{self, KEYCHAIN_SERVICE};
use manage365_core::graph::GraphClient;
use manage365_core::model::{Classification, IncidentStatus, IncidentUpdate};
use manage365_core::service::Desk;
use manage365_core::sync::Trigger;
use serde_json::json;

use crate::captured::logs;
use crate::support::{self, Control};

fn count(haystack: &[u8], needle: &str) -> usize {
    let needle = needle.as_bytes();
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// The cache file with its WAL and shared-memory files.
fn cache_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["manage365.db", "manage365.db-wal", "manage365.db-shm"] {
        bytes.extend(std::fs::read(dir.join(name)).unwrap_or_default());
    }
    bytes
}

/// Signs in the way the Settings page does: the secret into the
/// keychain, then the connection resolved from settings and keychain;
/// plus a device-code sign-in whose refresh token goes to the keychain.
async fn sign_in(desk: &Desk, keychain: &Keychain, url: &str) -> GraphClient {
    let mut settings = desk.settings();
    settings.cloud = "custom".into();
    settings.graph_url = url.into();
    settings.login_url = url.into();
    settings.client_id = graph_sim::DEFAULT_CLIENT_ID.into();
    settings.partner_tenant = graph_sim::DEFAULT_PARTNER_TENANT.into();
    settings.sign_in = Some("client_secret".into());
    desk.save_settings(settings.clone()).await.unwrap();
    keychain
        .set_client_secret(
            &settings.client_id,
            &Secret::new(graph_sim::DEFAULT_CLIENT_SECRET),
        )
        .unwrap();

    let device = start_device_sign_in(&settings.graph_config())
        .await
        .expect("device code");
    let refresh = device.finish().await.expect("device sign-in completes");
    keychain
        .set_refresh_token(&settings.partner_tenant, &refresh)
        .unwrap();
    let delegated =
        GraphClient::new(settings.graph_config(), Credential::RefreshToken(refresh)).unwrap();
    desk.connect(Some(delegated));
    desk.sync_once(Trigger::Manual)
        .await
        .expect("delegated sync");

    let connection = connect::resolve(&settings, Some(keychain))
        .unwrap()
        .expect("a connection");
    assert_eq!(connection.source, "client_secret");
    connection.client
}

/// Updates that succeed, are refused locally, and fail at Graph.
async fn updates(desk: &Desk, control: &Control) {
    let truth = control.state().await;
    let tenant = support::writable(&truth);
    let (id, domain) = (
        tenant["tenantId"].as_str().unwrap(),
        tenant["domains"][0].as_str().unwrap(),
    );
    let incidents = tenant["incidents"].as_array().unwrap();
    let incident = |n: usize| incidents[n]["id"].as_str().unwrap().to_string();
    let resolve = IncidentUpdate {
        status: Some(IncidentStatus::Resolved),
        classification: Some(Classification::FalsePositive),
        assigned_to: Some(format!("sec-lead@{domain}")),
        comment: Some("closed after review".into()),
        ..Default::default()
    };
    desk.update_incident(id, &incident(0), resolve.clone())
        .await
        .expect("update works");
    let foreign = IncidentUpdate {
        assigned_to: Some("tech@msp.example".into()),
        ..Default::default()
    };
    assert!(desk
        .update_incident(id, &incident(1), foreign)
        .await
        .is_err());
    control
        .post(
            "/faults",
            json!({"rate503": 1.0, "retryAfter503Secs": 0.01}),
        )
        .await;
    assert!(
        desk.update_incident(id, &incident(2), resolve)
            .await
            .is_err(),
        "503s fail the update"
    );
    control.clear_faults().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_token_is_written_to_the_cache_logs_or_audit() {
    let logs = logs();
    let config = SimConfig {
        tenants: support::size(3, 8),
        auto_approve_device_code: true,
        device_code_interval_secs: 1,
        seed: 71,
        ..SimConfig::default()
    };
    let sim = support::simulator(config).await;
    let control = Control::new(&sim.url());
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), "analyst@northbridgemsp.onmicrosoft.com").unwrap();
    let store: Arc<keyring_core::CredentialStore> = keyring_core::sample::Store::new().unwrap();
    let keychain = Keychain::with_store(store, KEYCHAIN_SERVICE);

    let client = sign_in(&desk, &keychain, &sim.url()).await;
    desk.connect(Some(client));
    desk.sync_once(Trigger::Manual).await.expect("sync");
    updates(&desk, &control).await;
    let victim = support::writable(&control.state().await)["tenantId"]
        .as_str()
        .unwrap()
        .to_string();
    control
        .post(&format!("/tenants/{victim}/token-failure"), json!({}))
        .await;
    control.post("/tokens/expire", json!({})).await;
    desk.sync_once(Trigger::Manual)
        .await
        .expect("sync with a failing tenant");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let issued = control.get("/tokens").await;
    let mut needles = vec![graph_sim::DEFAULT_CLIENT_SECRET.to_string()];
    for kind in ["accessTokens", "refreshTokens"] {
        needles.extend(
            issued[kind]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string()),
        );
    }
    let views = serde_json::to_vec(&(
        desk.audit(None, None, 10_000).await.unwrap(),
        desk.health().await.unwrap(),
        desk.settings(),
    ))
    .unwrap();
    let places: Vec<(&str, Vec<u8>)> = vec![
        ("cache", cache_bytes(dir.path())),
        ("logs", logs.lock().unwrap().clone()),
        ("audit+health+settings", views),
    ];
    let mut hits = Vec::new();
    for (place, bytes) in &places {
        for needle in &needles {
            if count(bytes, needle) > 0 {
                hits.push(format!("{place}: {}…", &needle[..12]));
            }
        }
    }
    let scanned: usize = places.iter().map(|(_, b)| b.len()).sum();
    support::figures(
        "secrets",
        &[
            ("scanned_bytes", scanned.to_string()),
            ("secrets", needles.len().to_string()),
            ("hits", hits.len().to_string()),
        ],
    );
    assert!(
        issued["accessTokens"].as_array().unwrap().len() > 2,
        "tokens were issued"
    );
    assert!(
        count(&places[1].1, "sync finished") > 0,
        "trace logs were captured"
    );
    let kept = keychain
        .client_secret(graph_sim::DEFAULT_CLIENT_ID)
        .unwrap();
    assert_eq!(
        kept.map(|s| s.expose().to_string()).as_deref(),
        Some(graph_sim::DEFAULT_CLIENT_SECRET)
    );
    assert!(hits.is_empty(), "found: {hits:?}");
}
