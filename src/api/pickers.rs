//! The metric editor's picker reads: what the project knows about its events. Each goes
//! through the read layer like any read, answered from the last 30 s when this tab has it
//! (a list that is looked at, never edited).

use posthog_groups::definitions::{
    self, Action, EventDefinition, PropertyDefinition, WarehouseTable,
};
use posthog_groups::{ApiError, Connection, Page, Request};

use super::read;

async fn recent<T>(
    conn: &Connection,
    req: Request,
    decode: fn(u16, &str) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let (status, body) = read::recent(conn, &req).await?;
    decode(status, &body)
}

/// `GET event_definitions/`: a page of the events whose names hold every word of `search`.
pub async fn event_definitions(
    conn: &Connection,
    search: &str,
    offset: u64,
) -> Result<Page<EventDefinition>, ApiError> {
    let req = definitions::event_definitions(&conn.project, search, offset);
    recent(conn, req, definitions::decode_event_definitions).await
}

/// `GET event_definitions/?names=`: which of `names` the project has seen.
pub async fn events_named(
    conn: &Connection,
    names: &[&str],
) -> Result<Vec<EventDefinition>, ApiError> {
    let req = definitions::event_definitions_named(&conn.project, names);
    Ok(recent(conn, req, definitions::decode_event_definitions)
        .await?
        .results)
}

/// `GET property_definitions/?type=event`: a page of event properties, those seen with
/// `events` first; numeric ones only when `numerical`.
pub async fn property_definitions(
    conn: &Connection,
    search: &str,
    events: &[String],
    numerical: bool,
    offset: u64,
) -> Result<Page<PropertyDefinition>, ApiError> {
    let req = definitions::property_definitions(&conn.project, search, events, numerical, offset);
    recent(conn, req, definitions::decode_property_definitions).await
}

/// `GET actions/`: every action of the project, in one answer.
pub async fn actions(conn: &Connection) -> Result<Vec<Action>, ApiError> {
    let req = definitions::actions(&conn.project);
    Ok(recent(conn, req, definitions::decode_actions)
        .await?
        .results)
}

/// `GET warehouse_tables/`: a page of the project's data-warehouse tables and their columns.
pub async fn warehouse_tables(
    conn: &Connection,
    search: &str,
    offset: u64,
) -> Result<Page<WarehouseTable>, ApiError> {
    let req = definitions::warehouse_tables(&conn.project, search, offset);
    recent(conn, req, definitions::decode_warehouse_tables).await
}
