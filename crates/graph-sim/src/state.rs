//! Shared state handed to every handler: the world, the fault settings,
//! the request log and the server's own base URL.
//!
//! Locks are `std::sync::Mutex`: no handler awaits while holding one, and
//! a poisoned lock (a panicking handler) is recovered rather than taking
//! the whole simulator down with it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::FaultConfig;
use crate::data::rng::Gen;
use crate::malformed::Malformed;
use crate::reqlog::LogEntry;
use crate::world::World;

/// Cheap-to-clone handle on the simulator state.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

/// The state behind `AppState`.
pub struct Shared {
    /// All data and identity state.
    pub world: Mutex<World>,
    /// Current fault settings.
    pub faults: Mutex<FaultConfig>,
    /// Dice for fault injection, seeded for reproducible fault runs.
    pub fault_rng: Mutex<Gen>,
    /// Requests received, oldest first.
    pub log: Mutex<Vec<LogEntry>>,
    /// "http://127.0.0.1:PORT", used for nextLinks and `@odata.context`.
    pub base_url: String,
    /// Delay added to each identity and Graph request.
    pub latency_ms: u64,
    /// Tenants (lower-case id) whose incident list is answered malformed.
    pub malformed: Mutex<HashMap<String, Malformed>>,
}

fn relock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// Locks the world.
    pub fn world(&self) -> MutexGuard<'_, World> {
        relock(&self.0.world)
    }

    /// A copy of the current fault settings.
    pub fn faults(&self) -> FaultConfig {
        relock(&self.0.faults).clone()
    }

    /// Replaces the fault settings.
    pub fn set_faults(&self, faults: FaultConfig) {
        *relock(&self.0.faults) = faults;
    }

    /// Rolls a die: true with probability `p`.
    pub fn roll(&self, p: f64) -> bool {
        p > 0.0 && relock(&self.0.fault_rng).chance(p)
    }

    /// Locks the request log.
    pub fn log(&self) -> MutexGuard<'_, Vec<LogEntry>> {
        relock(&self.0.log)
    }

    /// Locks the per-tenant malformed-answer switches.
    pub fn malformed(&self) -> MutexGuard<'_, HashMap<String, Malformed>> {
        relock(&self.0.malformed)
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.0.base_url
    }
}
