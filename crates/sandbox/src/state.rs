//! Shared server state: the store, its seed (for reset), keys, switches, request log, rate
//! windows and persistence. Locks are std mutexes never held across an await.

use crate::config::Switches;
use crate::model::{ApiKey, Store};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// How many API requests `/_sandbox/requests` remembers.
pub const LOG_CAPACITY: usize = 500;

/// How many CSP violation reports `/_sandbox/csp-reports` remembers.
pub const CSP_REPORT_CAPACITY: usize = 200;

/// One API request as the control API reports it; the key value is never kept.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path as sent.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Parsed JSON body; null when empty; the raw text as a string when not JSON.
    pub body: Value,
    /// Whether an `Authorization` header was sent.
    pub authorization: bool,
    /// The `Origin` header as sent, or null: browsers send one with every non-GET request
    /// and node's fetch never does, so a test can tell the app's writes from its own calls.
    pub origin: Option<String>,
    /// Status the sandbox answered.
    pub status: u16,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    store: Mutex<Store>,
    seed: Store,
    /// Accepted keys, from the seed.
    pub keys: Vec<ApiKey>,
    switches: Mutex<Switches>,
    log: Mutex<VecDeque<LoggedRequest>>,
    csp_reports: Mutex<VecDeque<Value>>,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
    last_used: Mutex<HashMap<String, SystemTime>>,
    persist: Option<PathBuf>,
    /// Where the server listens (for links when a request has no Host header).
    pub local_addr: SocketAddr,
    /// Unix seconds when the server started: the synthetic events are counted back from it
    /// (see [`crate::usage`]), so they stay put for the life of the server.
    pub anchor: i64,
    /// The OAuth server's clients, codes and tokens (in memory only).
    pub oauth: crate::oauth::OAuth,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the sandbox down; the data is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    /// New state starting from `initial` (seed or persisted), resettable to `seed`.
    pub fn new(
        initial: Store,
        seed: Store,
        keys: Vec<ApiKey>,
        switches: Switches,
        persist: Option<PathBuf>,
        local_addr: SocketAddr,
    ) -> Self {
        AppState {
            store: Mutex::new(initial),
            seed,
            keys,
            switches: Mutex::new(switches),
            log: Mutex::new(VecDeque::new()),
            csp_reports: Mutex::new(VecDeque::new()),
            windows: Mutex::new(HashMap::new()),
            last_used: Mutex::new(HashMap::new()),
            persist,
            local_addr,
            anchor: crate::clock::now_with_secs().1,
            oauth: crate::oauth::OAuth::default(),
        }
    }

    /// Run a read-only closure on the store.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        f(&lock(&self.store))
    }

    /// Run a changing closure on the store, then persist, even when it failed half-way
    /// (update_metadata keeps the rows it saved before an error).
    pub fn write<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = lock(&self.store);
        let out = f(&mut store);
        self.save(&store);
        out
    }

    /// A copy of the whole store.
    pub fn snapshot(&self) -> Store {
        lock(&self.store).clone()
    }

    /// Put the seed back and forget the rate windows, when keys were last used and every OAuth
    /// client, code and token.
    pub fn reset(&self) {
        self.write(|store| *store = self.seed.clone());
        lock(&self.windows).clear();
        lock(&self.last_used).clear();
        self.oauth.reset();
    }

    /// Record that the key with record id `key_id` authenticated a request; returns its
    /// `last_used_at`. PostHog only moves that time when the stored one is over an hour old
    /// (it saves a write per request), so answers within the hour repeat the first time.
    pub fn touch_key(&self, key_id: &str) -> SystemTime {
        let now = SystemTime::now();
        let mut last_used = lock(&self.last_used);
        let at = last_used.entry(key_id.to_string()).or_insert(now);
        let stale = now
            .duration_since(*at)
            .is_ok_and(|age| age > Duration::from_secs(3600));
        if stale {
            *at = now;
        }
        *at
    }

    /// Write the store to the persist file (temp file + rename, so a crash leaves a whole file).
    fn save(&self, store: &Store) {
        let Some(path) = &self.persist else { return };
        let result = serde_json::to_vec_pretty(store)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                let mut tmp = path.clone().into_os_string();
                tmp.push(".tmp");
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, path)
            });
        if let Err(e) = result {
            // The change stays in memory; the operator needs to know it will not survive.
            eprintln!("sandbox: cannot write state to {}: {e}", path.display());
        }
    }

    /// Current switches.
    pub fn switches(&self) -> Switches {
        lock(&self.switches).clone()
    }

    /// Counts one API write against the `fail_write` switch: the status to answer it with
    /// when it is the one to fail (the switch then clears itself).
    pub fn take_write_fault(&self) -> Option<u16> {
        let mut switches = lock(&self.switches);
        let fault = switches.fail_write.as_mut()?;
        if fault.number > 1 {
            fault.number -= 1;
            return None;
        }
        let status = fault.status;
        switches.fail_write = None;
        Some(status)
    }

    /// Replace the switches.
    pub fn set_switches(&self, switches: Switches) {
        *lock(&self.switches) = switches;
    }

    /// Remember one API request, dropping the oldest past [`LOG_CAPACITY`].
    pub fn log_request(&self, entry: LoggedRequest) {
        let mut log = lock(&self.log);
        if log.len() == LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }

    /// The remembered requests, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Forget the remembered requests.
    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    /// Remember one CSP violation report as the browser sent it, dropping the oldest past
    /// [`CSP_REPORT_CAPACITY`] (a test asserting "none" still sees that some came).
    pub fn add_csp_report(&self, report: Value) {
        let mut reports = lock(&self.csp_reports);
        if reports.len() == CSP_REPORT_CAPACITY {
            reports.pop_front();
        }
        reports.push_back(report);
    }

    /// The remembered CSP reports, oldest first.
    pub fn csp_reports(&self) -> Vec<Value> {
        lock(&self.csp_reports).iter().cloned().collect()
    }

    /// Forget the remembered CSP reports.
    pub fn clear_csp_reports(&self) {
        lock(&self.csp_reports).clear();
    }

    /// Count a request against `who`'s one-minute window; `Err(seconds)` when over `limit`.
    pub fn take_rate_slot(&self, who: &str, limit: u32) -> Result<(), u64> {
        let window = Duration::from_secs(60);
        let now = Instant::now();
        let mut windows = lock(&self.windows);
        let times = windows.entry(who.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= limit as usize {
            let oldest = times.front().copied().unwrap_or(now);
            let wait = window.saturating_sub(now.duration_since(oldest));
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(seconds.max(1));
        }
        times.push_back(now);
        Ok(())
    }
}
