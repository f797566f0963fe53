//! `sandbox`: run the local PostHog-compatible API server from the command line.

use clap::Parser;
use sandbox::corrupt::CorruptMode;
use sandbox::csp::CspSwitch;
use sandbox::{serve, Config, Switches};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Local PostHog-compatible "Groups types" API server.
#[derive(Debug, Parser)]
#[command(name = "sandbox", version, about)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// JSON seed file (keys and projects); the built-in demo seed when absent.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Load state from FILE when it exists and rewrite it after every change.
    #[arg(long, value_name = "FILE")]
    persist: Option<PathBuf>,
    /// Serve this folder (the built app) on the same port, with SPA fallback to index.html.
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// Serve the static app under this sub-path (e.g. /console/); `/` then redirects there.
    #[arg(long, default_value = "/", value_name = "PATH")]
    base_path: String,
    /// Refuse personal API keys on update_metadata, as PostHog Cloud does.
    #[arg(long)]
    cloud_update_metadata: bool,
    /// Delay added before every API answer.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Share (0.0 to 1.0) of API requests that fail with a 500 and change nothing.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    failure_rate: f64,
    /// Requests per minute per key before 429 (0 or absent: no limit).
    #[arg(long, value_name = "N")]
    rate_limit_per_minute: Option<u32>,
    /// Answer API CORS only for this exact origin (repeatable; absent: any origin).
    #[arg(long = "cors-allowed-origin", value_name = "ORIGIN")]
    cors_allowed_origins: Vec<String>,
    /// Send a strict Content-Security-Policy with the app's index.html, built from the
    /// `--csp-*` flags alone (connect-src 'self' plus `--csp-connect`, frame-ancestors
    /// `--csp-frame-ancestor` or 'none'). Without it, `--static` sends the deployment's
    /// policy (see `--no-csp`).
    #[arg(long, conflicts_with = "no_csp")]
    csp: bool,
    /// Serve the app with no Content-Security-Policy, for tests whose page must reach an
    /// origin the policy would refuse (the app's own checks are then all that stands). By
    /// default `--static` sends what `scripts/csp-policy.mjs` prints for the folder, with
    /// frame-ancestors of this machine's loopback ports.
    #[arg(long)]
    no_csp: bool,
    /// Extra source allowed in the policy's connect-src (repeatable; needs --csp).
    #[arg(long = "csp-connect", value_name = "ORIGIN", requires = "csp")]
    csp_connect: Vec<String>,
    /// Source allowed in the policy's frame-ancestors (repeatable; absent: 'none'; needs --csp).
    #[arg(long = "csp-frame-ancestor", value_name = "ORIGIN", requires = "csp")]
    csp_frame_ancestors: Vec<String>,
    /// Add `report-uri /_sandbox/csp-reports` to the policy (needs --csp).
    #[arg(long, requires = "csp")]
    csp_report: bool,
    /// Replace the body of successful API GET answers with a malformed one.
    #[arg(long, value_name = "MODE", value_parser = clap::builder::PossibleValuesParser::new(CorruptMode::NAMES))]
    corrupt: Option<String>,
    /// Answer /api/personal_api_keys/@current/ with 404, as an older self-hosted PostHog.
    #[arg(long)]
    no_current_key_route: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sandbox: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> ExitCode {
    let csp = if cli.csp {
        Some(CspSwitch {
            connect: cli.csp_connect,
            frame_ancestors: cli.csp_frame_ancestors,
            report: cli.csp_report,
        })
    } else if cli.no_csp {
        None
    } else {
        cli.static_dir.as_deref().map(CspSwitch::demo)
    };
    let config = Config {
        bind: cli.bind,
        port: cli.port,
        seed: cli.seed,
        persist: cli.persist,
        static_dir: cli.static_dir,
        base_path: cli.base_path,
        switches: Switches {
            cloud_update_metadata: cli.cloud_update_metadata,
            latency_ms: cli.latency_ms,
            failure_rate: cli.failure_rate,
            rate_limit_per_minute: cli.rate_limit_per_minute.filter(|n| *n > 0),
            cors_allowed_origins: (!cli.cors_allowed_origins.is_empty())
                .then_some(cli.cors_allowed_origins),
            csp,
            corrupt: cli.corrupt.as_deref().and_then(CorruptMode::parse),
            current_key_route: !cli.no_current_key_route,
            ..Switches::default()
        },
    };
    let server = match serve(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1));
        }
    };
    // Scripts wait for this exact line to learn the port.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "sandbox listening on {}", server.url());
    let _ = stdout.flush();
    match server.run_until(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sandbox: server failed: {e}");
            ExitCode::from(1)
        }
    }
}

/// Ctrl-C, or SIGTERM on Unix (what `kill` and CI runners send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
