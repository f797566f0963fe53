//! A local PostHog-compatible "Groups types" API server (axum + tokio): the contract in
//! `posthog-groups-api.md`, written on its own so that client and server cannot share a
//! mistake. In memory, optionally persisted to a JSON file, seeded with a demo project, with
//! switches for PostHog Cloud's refusal of personal keys, latency, failures, rate limits and
//! restricted CORS origins, malformed answers, a missing key-introspection route
//! (`/api/personal_api_keys/@current/`) and a strict Content-Security-Policy for the served
//! app, an OAuth 2.0 authorization server as PostHog's (code grant with PKCE, refresh rotation,
//! revocation, Client ID Metadata Documents: [`oauth`]), and a control API under `/_sandbox/`
//! for end-to-end tests.

pub mod api_error;
pub mod auth;
pub mod clock;
pub mod config;
pub mod control;
pub mod corrupt;
pub mod cors;
pub mod csp;
pub mod definitions;
pub mod error;
pub mod gate;
pub mod model;
pub mod oauth;
pub mod routes;
pub mod seed;
pub mod state;
pub mod static_files;
pub mod usage;
pub mod validate;

pub use config::{Config, Switches};
pub use error::Error;

use axum::Router;
use state::AppState;
use static_files::StaticSite;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A sandbox that is listening; dropping it leaves the server running until the runtime ends.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The address actually bound (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL to reach the server; an unspecified bind address is shown as loopback.
    pub fn url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// Stop accepting, let open requests finish, and wait for the server to end.
    pub async fn shutdown(self) -> std::io::Result<()> {
        // The receiver is gone only if the server already ended; its result is below.
        let _ = self.stop.send(());
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Serve until `signal` completes (then shut down gracefully) or the server fails.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        tokio::select! {
            () = signal => self.shutdown().await,
            ended = &mut self.task => ended.map_err(std::io::Error::other)?,
        }
    }
}

/// Load the seed (and persisted state), bind, and start serving in the background.
pub async fn serve(config: Config) -> Result<RunningServer, Error> {
    let base = config::normalize_base_path(&config.base_path).map_err(Error::BadConfig)?;
    let mut switches = Switches::default();
    let initial =
        serde_json::to_value(&config.switches).map_err(|e| Error::BadConfig(e.to_string()))?;
    switches
        .merge(&initial)
        .map_err(|e| Error::BadConfig(format!("bad switch: {}", e.detail)))?;
    let site = match config.static_dir {
        Some(dir) if !dir.is_dir() => return Err(Error::static_dir_missing(&dir)),
        Some(dir) => Some(StaticSite { dir, base }),
        None => None,
    };
    let seed = seed::load_seed(config.seed.as_deref())?;
    let start = match &config.persist {
        Some(path) => seed::load_state(path)?.unwrap_or_else(|| seed.store.clone()),
        None => seed.store.clone(),
    };
    let listener = tokio::net::TcpListener::bind((config.bind, config.port))
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => Error::PortInUse { port: config.port },
            _ => Error::Bind {
                addr: SocketAddr::new(config.bind, config.port).to_string(),
                source,
            },
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind {
        addr: SocketAddr::new(config.bind, config.port).to_string(),
        source,
    })?;
    let state = Arc::new(AppState::new(
        start,
        seed.store,
        seed.keys,
        switches,
        config.persist,
        addr,
    ));
    let app = app(state, site);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningServer { addr, stop, task })
}

/// The whole application: API (with CORS and the gate), control routes, static files.
fn app(state: Arc<AppState>, site: Option<StaticSite>) -> Router {
    let api = routes::api_router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::gate,
        ))
        .layer(cors::any_origin())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cors::restrict_origins,
        ));
    // Tools may drive the control API from any page, whatever the API's origin switch says.
    let control = control::control_router().layer(cors::any_origin());
    // The OAuth server: before the static fallback, outside the gate (never logged).
    let router = Router::new()
        .merge(api)
        .merge(control)
        .merge(oauth::http::oauth_router());
    let router = match site {
        Some(site) => {
            let site = Arc::new(site);
            let state = state.clone();
            router.fallback(move |request: axum::extract::Request| {
                let site = site.clone();
                // Read per request: the policy follows the switch at runtime.
                let csp = state.switches().csp;
                async move { site.serve(request, csp.as_ref()).await }
            })
        }
        None => router.fallback(no_site),
    };
    router.with_state(state)
}

async fn no_site() -> (axum::http::StatusCode, &'static str) {
    (
        axum::http::StatusCode::NOT_FOUND,
        "PostHog sandbox: the API is under /api/projects/{id}/, the control API under /_sandbox/. \
         Start with --static DIR to serve an app here.\n",
    )
}
