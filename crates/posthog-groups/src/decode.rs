//! One decoder per endpoint: `(status, body text)` in, typed value or [`ApiError`] out.
//! None of them can panic, whatever the bytes (a property test holds them to it).

use serde::de::DeserializeOwned;

use crate::error::{classify, ApiError};
use crate::model::{GroupType, KeyRecord, Metric, Page};
use crate::usage::{GroupsPage, UsageMetrics};

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Parses a success body, naming the JSON path that failed (`results[3].interval`).
fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    if body.trim().is_empty() {
        return Err(ApiError::Decode {
            path: String::new(),
            message: "the body was empty where JSON was expected".into(),
        });
    }
    let mut de = serde_json::Deserializer::from_str(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| ApiError::Decode {
        path: normalise_path(&e.path().to_string()),
        message: e.inner().to_string(),
    })?;
    // Trailing garbage after the value is an error too, not silently ignored.
    de.end().map_err(|e| ApiError::Decode {
        path: String::new(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// serde_path_to_error writes `.` for the root; an empty path reads better in messages.
fn normalise_path(path: &str) -> String {
    if path == "." {
        String::new()
    } else {
        path.to_owned()
    }
}

/// A success body decoded as `T` (naming the JSON path that failed), or the error the
/// status and body say.
pub(crate) fn decode_json<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if is_success(status) {
        parse(body)
    } else {
        Err(classify(status, body))
    }
}

/// Endpoint 1: the group types, sorted by index (sorted here too, in case a server does not).
pub fn group_types(status: u16, body: &str) -> Result<Vec<GroupType>, ApiError> {
    let mut list: Vec<GroupType> = decode_json(status, body)?;
    list.sort_by_key(|g| g.group_type_index);
    Ok(list)
}

/// Endpoints 2 and 7: deletes answer 204 with no body; any body on a success is ignored.
pub fn no_content(status: u16, body: &str) -> Result<(), ApiError> {
    if is_success(status) {
        Ok(())
    } else {
        Err(classify(status, body))
    }
}

/// Endpoint 3: one page of metrics.
pub fn metric_page(status: u16, body: &str) -> Result<Page<Metric>, ApiError> {
    decode_json(status, body)
}

/// Endpoints 4, 5, 6 and PUT: one metric.
pub fn metric(status: u16, body: &str) -> Result<Metric, ApiError> {
    decode_json(status, body)
}

/// Endpoint 8: PostHog's server returns the full list, its docs say "no response body".
/// `Ok(None)` means success without a list: the caller refetches.
pub fn update_metadata(status: u16, body: &str) -> Result<Option<Vec<GroupType>>, ApiError> {
    if is_success(status) && body.trim().is_empty() {
        return Ok(None);
    }
    group_types(status, body).map(Some)
}

/// `GET /api/personal_api_keys/@current/`: the key's own record.
pub fn current_key(status: u16, body: &str) -> Result<KeyRecord, ApiError> {
    decode_json(status, body)
}

/// `GET groups/`: one page of groups.
pub fn groups_page(status: u16, body: &str) -> Result<GroupsPage, ApiError> {
    decode_json(status, body)
}

/// `POST query/` with `UsageMetricsQuery`: the values PostHog computed for the group.
pub fn usage_metrics(status: u16, body: &str) -> Result<UsageMetrics, ApiError> {
    decode_json(status, body)
}
