//! Test harness: a simulator started in-process on 127.0.0.1:0 and a
//! reqwest client with helpers for tokens, Graph calls and the control API.

use std::net::SocketAddr;

use graph_sim::{RunningSim, SimConfig};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

/// Boxed error so tests can use `?`.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A small world: 4 customers (managed, managed, read-only, no roles).
pub fn small_config() -> SimConfig {
    SimConfig {
        tenants: 4,
        without_security_roles: 1,
        read_only: 1,
        not_consented: 0,
        incidents_per_tenant: 12,
        page_size: 5,
        ..SimConfig::default()
    }
}

/// A running simulator plus an HTTP client.
pub struct Harness {
    /// The simulator.
    pub sim: RunningSim,
    /// The client.
    pub http: reqwest::Client,
}

/// One HTTP answer, body parsed as JSON (null when empty or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Harness {
    /// Starts a simulator with `config`.
    pub async fn start(config: SimConfig) -> TestResult<Harness> {
        let addr: SocketAddr = "127.0.0.1:0".parse()?;
        let sim = graph_sim::start(config, addr).await?;
        Ok(Harness {
            sim,
            http: reqwest::Client::new(),
        })
    }

    /// Starts the small world.
    pub async fn small() -> TestResult<Harness> {
        Harness::start(small_config()).await
    }

    async fn answer(response: reqwest::Response) -> TestResult<Answer> {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// POSTs a form to `/{tenant}/oauth2/v2.0/{endpoint}`.
    pub async fn identity(
        &self,
        tenant: &str,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> TestResult<Answer> {
        let url = format!("{}/{tenant}/oauth2/v2.0/{endpoint}", self.sim.url());
        Harness::answer(self.http.post(url).form(form).send().await?).await
    }

    /// Client-credentials token for `tenant`; fails the test otherwise.
    pub async fn app_token(&self, tenant: &str) -> TestResult<String> {
        let (id, secret) = (self.sim.client_id(), self.sim.client_secret());
        let answer = self
            .identity(
                tenant,
                "token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await?;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "token for {tenant}: {}",
            answer.body
        );
        Ok(answer.body["access_token"]
            .as_str()
            .ok_or("no access_token")?
            .to_string())
    }

    /// GET of a Graph path (`/v1.0/...`) or an absolute URL.
    pub async fn get(&self, token: &str, path: &str) -> TestResult<Answer> {
        self.get_with(token, path, &[]).await
    }

    /// GET with extra headers.
    pub async fn get_with(
        &self,
        token: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> TestResult<Answer> {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.sim.url())
        };
        let mut request = self.http.get(url).bearer_auth(token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Harness::answer(request.send().await?).await
    }

    /// A Graph call with a JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &Value,
    ) -> TestResult<Answer> {
        let url = format!("{}{path}", self.sim.url());
        Harness::answer(
            self.http
                .request(method, url)
                .bearer_auth(token)
                .json(body)
                .send()
                .await?,
        )
        .await
    }

    /// POST to the control API.
    pub async fn control(&self, path: &str, body: &Value) -> TestResult<Answer> {
        let url = format!("{}/_sim{path}", self.sim.url());
        Harness::answer(self.http.post(url).json(body).send().await?).await
    }

    /// The simulator's truth (`GET /_sim/state`).
    pub async fn truth(&self) -> TestResult<Value> {
        let url = format!("{}/_sim/state", self.sim.url());
        Ok(Harness::answer(self.http.get(url).send().await?)
            .await?
            .body)
    }

    /// Tenant ids with the given `securityAccess` ("write", "read", "none").
    pub async fn tenants_with(&self, access: &str) -> TestResult<Vec<String>> {
        let truth = self.truth().await?;
        let ids = truth["tenants"]
            .as_array()
            .ok_or("no tenants")?
            .iter()
            .filter(|t| t["securityAccess"] == access)
            .filter_map(|t| t["tenantId"].as_str().map(String::from))
            .collect();
        Ok(ids)
    }

    /// The first tenant with write access and a token for it.
    pub async fn managed(&self) -> TestResult<(String, String)> {
        let tenant = self
            .tenants_with("write")
            .await?
            .into_iter()
            .next()
            .ok_or("no managed tenant")?;
        let token = self.app_token(&tenant).await?;
        Ok((tenant, token))
    }

    /// Follows nextLinks from `path`, returning every item.
    pub async fn all_pages(
        &self,
        token: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> TestResult<Vec<Value>> {
        let mut items = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(url) = next {
            let answer = self.get_with(token, &url, headers).await?;
            assert_eq!(answer.status, StatusCode::OK, "{url}: {}", answer.body);
            items.extend(answer.body["value"].as_array().cloned().unwrap_or_default());
            next = answer.body["@odata.nextLink"].as_str().map(String::from);
        }
        Ok(items)
    }
}
