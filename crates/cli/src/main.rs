//! `manage365-cli`: the engine's services, headless, for scripting, CI and
//! support. It parses arguments, calls one service, prints the result, and
//! maps failures to exit codes: 2 for input the engine refused (nothing
//! was sent), 1 for everything else (including a remediation step that
//! failed).

mod output;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use manage365_core::auth::{self, Keychain};
use manage365_core::connect::{self, KEYCHAIN_SERVICE};
use manage365_core::model::{
    Classification, Determination, IncidentStatus, IncidentUpdate, RemediationStep, Severity,
};
use manage365_core::service::Desk;
use manage365_core::settings::Settings;
use manage365_core::sync::Trigger;
use manage365_core::views::PortfolioQuery;
use manage365_core::{Error, ErrorCode};

#[derive(Parser)]
#[command(
    name = "manage365-cli",
    version,
    about = "Defender XDR across GDAP tenants, headless"
)]
struct Cli {
    /// Folder of the local cache (default: the desktop app's).
    #[arg(long, global = true, env = "MANAGE365_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Graph host root, e.g. https://graph.microsoft.com.
    #[arg(long, global = true)]
    graph_url: Option<String>,
    /// Login host root, e.g. https://login.microsoftonline.com.
    #[arg(long, global = true)]
    login_url: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Pull every tenant into the cache (once, or every interval until stopped).
    Sync {
        /// Run one sync and exit.
        #[arg(long)]
        once: bool,
    },
    /// Every incident of every tenant, newest first.
    Portfolio {
        /// Tenant id (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        tenant: Vec<String>,
        #[command(flatten)]
        filters: Filters,
    },
    /// One tenant's incidents.
    Incidents {
        #[arg(long)]
        tenant: String,
        #[command(flatten)]
        filters: Filters,
    },
    /// One tenant's alerts (alerts_v2), without their evidence (`incident` shows it).
    Alerts {
        #[arg(long)]
        tenant: String,
        /// Only alerts with this MITRE technique (prefix, e.g. T1110).
        #[arg(long)]
        mitre: Option<String>,
    },
    /// One tenant's Secure Score recommendations.
    Recommendations {
        #[arg(long)]
        tenant: String,
    },
    /// Update an incident in Defender.
    Update(UpdateArgs),
    /// Contain a compromised user: block sign-in, revoke sessions, set a
    /// temporary password (printed once), remove forwarding inbox rules.
    Remediate(RemediateArgs),
    /// Skipped tenants and the scheduler's state.
    Health,
    /// Outbound calls and Microsoft's answers.
    Audit {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        incident: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Local alerts such as re-opened incidents.
    AlertsLocal {
        /// Include acknowledged alerts.
        #[arg(long)]
        all: bool,
    },
    /// Store the app registration, and its secret in the OS keychain.
    Login(LoginArgs),
}

#[derive(Args, Default)]
struct Filters {
    /// high, medium, low, informational (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    severity: Vec<String>,
    /// active, in_progress, resolved, redirected.
    #[arg(long, value_delimiter = ',')]
    status: Vec<String>,
    /// Owner UPN.
    #[arg(long, value_delimiter = ',')]
    assigned_to: Vec<String>,
    /// true_positive, false_positive, informational_expected_activity, unknown.
    #[arg(long, value_delimiter = ',')]
    classification: Vec<String>,
    /// MITRE technique (prefix).
    #[arg(long, value_delimiter = ',')]
    mitre: Vec<String>,
    /// Rows to show.
    #[arg(long, default_value_t = 200)]
    limit: u32,
}

#[derive(Args)]
struct UpdateArgs {
    #[arg(long)]
    tenant: String,
    #[arg(long)]
    incident: String,
    /// active or resolved.
    #[arg(long)]
    status: Option<String>,
    /// true_positive, false_positive, informational_expected_activity.
    #[arg(long)]
    classification: Option<String>,
    /// e.g. phishing, malware, apt, compromised_account.
    #[arg(long)]
    determination: Option<String>,
    /// A user principal name in the customer tenant.
    #[arg(long)]
    assigned_to: Option<String>,
    /// A comment to add.
    #[arg(long)]
    comment: Option<String>,
}

#[derive(Args)]
struct RemediateArgs {
    #[arg(long)]
    tenant: String,
    /// The user's principal name in the customer tenant.
    #[arg(long)]
    user: String,
    /// The incident whose evidence names the user (checked, and the audit
    /// entries are filed under it).
    #[arg(long)]
    incident: Option<String>,
    /// disable_sign_in, revoke_sessions, reset_password, clear_forwarding
    /// (comma-separated; default all).
    #[arg(long, value_delimiter = ',')]
    steps: Vec<String>,
}

#[derive(Args)]
struct LoginArgs {
    /// The app registration's client id.
    #[arg(long)]
    client_id: String,
    /// The partner (MSP) tenant id.
    #[arg(long)]
    partner_tenant: String,
    /// Read the client secret from standard input.
    #[arg(long)]
    client_secret_stdin: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MANAGE365_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    let runtime = tokio::runtime::Runtime::new().expect("cannot start the async runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            exit_code(&e)
        }
    }
}

/// 2 for input refused before anything was sent, 1 for the rest.
fn exit_code(error: &Error) -> ExitCode {
    match error {
        Error::Invalid { .. } | Error::Forbidden(_) => ExitCode::from(2),
        e if e.code() == ErrorCode::Invalid => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Error> {
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(connect::default_data_dir);
    let desk = Desk::open(&data_dir, "cli")?;
    let keychain = open_keychain();
    let settings = with_overrides(desk.settings(), &cli);
    let out = output::Printer { json: cli.json };

    if let Command::Login(args) = &cli.command {
        return login(&desk, keychain.as_ref(), args)
            .await
            .map(|()| ExitCode::SUCCESS);
    }
    if let Some(connection) = connect::resolve(&settings, keychain.as_ref())? {
        desk.connect(Some(connection.client));
    }
    if let Command::Remediate(args) = &cli.command {
        return remediate(&desk, &out, args).await;
    }

    let done = match cli.command {
        Command::Sync { once: true } => out.run(&desk.sync_once(Trigger::Manual).await?),
        Command::Sync { once: false } => sync_forever(&desk).await,
        Command::Portfolio { tenant, filters } => {
            let query = PortfolioQuery {
                tenant,
                ..query(&filters)?
            };
            out.page(&desk.portfolio(query).await?)
        }
        Command::Incidents { tenant, filters } => {
            out.page(&desk.tenant_incidents(&tenant, query(&filters)?).await?)
        }
        Command::Alerts { tenant, mitre } => out.alerts(&desk.tenant_alerts(&tenant, mitre).await?),
        Command::Recommendations { tenant } => {
            out.recommendations(&desk.tenant_recommendations(&tenant).await?)
        }
        Command::Update(args) => {
            let detail = desk
                .update_incident(&args.tenant, &args.incident, update(&args))
                .await?;
            out.detail(&detail)
        }
        Command::Health => out.health(&desk.health().await?),
        Command::Audit {
            tenant,
            incident,
            limit,
        } => out.audit(&desk.audit(tenant, incident, limit).await?),
        Command::AlertsLocal { all } => out.local_alerts(&desk.local_alerts(all).await?),
        Command::Login(_) | Command::Remediate(_) => unreachable!("handled above"),
    };
    done.map(|()| ExitCode::SUCCESS)
}

/// Runs the playbook and prints every step's result; exit 1 when a step
/// failed (the others' results are printed all the same).
async fn remediate(
    desk: &Desk,
    out: &output::Printer,
    args: &RemediateArgs,
) -> Result<ExitCode, Error> {
    let mut steps = parse_all(
        &args.steps,
        "steps",
        RemediationStep::from_product,
        RemediationStep::KNOWN,
    )?;
    if steps.is_empty() {
        steps = RemediationStep::KNOWN.to_vec();
    }
    let report = desk
        .remediate_user(&args.tenant, &args.user, &steps, args.incident.as_deref())
        .await?;
    out.remediation(&report)?;
    Ok(if report.any_failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The OS keychain, when this machine has one; headless machines without
/// a Secret Service still work with the `AZURE_*` variables.
fn open_keychain() -> Option<Keychain> {
    match auth::use_platform_store() {
        Ok(()) => Some(Keychain::new(KEYCHAIN_SERVICE)),
        Err(e) => {
            tracing::debug!(error = %e, "no OS keychain");
            None
        }
    }
}

fn with_overrides(mut settings: Settings, cli: &Cli) -> Settings {
    if cli.graph_url.is_some() || cli.login_url.is_some() {
        let current = settings.graph_config();
        settings.cloud = "custom".into();
        settings.graph_url = cli.graph_url.clone().unwrap_or(current.graph_url);
        settings.login_url = cli.login_url.clone().unwrap_or(current.login_url);
    }
    settings
}

async fn sync_forever(desk: &Desk) -> Result<(), Error> {
    let handle = desk.start_scheduler();
    eprintln!(
        "syncing every {} minutes; Ctrl-C stops",
        desk.settings().refresh_minutes
    );
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}

async fn login(desk: &Desk, keychain: Option<&Keychain>, args: &LoginArgs) -> Result<(), Error> {
    let Some(keychain) = keychain else {
        return Err(Error::NotConnected(
            "No OS keychain is available here; use AZURE_CLIENT_ID, AZURE_TENANT_ID and \
             AZURE_CLIENT_SECRET instead"
                .into(),
        ));
    };
    if !args.client_secret_stdin {
        return Err(Error::invalid(
            "clientSecret",
            "Pass --client-secret-stdin and pipe the secret in; it is never taken as an argument",
        ));
    }
    let mut secret = String::new();
    std::io::stdin()
        .read_to_string(&mut secret)
        .map_err(|e| Error::invalid("clientSecret", format!("cannot read stdin: {e}")))?;
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(Error::invalid(
            "clientSecret",
            "The client secret on stdin is empty",
        ));
    }

    keychain.set_client_secret(&args.client_id, &auth::Secret::new(secret.to_string()))?;
    let mut settings = desk.settings();
    settings.client_id = args.client_id.clone();
    settings.partner_tenant = args.partner_tenant.clone();
    settings.sign_in = Some("client_secret".into());
    settings.demo = false;
    desk.save_settings(settings).await?;
    eprintln!("client secret stored in the OS keychain");
    Ok(())
}

fn query(filters: &Filters) -> Result<PortfolioQuery, Error> {
    Ok(PortfolioQuery {
        severity: parse_all(
            &filters.severity,
            "severity",
            Severity::from_product,
            Severity::KNOWN,
        )?,
        status: parse_all(
            &filters.status,
            "status",
            IncidentStatus::from_product,
            IncidentStatus::KNOWN,
        )?,
        assigned_to: filters.assigned_to.clone(),
        classification: parse_all(
            &filters.classification,
            "classification",
            Classification::from_product,
            Classification::KNOWN,
        )?,
        mitre: filters.mitre.clone(),
        limit: filters.limit,
        ..PortfolioQuery::default()
    })
}

/// Parses product names, refusing unknown ones with the list of valid
/// values (a typo in a filter should not silently match nothing).
fn parse_all<T: PartialEq + std::fmt::Display>(
    values: &[String],
    field: &'static str,
    parse: fn(&str) -> T,
    known: &[T],
) -> Result<Vec<T>, Error> {
    values
        .iter()
        .map(|v| {
            let value = parse(v.trim());
            if known.contains(&value) {
                Ok(value)
            } else {
                let valid: Vec<String> = known.iter().map(ToString::to_string).collect();
                Err(Error::invalid(
                    field,
                    format!("`{v}` is not one of: {}", valid.join(", ")),
                ))
            }
        })
        .collect()
}

fn update(args: &UpdateArgs) -> IncidentUpdate {
    IncidentUpdate {
        status: args.status.as_deref().map(IncidentStatus::from_product),
        classification: args
            .classification
            .as_deref()
            .map(Classification::from_product),
        determination: args
            .determination
            .as_deref()
            .map(Determination::from_product),
        assigned_to: args.assigned_to.clone(),
        comment: args.comment.clone(),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn argument_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn unknown_filter_values_are_refused_with_the_valid_ones() {
        let filters = Filters {
            severity: vec!["critical".into()],
            ..Filters::default()
        };

        let error = query(&filters).unwrap_err();

        assert_eq!(error.field(), Some("severity"));
        assert!(
            error.to_string().contains("high"),
            "lists valid values: {error}"
        );
    }
}
