//! `graph-sim`: runs the simulator until killed. Prints exactly one line,
//! `graph-sim listening on http://127.0.0.1:PORT`, on stdout once it
//! accepts connections; logs go to stderr (`RUST_LOG` sets the level).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use graph_sim::{FaultConfig, SimConfig};

/// Command-line flags; every one maps to a `SimConfig` field.
#[derive(Debug, Parser)]
#[command(
    name = "graph-sim",
    about = "Microsoft Graph security + identity simulator"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Number of generated customer tenants.
    #[arg(long, default_value_t = SimConfig::default().tenants)]
    tenants: usize,
    /// Customer tenants whose GDAP roles include no security role.
    #[arg(long, default_value_t = SimConfig::default().without_security_roles)]
    without_security_roles: usize,
    /// Customer tenants where the app is not consented.
    #[arg(long, default_value_t = SimConfig::default().not_consented)]
    not_consented: usize,
    /// Customer tenants with reader roles only.
    #[arg(long, default_value_t = SimConfig::default().read_only)]
    read_only: usize,
    /// Incidents per tenant.
    #[arg(long, default_value_t = SimConfig::default().incidents_per_tenant)]
    incidents: usize,
    /// Fewest alerts per incident.
    #[arg(long, default_value_t = SimConfig::default().alerts_per_incident.0)]
    min_alerts: usize,
    /// Most alerts per incident.
    #[arg(long, default_value_t = SimConfig::default().alerts_per_incident.1)]
    max_alerts: usize,
    /// Standalone alerts per tenant.
    #[arg(long, default_value_t = SimConfig::default().standalone_alerts_per_tenant)]
    standalone_alerts: usize,
    /// Seed of all generated data.
    #[arg(long, default_value_t = SimConfig::default().seed)]
    seed: u64,
    /// Partner (MSP) tenant id.
    #[arg(long, default_value = graph_sim::DEFAULT_PARTNER_TENANT)]
    partner_tenant: String,
    /// Client id of the recognised app registration.
    #[arg(long, default_value = graph_sim::DEFAULT_CLIENT_ID)]
    client_id: String,
    /// Its secret.
    #[arg(long, default_value = graph_sim::DEFAULT_CLIENT_SECRET)]
    client_secret: String,
    /// Delay added to every identity and Graph request, in ms.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Page size when a list request has no $top.
    #[arg(long, default_value_t = SimConfig::default().page_size)]
    page_size: usize,
    /// Security requests per tenant per rolling minute.
    #[arg(long, default_value_t = graph_sim::DEFAULT_BUDGET_PER_MINUTE)]
    budget_per_minute: u32,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = SimConfig::default().token_lifetime_secs)]
    token_lifetime_secs: u64,
    /// Approve device codes by themselves after the first poll.
    #[arg(long)]
    auto_approve_device_code: bool,
    /// Device-code polling interval announced, in seconds.
    #[arg(long, default_value_t = SimConfig::default().device_code_interval_secs)]
    device_code_interval_secs: u64,
    /// Directory of fixture tenants (see README).
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Share of requests answered 503.
    #[arg(long, default_value_t = 0.0)]
    fault_503: f64,
    /// Share of connections reset.
    #[arg(long, default_value_t = 0.0)]
    fault_reset: f64,
    /// Share of bodies truncated.
    #[arg(long, default_value_t = 0.0)]
    fault_truncate: f64,
    /// Share of responses delayed by --slow-ms.
    #[arg(long, default_value_t = 0.0)]
    fault_slow: f64,
    /// Delay of a slow response, in ms.
    #[arg(long, default_value_t = FaultConfig::default().slow_ms)]
    slow_ms: u64,
    /// Start with the token endpoint answering 503.
    #[arg(long)]
    token_endpoint_down: bool,
    /// Share of requests answered 429 with Retry-After.
    #[arg(long, default_value_t = 0.0)]
    fault_429: f64,
    /// A payload corpus (`{"payloads": [{"text": ...}]}`) to put into
    /// every shown text field, e.g. tests/hostile/payloads.json.
    #[arg(long)]
    hostile_payloads: Option<PathBuf>,
}

impl Args {
    fn config(self) -> Result<SimConfig, String> {
        let faults = FaultConfig {
            rate_503: self.fault_503,
            rate_429: self.fault_429,
            rate_reset: self.fault_reset,
            rate_truncate: self.fault_truncate,
            rate_slow: self.fault_slow,
            slow_ms: self.slow_ms,
            token_endpoint_down: self.token_endpoint_down,
            ..FaultConfig::default()
        };
        faults.validate()?;
        let hostile_payloads = match &self.hostile_payloads {
            Some(path) => {
                graph_sim::hostile::load(path).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => Vec::new(),
        };
        Ok(SimConfig {
            seed: self.seed,
            tenants: self.tenants,
            without_security_roles: self.without_security_roles,
            not_consented: self.not_consented,
            read_only: self.read_only,
            incidents_per_tenant: self.incidents,
            alerts_per_incident: (self.min_alerts, self.max_alerts.max(self.min_alerts)),
            standalone_alerts_per_tenant: self.standalone_alerts,
            page_size: self.page_size,
            budget_per_minute: self.budget_per_minute,
            latency_ms: self.latency_ms,
            partner_tenant: self.partner_tenant,
            client_id: self.client_id,
            client_secret: self.client_secret,
            token_lifetime_secs: self.token_lifetime_secs,
            device_code_interval_secs: self.device_code_interval_secs,
            auto_approve_device_code: self.auto_approve_device_code,
            fixtures: self.fixtures,
            faults,
            hostile_payloads,
            ..SimConfig::default()
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let addr = args.addr;
    let sim = graph_sim::start(args.config()?, addr).await?;

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "graph-sim listening on {}", sim.url())?;
    stdout.flush()?;
    drop(stdout);

    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
