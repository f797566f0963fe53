//! The typed fetch layer: the only place in the app that does HTTP. Each function builds a
//! request with the core crate, sends it through the read layer ([`read::send`] and its
//! kin), and decodes the answer with the core's decoder for that endpoint.

pub mod fetch;
pub mod grant;
pub mod pickers;
pub mod read;

use posthog_groups::{
    decode, request, ApiError, Connection, GroupRef, GroupType, GroupTypeNames, GroupsPage,
    KeyRecord, Metric, MetricDraft, MetricPatch, Page, UsageMetrics,
};

/// The page size of the project list's reads: PostHog's default, so an index of up to 100
/// metrics costs one request (and a read sent ahead is the same request).
const LIST_PAGE: u64 = 100;

/// The page size of [`all_metrics`] (uniqueness checks, export).
const ALL_PAGE: u64 = 200;

/// Endpoint 1: the project's group types, sorted by index, asked of the server to check a
/// connection. The answer is kept as not yet shown, so the group types page that follows
/// shows it without asking again.
pub async fn list_group_types(conn: &Connection) -> Result<Vec<GroupType>, ApiError> {
    let (status, body) = read::send(conn, &request::list_group_types(&conn.project)).await?;
    decode::group_types(status, &body)
}

/// Endpoint 1, shown at once when seen in the last 30 s; `then` gets a different answer
/// from the server (see [`read::fresh`]).
pub async fn list_group_types_fresh(
    conn: &Connection,
    then: impl FnOnce(Result<Vec<GroupType>, ApiError>) + 'static,
) -> Result<Vec<GroupType>, ApiError> {
    let req = request::list_group_types(&conn.project);
    read::fresh(conn, req, decode::group_types, then).await
}

/// Endpoint 1, answered from the last 30 s when this tab has seen it, without checking.
pub async fn list_group_types_recent(conn: &Connection) -> Result<Vec<GroupType>, ApiError> {
    let (status, body) = read::recent(conn, &request::list_group_types(&conn.project)).await?;
    decode::group_types(status, &body)
}

/// The group types seen last for `conn`, however long ago, to name types on screens that do
/// not read the list; reactive: a view shows the names once a list arrives.
pub fn group_types_seen(conn: &Connection) -> Option<Vec<GroupType>> {
    let (status, body) = read::names_seen(conn, &request::list_group_types(&conn.project))?;
    decode::group_types(status, &body).ok()
}

/// Starts the project list's reads while its screen's code is still on its way (see
/// [`read::prefetch`]), as [`project_metrics`] will ask for them: the group types and
/// index 0's first page at once, then the first page of every other index the list names.
pub fn prefetch_project_list(conn: &Connection) {
    prefetch_key_record(conn);
    let types = request::list_group_types(&conn.project);
    read::prefetch(conn, request::list_metrics(&conn.project, 0, LIST_PAGE, 0));
    let conn = conn.clone();
    // Scoped like the reads it starts: leaving the view stops it.
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let Ok((status, body)) = read::recent(&conn, &types).await else {
            return;
        };
        let Ok(list) = decode::group_types(status, &body) else {
            return;
        };
        for index in posthog_groups::project_metrics::indexes(&list) {
            if index != posthog_groups::project_metrics::SETTINGS_INDEX {
                read::prefetch(
                    &conn,
                    request::list_metrics(&conn.project, index, LIST_PAGE, 0),
                );
            }
        }
    });
}

/// Starts one metric's reads while its screen's code is still on its way: the metric, and
/// for its form (`edit`) the first page of its index's names, as [`all_metrics`] asks.
pub fn prefetch_metric(conn: &Connection, index: u32, id: &str, edit: bool) {
    prefetch_key_record(conn);
    read::prefetch(conn, request::get_metric(&conn.project, index, id));
    if edit {
        read::prefetch(
            conn,
            request::list_metrics(&conn.project, index, ALL_PAGE, 0),
        );
    }
}

/// What a personal key may do, which every metric screen asks first (a sign-in's is known
/// without asking).
fn prefetch_key_record(conn: &Connection) {
    if conn.key.grant_id().is_none() {
        read::prefetch(conn, request::current_key());
    }
}

/// Endpoint 2: deletes a group type's mapping. The list without it becomes the list's next
/// answer, so the page needs no second read.
pub async fn delete_group_type(conn: &Connection, index: u32) -> Result<(), ApiError> {
    let list_req = request::list_group_types(&conn.project);
    let before = read::cached(conn, &list_req);
    let (status, body) =
        read::send(conn, &request::delete_group_type(&conn.project, index)).await?;
    decode::no_content(status, &body)?;
    // The list as the server now holds it: the one seen before, without this type. Rows
    // are kept as received (fields this app does not know included).
    let rest = before
        .and_then(|(_, text)| serde_json::from_str::<Vec<serde_json::Value>>(&text).ok())
        .map(|rows| {
            rows.into_iter()
                .filter(|row| {
                    row.get("group_type_index")
                        .and_then(serde_json::Value::as_u64)
                        != Some(u64::from(index))
                })
                .collect::<Vec<_>>()
        })
        .and_then(|rows| serde_json::to_string(&rows).ok());
    if let Some(text) = rest {
        read::offer(conn, &list_req, text);
    }
    Ok(())
}

/// Endpoint 3: one page of a group type's metrics (a page read ahead moments ago is taken).
pub async fn list_metrics(
    conn: &Connection,
    index: u32,
    limit: u64,
    offset: u64,
) -> Result<Page<Metric>, ApiError> {
    let req = request::list_metrics(&conn.project, index, limit, offset);
    let (status, body) = read::current(conn, &req).await?;
    decode::metric_page(status, &body)
}

/// Endpoint 4: creates a metric. The answer is the metric as stored: its page shows it
/// without asking again.
pub async fn create_metric(
    conn: &Connection,
    index: u32,
    draft: &MetricDraft,
) -> Result<Metric, ApiError> {
    let (status, body) =
        read::send(conn, &request::create_metric(&conn.project, index, draft)).await?;
    let metric = decode::metric(status, &body)?;
    offer_metric(conn, index, &metric.id, body);
    Ok(metric)
}

/// Endpoint 5: one metric (taken as it is when read ahead moments ago).
pub async fn get_metric(conn: &Connection, index: u32, id: &str) -> Result<Metric, ApiError> {
    let (status, body) =
        read::current(conn, &request::get_metric(&conn.project, index, id)).await?;
    decode::metric(status, &body)
}

/// Endpoint 5, asked of the server now, never answered from what was kept: what a save
/// compares the user's edit with (the API has no version field to do it for us).
pub async fn get_metric_now(conn: &Connection, index: u32, id: &str) -> Result<Metric, ApiError> {
    let (status, body) = read::send(conn, &request::get_metric(&conn.project, index, id)).await?;
    decode::metric(status, &body)
}

/// Endpoint 5, shown at once when seen in the last 30 s (see [`read::fresh`]).
pub async fn get_metric_fresh(
    conn: &Connection,
    index: u32,
    id: &str,
    then: impl FnOnce(Result<Metric, ApiError>) + 'static,
) -> Result<Metric, ApiError> {
    let req = request::get_metric(&conn.project, index, id);
    read::fresh(conn, req, decode::metric, then).await
}

/// Endpoint 6: changes only the fields in `patch`. The answer is the metric as stored: its
/// page shows it without asking again.
pub async fn update_metric(
    conn: &Connection,
    index: u32,
    id: &str,
    patch: &MetricPatch,
) -> Result<Metric, ApiError> {
    let req = request::update_metric(&conn.project, index, id, patch);
    let (status, body) = read::send(conn, &req).await?;
    let metric = decode::metric(status, &body)?;
    offer_metric(conn, index, id, body);
    Ok(metric)
}

fn offer_metric(conn: &Connection, index: u32, id: &str, body: String) {
    read::offer(conn, &request::get_metric(&conn.project, index, id), body);
}

/// Endpoint 7: deletes a metric.
pub async fn delete_metric(conn: &Connection, index: u32, id: &str) -> Result<(), ApiError> {
    let (status, body) =
        read::send(conn, &request::delete_metric(&conn.project, index, id)).await?;
    decode::no_content(status, &body)
}

/// Endpoint 8: renames group types. `Ok(None)` means the server sent no list: refetch. The
/// list it sends is the list's next answer, so the page needs no second read.
pub async fn update_metadata(
    conn: &Connection,
    rows: &[GroupTypeNames],
) -> Result<Option<Vec<GroupType>>, ApiError> {
    let (status, body) = read::send(conn, &request::update_metadata(&conn.project, rows)).await?;
    let list = decode::update_metadata(status, &body)?;
    if list.is_some() && !rows.is_empty() {
        read::offer(conn, &request::list_group_types(&conn.project), body);
    }
    Ok(list)
}

/// The key's own record (`GET /api/personal_api_keys/@current/`): every scope at once, with
/// no request that could write. Kept for the tab once read.
pub async fn current_key(conn: &Connection) -> Result<KeyRecord, ApiError> {
    let (status, body) = read::send(conn, &request::current_key()).await?;
    decode::current_key(status, &body)
}

/// The contract's harmless rename probe (`update_metadata` with `[]`): whether this instance
/// lets personal keys rename, which no scope tells. Kept for the tab once answered, so it is
/// sent once per connection per tab.
pub async fn rename_probe(conn: &Connection) -> Result<(), ApiError> {
    update_metadata(conn, &[]).await.map(|_| ())
}

/// The rename probe's answer when this tab already has it; never sends anything.
pub fn rename_probe_kept(conn: &Connection) -> Option<Result<(), ApiError>> {
    let req = request::update_metadata(&conn.project, &[]);
    read::cached(conn, &req)
        .map(|(status, body)| decode::update_metadata(status, &body).map(|_| ()))
}

/// Every metric of a group type, following the pages (for uniqueness checks and export).
pub async fn all_metrics(conn: &Connection, index: u32) -> Result<Vec<Metric>, ApiError> {
    metrics_in_pages(conn, index, ALL_PAGE).await
}

/// Every metric of a group type, in pages of `page_size` metrics.
async fn metrics_in_pages(
    conn: &Connection,
    index: u32,
    page_size: u64,
) -> Result<Vec<Metric>, ApiError> {
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = list_metrics(conn, index, page_size, offset).await?;
        let got = page.results.len() as u64;
        all.extend(page.results);
        // Stop on the server's word (no next link) or on a short page, whichever comes first,
        // so a server that keeps sending `next` cannot loop us forever.
        if page.next.is_none() || got == 0 || all.len() as u64 >= page.count {
            return Ok(all);
        }
        offset += got;
    }
}

/// Every metric of the project: each of `indexes` read in parallel, in pages of PostHog's
/// default size (so an index of up to 100 metrics costs one request), as `(index, metrics in
/// server order)`. The first failure is the answer.
pub async fn project_metrics(
    conn: &Connection,
    indexes: &[u32],
) -> Result<Vec<(u32, Vec<Metric>)>, ApiError> {
    let reads = indexes.iter().map(|&index| async move {
        metrics_in_pages(conn, index, LIST_PAGE)
            .await
            .map(|list| (index, list))
    });
    futures::future::join_all(reads).await.into_iter().collect()
}

/// Endpoint 7 sent so that it completes even if the page is closing (`keepalive`); resolves
/// when the request has ended, whatever its answer.
pub async fn delete_metric_keepalive(conn: &Connection, index: u32, id: &str) {
    read::send_keepalive(conn, &request::delete_metric(&conn.project, index, id)).await;
}

/// `GET groups/`: one page of a type's groups matching `search`, from `cursor` on. A search
/// typed again within 30 s is answered from what this tab kept.
pub async fn list_groups(
    conn: &Connection,
    index: u32,
    search: &str,
    cursor: Option<&str>,
) -> Result<GroupsPage, ApiError> {
    let req = request::list_groups(&conn.project, index, search, cursor);
    let (status, body) = read::recent(conn, &req).await?;
    decode::groups_page(status, &body)
}

/// `POST query/` with `UsageMetricsQuery`: every value PostHog computes for `group`, in one
/// request. Kept like a read for 30 s (the list and a metric's page share it); a save drops it.
pub async fn usage_metrics(conn: &Connection, group: &GroupRef) -> Result<UsageMetrics, ApiError> {
    let req = request::usage_metrics(&conn.project, group);
    let (status, body) = read::recent(conn, &req).await?;
    decode::usage_metrics(status, &body)
}
