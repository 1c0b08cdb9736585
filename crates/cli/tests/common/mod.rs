//! Shared by the CLI's reliability tests: a graph-sim child process and a
//! way to run `manage365-cli` against it.

#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// A graph-sim child process, killed on drop.
pub struct Sim {
    child: Child,
    /// Base URL.
    pub url: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The graph-sim binary beside ours, built on demand.
fn sim_binary() -> PathBuf {
    let cli = PathBuf::from(env!("CARGO_BIN_EXE_manage365-cli"));
    let sim = cli.with_file_name(format!("graph-sim{}", std::env::consts::EXE_SUFFIX));
    if !sim.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "graph-sim", "--bin", "graph-sim"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "graph-sim builds");
    }
    sim
}

/// Starts graph-sim with `args` on an ephemeral port.
pub fn start_sim(args: &[&str]) -> Sim {
    let mut child = Command::new(sim_binary())
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("graph-sim starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("graph-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    Sim { child, url }
}

/// `manage365-cli` with the simulator's app in the environment.
pub fn cli_command(sim_url: &str, data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_manage365-cli"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--graph-url", sim_url, "--login-url", sim_url])
        .args(args)
        .env("AZURE_CLIENT_ID", graph_sim::DEFAULT_CLIENT_ID)
        .env("AZURE_TENANT_ID", graph_sim::DEFAULT_PARTNER_TENANT)
        .env("AZURE_CLIENT_SECRET", graph_sim::DEFAULT_CLIENT_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `manage365-cli` to the end.
pub fn cli(sim_url: &str, data_dir: &Path, args: &[&str]) -> Output {
    cli_command(sim_url, data_dir, args)
        .output()
        .expect("manage365-cli runs")
}

/// `GET` a control or Graph URL as JSON.
pub fn get(url: &str) -> Value {
    reqwest::blocking::get(url).unwrap().json().unwrap()
}

/// `POST` JSON to a control URL; panics unless 2xx.
pub fn post(url: &str, body: Value) {
    let response = reqwest::blocking::Client::new()
        .post(url)
        .json(&body)
        .send()
        .unwrap();
    assert!(
        response.status().is_success(),
        "{url} answered {}",
        response.status()
    );
}

/// True when `RELIABILITY_FULL=1` asks for the full sizes.
pub fn full() -> bool {
    std::env::var("RELIABILITY_FULL").is_ok_and(|v| v == "1")
}
