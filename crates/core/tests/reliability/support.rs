//! What every suite needs: sizes, a simulator, a desk wired to it with
//! short timeouts, the simulator's control API, and the figures line.

use std::path::Path;
use std::time::Duration;

use graph_sim::{RunningSim, SimConfig};
use manage365_core::auth::{Credential, Secret};
use manage365_core::graph::{GraphClient, GraphConfig};
use manage365_core::service::Desk;
use serde_json::Value;

/// True when `RELIABILITY_FULL=1` asks for the full sizes.
pub fn full() -> bool {
    std::env::var("RELIABILITY_FULL").is_ok_and(|v| v == "1")
}

/// `small` in CI, `large` in the documented long run.
pub fn size(small: usize, large: usize) -> usize {
    if full() {
        large
    } else {
        small
    }
}

/// Prints the suite's figures as one line the script can find.
pub fn figures(suite: &str, pairs: &[(&str, String)]) {
    let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("reliability {suite}: {}", fields.join(" "));
}

/// A simulator on an ephemeral loopback port.
pub async fn simulator(config: SimConfig) -> RunningSim {
    graph_sim::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator starts")
}

/// The client settings the suites use: the simulator's app, a short
/// timeout (so "slow" faults bite) and short backoff steps.
pub fn graph_config(url: &str) -> GraphConfig {
    GraphConfig {
        graph_url: url.to_string(),
        login_url: url.to_string(),
        client_id: graph_sim::DEFAULT_CLIENT_ID.into(),
        partner_tenant: graph_sim::DEFAULT_PARTNER_TENANT.into(),
        request_timeout: Duration::from_millis(800),
        backoff_base: Duration::from_millis(20),
        max_retries: 4,
        ..GraphConfig::default()
    }
}

/// A desk with its cache in `dir`, connected to the simulator at `url`
/// with the default app's client secret.
pub fn desk_for(url: &str, dir: &Path) -> Desk {
    let desk = Desk::open(dir, "reliability").expect("cache opens");
    let credential = Credential::ClientSecret(Secret::new(graph_sim::DEFAULT_CLIENT_SECRET));
    desk.connect(Some(
        GraphClient::new(graph_config(url), credential).expect("client builds"),
    ));
    desk
}

/// The simulator's `/_sim/` API.
#[derive(Clone)]
pub struct Control {
    http: reqwest::Client,
    url: String,
}

impl Control {
    /// The control API of the simulator at `url`.
    pub fn new(url: &str) -> Control {
        Control {
            http: reqwest::Client::new(),
            url: url.to_string(),
        }
    }

    /// `GET /_sim{path}` as JSON.
    pub async fn get(&self, path: &str) -> Value {
        let url = format!("{}/_sim{path}", self.url);
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `POST /_sim{path}` with a JSON body; panics unless 2xx.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/_sim{path}", self.url);
        let response = self.http.post(url).json(&body).send().await.unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path} answered {status}: {answer}");
        answer
    }

    /// The truth.
    pub async fn state(&self) -> Value {
        self.get("/state").await
    }

    /// The request log.
    pub async fn requests(&self) -> Vec<Value> {
        self.get("/requests").await["value"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Empties the request log.
    pub async fn clear_requests(&self) {
        let url = format!("{}/_sim/requests", self.url);
        self.http.delete(url).send().await.unwrap();
    }

    /// Switches every fault off.
    pub async fn clear_faults(&self) {
        let off = serde_json::json!({"rate503": 0.0, "rate429": 0.0, "rateReset": 0.0,
            "rateTruncate": 0.0, "rateSlow": 0.0, "tokenEndpointDown": false});
        self.post("/faults", off).await;
    }
}

/// Tenants of the truth the engine can read (roles and consent).
pub fn readable(truth: &Value) -> Vec<Value> {
    truth["tenants"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t["securityAccess"] != "none" && t["consented"] == true)
        .collect()
}

/// The first tenant of the truth with write access.
pub fn writable(truth: &Value) -> Value {
    readable(truth)
        .into_iter()
        .find(|t| t["securityAccess"] == "write")
        .expect("a tenant with write access")
}
