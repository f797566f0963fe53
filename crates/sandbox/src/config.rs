//! Start-up configuration and the runtime switches (failure injection and friends).

use crate::api_error::ApiError;
use crate::corrupt::CorruptMode;
use crate::csp::CspSwitch;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Seed file; `None` uses the built-in demo seed.
    pub seed: Option<PathBuf>,
    /// State file, loaded at start when present and rewritten after each change.
    pub persist: Option<PathBuf>,
    /// Folder of the built single-page app to serve beside the API.
    pub static_dir: Option<PathBuf>,
    /// Sub-path the static app lives under (`/` or `/sub/`).
    pub base_path: String,
    /// Initial switches.
    pub switches: Switches,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8000,
            seed: None,
            persist: None,
            static_dir: None,
            base_path: "/".into(),
            switches: Switches::default(),
        }
    }
}

/// The `fail_write` switch: which write fails, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteFault {
    /// Writes to let through first, plus one: 3 fails the third.
    pub number: u32,
    /// 500 or 429.
    pub status: u16,
}

/// Behaviour switches, settable by flags and at runtime through `/_sandbox/switches`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Switches {
    /// Refuse personal keys on `update_metadata`, as PostHog Cloud does.
    pub cloud_update_metadata: bool,
    /// Delay added before every API answer.
    pub latency_ms: u64,
    /// Share (0.0..=1.0) of API requests answered with a 500 and no change.
    pub failure_rate: f64,
    /// The methods `failure_rate` applies to (upper case); `None` means every method. Lets a
    /// test fail the delete of a create-then-delete and nothing before it.
    pub failure_methods: Option<Vec<String>>,
    /// Requests per minute per key; `None` (or 0) turns limiting off.
    pub rate_limit_per_minute: Option<u32>,
    /// Origins the API answers CORS for (exact `scheme://host[:port]`); `None` means any.
    pub cors_allowed_origins: Option<Vec<String>>,
    /// Strict Content-Security-Policy sent with the app's `index.html`; `None` sends none.
    pub csp: Option<CspSwitch>,
    /// Malformed bodies for successful API GET answers; `None` answers them as they are.
    pub corrupt: Option<CorruptMode>,
    /// One write (POST, PATCH, PUT or DELETE on the API) that fails: the `number`-th from
    /// when the switch was set, answered with `status` (500, or 429 "available in 1 second")
    /// and no change. It counts down with each write and clears itself once used.
    pub fail_write: Option<WriteFault>,
    /// Serve `/api/personal_api_keys/...`; off, it answers 404 as a PostHog too old to have it.
    pub current_key_route: bool,
    /// Lifetime in seconds of OAuth access tokens issued from now on.
    pub oauth_access_seconds: u64,
    /// Lifetime in seconds of OAuth refresh tokens issued from now on.
    pub oauth_refresh_seconds: u64,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            cloud_update_metadata: false,
            latency_ms: 0,
            failure_rate: 0.0,
            failure_methods: None,
            rate_limit_per_minute: None,
            cors_allowed_origins: None,
            csp: None,
            corrupt: None,
            fail_write: None,
            current_key_route: true,
            oauth_access_seconds: crate::oauth::DEFAULT_ACCESS_SECONDS,
            oauth_refresh_seconds: crate::oauth::DEFAULT_REFRESH_SECONDS,
        }
    }
}

impl Switches {
    /// Apply a partial JSON object; unknown keys and bad values are refused with a 400.
    pub fn merge(&mut self, patch: &Value) -> Result<(), ApiError> {
        let obj = patch.as_object().ok_or_else(|| {
            ApiError::validation("invalid", "Expected a JSON object of switches.", None)
        })?;
        let mut next = self.clone();
        for (key, value) in obj {
            let bad = |what: &str| {
                ApiError::validation("invalid", format!("{key} must be {what}."), Some(key))
            };
            match key.as_str() {
                "cloud_update_metadata" => {
                    next.cloud_update_metadata = value.as_bool().ok_or_else(|| bad("a boolean"))?
                }
                "current_key_route" => {
                    next.current_key_route = value.as_bool().ok_or_else(|| bad("a boolean"))?
                }
                "oauth_access_seconds" | "oauth_refresh_seconds" => {
                    let seconds = value
                        .as_u64()
                        .filter(|s| (1..=10 * 365 * 86_400).contains(s))
                        .ok_or_else(|| bad("an integer from 1 to 315360000 (seconds)"))?;
                    if key == "oauth_access_seconds" {
                        next.oauth_access_seconds = seconds;
                    } else {
                        next.oauth_refresh_seconds = seconds;
                    }
                }
                "latency_ms" => {
                    next.latency_ms = value
                        .as_u64()
                        .filter(|ms| *ms <= 600_000)
                        .ok_or_else(|| bad("an integer from 0 to 600000"))?
                }
                "failure_rate" => {
                    next.failure_rate = value
                        .as_f64()
                        .filter(|r| (0.0..=1.0).contains(r))
                        .ok_or_else(|| bad("a number from 0.0 to 1.0"))?
                }
                "failure_methods" => {
                    let must = "null or a list of HTTP methods such as [\"DELETE\"]";
                    next.failure_methods = match value {
                        Value::Null => None,
                        Value::Array(list) => Some(
                            list.iter()
                                .map(|m| {
                                    m.as_str()
                                        .filter(|m| {
                                            ["GET", "POST", "PATCH", "PUT", "DELETE"].contains(m)
                                        })
                                        .map(str::to_string)
                                        .ok_or_else(|| bad(must))
                                })
                                .collect::<Result<Vec<_>, _>>()?,
                        ),
                        _ => return Err(bad(must)),
                    }
                }
                "rate_limit_per_minute" => {
                    next.rate_limit_per_minute = match value {
                        Value::Null => None,
                        v => v
                            .as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .ok_or_else(|| bad("a non-negative integer or null"))
                            .map(|n| (n > 0).then_some(n))?,
                    }
                }
                "cors_allowed_origins" => {
                    let must = "null or a list of origins like \"http://127.0.0.1:5000\" \
                                (scheme://host[:port], no path or trailing slash)";
                    next.cors_allowed_origins = match value {
                        Value::Null => None,
                        Value::Array(items) => Some(
                            items
                                .iter()
                                .map(|item| {
                                    item.as_str()
                                        .filter(|o| crate::cors::is_origin(o))
                                        .map(str::to_string)
                                })
                                .collect::<Option<Vec<_>>>()
                                .ok_or_else(|| bad(must))?,
                        ),
                        _ => return Err(bad(must)),
                    }
                }
                "csp" => {
                    next.csp = match value {
                        Value::Null => None,
                        v => Some(CspSwitch::from_json(v).map_err(|detail| {
                            ApiError::validation("invalid", detail, Some(key))
                        })?),
                    }
                }
                "fail_write" => {
                    let must = "null or {\"number\": 1 or more, \"status\": 500 or 429}";
                    next.fail_write = match value {
                        Value::Null => None,
                        v => Some(
                            serde_json::from_value::<WriteFault>(v.clone())
                                .ok()
                                .filter(|f| f.number >= 1 && [500, 429].contains(&f.status))
                                .ok_or_else(|| bad(must))?,
                        ),
                    }
                }
                "corrupt" => {
                    let must = format!("null or one of {}", CorruptMode::NAMES.join(", "));
                    next.corrupt = match value {
                        Value::Null => None,
                        v => Some(
                            v.as_str()
                                .and_then(CorruptMode::parse)
                                .ok_or_else(|| bad(&must))?,
                        ),
                    }
                }
                _ => {
                    return Err(ApiError::validation(
                        "invalid",
                        format!("Unknown switch: {key}"),
                        Some(key),
                    ))
                }
            }
        }
        *self = next;
        Ok(())
    }
}

/// Normalise a base path to `/` or `/sub/` form; refuses paths the API or control routes own.
pub fn normalize_base_path(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok("/".into());
    }
    if trimmed
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(format!(
            "base path {raw:?} has an empty, '.' or '..' segment"
        ));
    }
    let first = trimmed.split('/').next().unwrap_or_default();
    if first == "api" || first == "_sandbox" {
        return Err(format!(
            "base path {raw:?} would hide the /{first}/ routes; choose another"
        ));
    }
    Ok(format!("/{trimmed}/"))
}
