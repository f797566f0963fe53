//! Moving metrics into PostHog's list (index 0): carries out the core's move plan, one
//! metric at a time. The create comes first and the delete only after it succeeded, so a
//! refused create deletes nothing, and a failed delete leaves both copies (and can be tried
//! again): nothing is ever lost.

use posthog_groups::project_metrics::{MovePlan, SETTINGS_INDEX};
use posthog_groups::{ApiError, Metric};

use crate::api;
use crate::state::connection::Connection;

/// How one metric's move ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Moved {
    /// Created under index 0 (the new metric) and the old copy deleted.
    Created(Box<Metric>),
    /// The old copy deleted; index 0 already had the metric.
    DeletedOnly,
    /// Nothing was done (already under index 0, or skipped).
    Nothing,
}

/// Why a move stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum MoveFailed {
    /// The create under index 0 was refused: nothing was deleted.
    CreateRefused(ApiError),
    /// The create succeeded (or was not needed) but the old copy's delete failed: both
    /// copies exist. `created` is the new one, when there is one.
    DeleteFailed {
        /// The new metric under index 0, if the move made one.
        created: Option<Box<Metric>>,
        /// The delete's error.
        error: ApiError,
    },
}

/// Carries out `plan`.
pub async fn carry_out(conn: &Connection, plan: &MovePlan) -> Result<Moved, MoveFailed> {
    match plan {
        MovePlan::Nothing => Ok(Moved::Nothing),
        MovePlan::DeleteOnly { from_index, id } => api::delete_metric(conn, *from_index, id)
            .await
            .map(|()| Moved::DeletedOnly)
            .map_err(|error| MoveFailed::DeleteFailed {
                created: None,
                error,
            }),
        MovePlan::CreateThenDelete {
            draft,
            from_index,
            id,
        } => {
            let created = api::create_metric(conn, SETTINGS_INDEX, draft)
                .await
                .map_err(MoveFailed::CreateRefused)?;
            match api::delete_metric(conn, *from_index, id).await {
                Ok(()) => Ok(Moved::Created(Box::new(created))),
                Err(error) => Err(MoveFailed::DeleteFailed {
                    created: Some(Box::new(created)),
                    error,
                }),
            }
        }
    }
}

/// Tries a failed delete again (the old copy of a metric that is already under index 0).
pub async fn retry_delete(conn: &Connection, from_index: u32, id: &str) -> Result<(), ApiError> {
    api::delete_metric(conn, from_index, id).await
}
