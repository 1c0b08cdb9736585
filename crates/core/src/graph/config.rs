//! Where Graph and the identity platform live, who we are to them, and how
//! hard we may push each tenant.
//!
//! The defaults are the global Microsoft cloud and the published security
//! service limit of 150 requests per minute per app per tenant; the national
//! clouds only differ in their two host names.

use std::time::Duration;

/// Which Microsoft cloud a partner tenant lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cloud {
    /// graph.microsoft.com / login.microsoftonline.com.
    Global,
    /// Microsoft Cloud for US Government (GCC High / DoD).
    UsGovernment,
    /// Azure China, operated by 21Vianet.
    China,
    /// Any other pair of hosts, e.g. the simulator on loopback.
    Custom {
        /// Graph host root, without `/v1.0`.
        graph_url: String,
        /// Identity platform host root, without a tenant.
        login_url: String,
    },
}

impl Cloud {
    /// The Graph and login host roots of this cloud.
    pub fn hosts(&self) -> (String, String) {
        let (graph, login) = match self {
            Cloud::Global => (
                "https://graph.microsoft.com",
                "https://login.microsoftonline.com",
            ),
            Cloud::UsGovernment => (
                "https://graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            Cloud::China => (
                "https://microsoftgraph.chinacloudapi.cn",
                "https://login.chinacloudapi.cn",
            ),
            Cloud::Custom {
                graph_url,
                login_url,
            } => (graph_url.as_str(), login_url.as_str()),
        };
        (graph.to_string(), login.to_string())
    }
}

/// Settings of the one Graph client shared by every tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphConfig {
    /// Graph host root without a version, e.g. `https://graph.microsoft.com`.
    pub graph_url: String,
    /// Identity platform host root, e.g. `https://login.microsoftonline.com`.
    pub login_url: String,
    /// The multi-tenant app registration's client id.
    pub client_id: String,
    /// The MSP's own tenant id; GDAP calls and sign-in happen there.
    pub partner_tenant: String,
    /// Upper bound for one HTTP request, body included.
    pub request_timeout: Duration,
    /// Retries after the first attempt on throttling, 503/504 and broken
    /// connections.
    pub max_retries: u32,
    /// Requests sent to one tenant in any 60-second window; 0 = no pacing.
    pub requests_per_minute: u32,
    /// Requests in flight to one tenant at once (at least 1 is used).
    pub max_concurrent_per_tenant: usize,
    /// Requests in flight at once across every tenant, token requests
    /// included (at least 1 is used): what one desk asks of the network
    /// and of Graph's global limits at any moment.
    pub max_in_flight: usize,
    /// `$top` on list calls; `None` lets Graph choose its page size.
    pub page_size: Option<u32>,
    /// First backoff step when Graph gives no `Retry-After`; doubles per
    /// retry, jittered, capped at 30 seconds.
    pub backoff_base: Duration,
    /// The OAuth scope asking for every Graph permission the app holds,
    /// e.g. `https://graph.microsoft.com/.default`. It names the Graph
    /// resource, not the host we connect to, so a simulator on loopback
    /// keeps the global one.
    pub scope: String,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig::for_cloud(Cloud::Global)
    }
}

impl GraphConfig {
    /// Defaults for a cloud; `client_id` and `partner_tenant` stay empty.
    pub fn for_cloud(cloud: Cloud) -> Self {
        let (graph_url, login_url) = cloud.hosts();
        let resource = match cloud {
            Cloud::Custom { .. } => "https://graph.microsoft.com",
            _ => graph_url.as_str(),
        };
        let scope = format!("{resource}/.default");
        GraphConfig {
            graph_url,
            login_url,
            client_id: String::new(),
            partner_tenant: String::new(),
            request_timeout: Duration::from_secs(30),
            max_retries: 4,
            // Graph's security service limit is 150/min per app per tenant
            // (throttling-limits.md); incidents and alerts_v2 are not named
            // there, so we assume the same budget for them.
            requests_per_minute: 150,
            // secureScore documents "max 4 concurrent"; used for all paths.
            max_concurrent_per_tenant: 4,
            // Enough to keep a few hundred tenants' round trips overlapping
            // at Graph's 50-300 ms latency, well below Graph's global
            // per-app limits.
            max_in_flight: 64,
            // Fewer, larger pages: each page is a 50-300 ms round trip and
            // one of the 150 requests a tenant gets per minute. The docs
            // are silent on the maximum $top for incidents and alerts_v2;
            // like most Graph collections we expect a larger $top to be
            // served as pages of the service's cap with a nextLink, not
            // refused, so asking for 1000 is never worse than the default.
            page_size: Some(1000),
            backoff_base: Duration::from_secs(1),
            scope,
        }
    }

    /// The OAuth scope tokens are requested for ([`GraphConfig::scope`]).
    pub fn graph_scope(&self) -> String {
        self.scope.clone()
    }

    /// The v2 token endpoint of a tenant.
    pub fn token_url(&self, tenant: &str) -> String {
        format!(
            "{}/{tenant}/oauth2/v2.0/token",
            self.login_url.trim_end_matches('/')
        )
    }

    /// The v2 device authorization endpoint of a tenant.
    pub fn device_code_url(&self, tenant: &str) -> String {
        format!(
            "{}/{tenant}/oauth2/v2.0/devicecode",
            self.login_url.trim_end_matches('/')
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_clouds_use_their_own_hosts() {
        let us = GraphConfig::for_cloud(Cloud::UsGovernment);
        let cn = GraphConfig::for_cloud(Cloud::China);

        assert_eq!(us.graph_url, "https://graph.microsoft.us");
        assert_eq!(us.login_url, "https://login.microsoftonline.us");
        assert_eq!(cn.graph_url, "https://microsoftgraph.chinacloudapi.cn");
        assert_eq!(
            cn.graph_scope(),
            "https://microsoftgraph.chinacloudapi.cn/.default"
        );
    }

    #[test]
    fn custom_hosts_keep_the_global_graph_scope() {
        let sim = GraphConfig::for_cloud(Cloud::Custom {
            graph_url: "http://127.0.0.1:9".into(),
            login_url: "http://127.0.0.1:9".into(),
        });

        assert_eq!(sim.scope, "https://graph.microsoft.com/.default");
    }

    #[test]
    fn token_url_names_the_tenant() {
        let config = GraphConfig::default();

        assert_eq!(
            config.token_url("contoso"),
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"
        );
        assert_eq!(config.requests_per_minute, 150);
    }
}
