//! The typed fetch layer: the only place in the app that does HTTP. Each function builds a
//! request with the core crate, sends it with [`fetch::send`], and decodes the answer with
//! the core's decoder for that endpoint.

pub mod fetch;

use posthog_groups::{
    decode, request, ApiError, GroupType, GroupTypeNames, Metric, MetricDraft, MetricPatch, Page,
};

use crate::state::connection::Connection;

/// Endpoint 1: the project's group types, sorted by index.
pub async fn list_group_types(conn: &Connection) -> Result<Vec<GroupType>, ApiError> {
    let (status, body) = fetch::send(conn, &request::list_group_types(&conn.project)).await?;
    decode::group_types(status, &body)
}

/// Endpoint 2: deletes a group type's mapping.
pub async fn delete_group_type(conn: &Connection, index: u32) -> Result<(), ApiError> {
    let (status, body) =
        fetch::send(conn, &request::delete_group_type(&conn.project, index)).await?;
    decode::no_content(status, &body)
}

/// Endpoint 3: one page of a group type's metrics.
pub async fn list_metrics(
    conn: &Connection,
    index: u32,
    limit: u64,
    offset: u64,
) -> Result<Page<Metric>, ApiError> {
    let req = request::list_metrics(&conn.project, index, limit, offset);
    let (status, body) = fetch::send(conn, &req).await?;
    decode::metric_page(status, &body)
}

/// Endpoint 4: creates a metric.
pub async fn create_metric(
    conn: &Connection,
    index: u32,
    draft: &MetricDraft,
) -> Result<Metric, ApiError> {
    let (status, body) =
        fetch::send(conn, &request::create_metric(&conn.project, index, draft)).await?;
    decode::metric(status, &body)
}

/// Endpoint 5: one metric.
pub async fn get_metric(conn: &Connection, index: u32, id: &str) -> Result<Metric, ApiError> {
    let (status, body) = fetch::send(conn, &request::get_metric(&conn.project, index, id)).await?;
    decode::metric(status, &body)
}

/// Endpoint 6: changes only the fields in `patch`.
pub async fn update_metric(
    conn: &Connection,
    index: u32,
    id: &str,
    patch: &MetricPatch,
) -> Result<Metric, ApiError> {
    let req = request::update_metric(&conn.project, index, id, patch);
    let (status, body) = fetch::send(conn, &req).await?;
    decode::metric(status, &body)
}

/// Endpoint 7: deletes a metric.
pub async fn delete_metric(conn: &Connection, index: u32, id: &str) -> Result<(), ApiError> {
    let (status, body) =
        fetch::send(conn, &request::delete_metric(&conn.project, index, id)).await?;
    decode::no_content(status, &body)
}

/// Endpoint 8: renames group types. `Ok(None)` means the server sent no list: refetch.
pub async fn update_metadata(
    conn: &Connection,
    rows: &[GroupTypeNames],
) -> Result<Option<Vec<GroupType>>, ApiError> {
    let (status, body) = fetch::send(conn, &request::update_metadata(&conn.project, rows)).await?;
    decode::update_metadata(status, &body)
}
