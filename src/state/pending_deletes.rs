//! Undoable metric deletes: the row disappears at once, the request waits a few seconds for
//! an Undo, and anything still waiting is sent when the page is hidden or closed.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use posthog_groups::{ApiError, Metric};
use uuid::Uuid;

use crate::api;
use crate::browser;
use crate::state::connection::Connection;
use crate::state::embed::{Change, Embed};
use crate::state::notice::Notice;

/// How long Undo is offered before the delete is sent.
pub const UNDO_WINDOW: Duration = Duration::from_secs(6);

/// One delete waiting for its undo period.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingDelete {
    /// Identifies this delete (a metric deleted, undone and deleted again gets a new one).
    pub token: Uuid,
    /// Where to send it.
    pub connection: Connection,
    /// The metric's group type.
    pub index: u32,
    /// The metric, to name it and to keep it out of lists meanwhile.
    pub metric: Metric,
}

/// The app's pending deletes, provided once at the root so they outlive the page that
/// started them.
#[derive(Clone, Copy)]
pub struct PendingDeletes {
    list: RwSignal<Vec<PendingDelete>>,
    embed: Embed,
    // Captured at the root: a spawned task has no owner to look contexts up from.
    notice: Notice,
    /// Bumped whenever a delete reached the server (or failed), so lists can refetch.
    pub settled: RwSignal<u64>,
}

impl PendingDeletes {
    /// Provides the pending deletes and sends them if the page is hidden or closed.
    pub fn provide() -> PendingDeletes {
        let pending = PendingDeletes {
            list: RwSignal::new(Vec::new()),
            embed: Embed::expect(),
            notice: Notice::expect(),
            settled: RwSignal::new(0),
        };
        provide_context(pending);
        browser::on_page_hidden(move || pending.flush_keepalive());
        pending
    }

    /// The pending deletes provided at the root.
    pub fn expect() -> PendingDeletes {
        expect_context::<PendingDeletes>()
    }

    /// Everything waiting, oldest first.
    pub fn all(&self) -> Signal<Vec<PendingDelete>> {
        let list = self.list;
        Signal::derive(move || list.get())
    }

    /// True while any delete waits.
    pub fn any(&self) -> Signal<bool> {
        let list = self.list;
        Signal::derive(move || list.with(|l| !l.is_empty()))
    }

    /// `(index, id)` of every metric of the connection's project that lists should not show.
    pub fn hidden_in_project(&self, connection: &Connection) -> Vec<(u32, String)> {
        self.list.with(|l| {
            l.iter()
                .filter(|p| p.connection == *connection)
                .map(|p| (p.index, p.metric.id.clone()))
                .collect()
        })
    }

    /// Hides the metric and sends its delete after [`UNDO_WINDOW`], unless undone.
    pub fn schedule(&self, connection: Connection, index: u32, metric: Metric) {
        let token = Uuid::new_v4();
        self.list.update(|l| {
            l.push(PendingDelete {
                token,
                connection,
                index,
                metric,
            })
        });
        let this = *self;
        set_timeout(move || this.send(token), UNDO_WINDOW);
    }

    /// Cancels a delete that has not been sent.
    pub fn undo(&self, token: Uuid) {
        self.list.update(|l| l.retain(|p| p.token != token));
    }

    fn take(&self, token: Uuid) -> Option<PendingDelete> {
        let mut taken = None;
        self.list.update(|l| {
            if let Some(i) = l.iter().position(|p| p.token == token) {
                taken = Some(l.remove(i));
            }
        });
        taken
    }

    fn send(&self, token: Uuid) {
        // Undone, or already sent by a flush: nothing to do.
        let Some(p) = self.take(token) else { return };
        let this = *self;
        spawn_local(async move {
            let result = api::delete_metric(&p.connection, p.index, &p.metric.id).await;
            match result {
                // Gone already is what the user wanted.
                Ok(()) | Err(ApiError::NotFound { .. }) => this.embed.emit(Change::MetricDeleted {
                    index: p.index,
                    id: p.metric.id.clone(),
                    name: p.metric.name.clone(),
                }),
                Err(e) => this.notice.show(format!(
                    "Could not delete “{}”: {e} It is shown again.",
                    p.metric.name
                )),
            }
            this.settled.update(|n| *n += 1);
        });
    }

    /// Sends everything now with `keepalive`, because the page may be going away.
    pub fn flush_keepalive(&self) {
        let all = self.list.try_update(std::mem::take).unwrap_or_default();
        let (settled, embed) = (self.settled, self.embed);
        for p in all {
            spawn_local(async move {
                api::delete_metric_keepalive(&p.connection, p.index, &p.metric.id).await;
                embed.emit(Change::MetricDeleted {
                    index: p.index,
                    id: p.metric.id.clone(),
                    name: p.metric.name.clone(),
                });
                settled.update(|n| *n += 1);
            });
        }
    }
}
