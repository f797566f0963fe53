//! Undoable metric deletes: the row disappears at once, the request waits for an Undo, and
//! anything still waiting is sent when the page is hidden or closed.
//!
//! Undo rather than a confirmation: pruning a long list stays one key press per metric, and
//! nothing is sent while Undo is offered. So that the time limit never hurries anyone
//! (WCAG 2.2.1), Undo is focused and announced at once and offered for [`UNDO_WINDOW`];
//! tabbing around never ends it. The clock stops while the user puts focus on an Undo
//! button themselves, and leaving the buttons always leaves at least [`AFTER_HOLD`].

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use posthog_groups::merge::metric_changes;
use posthog_groups::{ApiError, Metric, MetricDraft};
use uuid::Uuid;

use crate::api;
use crate::browser;
use crate::state::connection::Connection;
use crate::state::embed::{Change, Embed};
use crate::state::notice::Notice;

/// How long Undo is offered before the delete is sent.
pub const UNDO_WINDOW: Duration = Duration::from_secs(10);

/// The time Undo is still offered after focus leaves the Undo buttons.
pub const AFTER_HOLD: Duration = Duration::from_secs(10);

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
    /// When it is sent (`Date.now()` milliseconds), unless held or undone.
    pub due: f64,
    /// Set when the metric changed since it was shown: what changed. Such a delete waits
    /// until the user asks again ("Delete anyway") or keeps the metric.
    pub changed: Option<String>,
}

impl PendingDelete {
    /// The id of its Undo button, to focus it.
    pub fn undo_id(&self) -> String {
        format!("undo-{}", self.token)
    }

    /// The id of its "Delete anyway" button, shown once it changed.
    pub fn confirm_id(&self) -> String {
        format!("confirm-{}", self.token)
    }
}

/// The app's pending deletes, provided once at the root so they outlive the page that
/// started them.
#[derive(Clone, Copy)]
pub struct PendingDeletes {
    list: RwSignal<Vec<PendingDelete>>,
    embed: Embed,
    // Captured at the root: a spawned task has no owner to look contexts up from.
    notice: Notice,
    /// True while the user holds focus on an Undo button: nothing is sent meanwhile.
    held: RwSignal<bool>,
    /// True while the app itself moves focus to an Undo (that does not hold the clock).
    placing: RwSignal<bool>,
}

impl PendingDeletes {
    /// Provides the pending deletes and sends them if the page is hidden or closed.
    pub fn provide() -> PendingDeletes {
        let pending = PendingDeletes {
            list: RwSignal::new(Vec::new()),
            embed: Embed::expect(),
            notice: Notice::expect(),
            held: RwSignal::new(false),
            placing: RwSignal::new(false),
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

    /// Hides the metric, announces the delete and focuses its Undo; the request goes after
    /// [`UNDO_WINDOW`] unless undone.
    pub fn schedule(&self, connection: Connection, index: u32, metric: Metric) {
        let token = Uuid::new_v4();
        let seconds = UNDO_WINDOW.as_secs();
        self.notice.show(format!(
            "Deleted the metric “{}”. Undo is offered for {seconds} seconds.",
            metric.name
        ));
        let delete = PendingDelete {
            token,
            connection,
            index,
            metric,
            due: browser::now_ms() + UNDO_WINDOW.as_millis() as f64,
            changed: None,
        };
        let (this, undo_id) = (*self, delete.undo_id());
        // Once the bar has rendered it; `focusin` fires during `focus`, so `placing` is
        // seen by the bar's handler.
        set_timeout(
            move || {
                this.placing.set(true);
                browser::focus_id(&undo_id);
                this.placing.set(false);
            },
            Duration::ZERO,
        );
        self.list.update(|l| l.push(delete));
        set_timeout(move || this.tick(token), UNDO_WINDOW);
    }

    /// Cancels a delete that has not been sent; returns it (to focus its row again).
    pub fn undo(&self, token: Uuid) -> Option<PendingDelete> {
        let undone = self.take(token);
        if let Some(p) = &undone {
            self.notice
                .show(format!("Restored the metric “{}”.", p.metric.name));
        }
        undone
    }

    /// The user asks again for a delete whose metric changed: it is sent now, checked
    /// against the version the bar showed.
    pub fn confirm(&self, token: Uuid) {
        self.send(token);
    }

    /// Focus arrived on an Undo: the user's own move holds every delete.
    pub fn focus_entered(&self) {
        if !self.placing.get_untracked() {
            self.hold(true);
        }
    }

    /// Holds every delete (`true`); on release (`false`), each has at least
    /// [`AFTER_HOLD`] left.
    pub fn hold(&self, held: bool) {
        self.held.set(held);
        if !held {
            let least = browser::now_ms() + AFTER_HOLD.as_millis() as f64;
            self.list.update(|l| {
                for p in l.iter_mut() {
                    p.due = p.due.max(least);
                }
            });
        }
    }

    /// Sends the delete when it is due and not held; otherwise looks again later.
    fn tick(&self, token: Uuid) {
        let Some(due) = self
            .list
            .with_untracked(|l| l.iter().find(|p| p.token == token).map(|p| p.due))
        else {
            return; // undone, or sent by a flush
        };
        let left = due - browser::now_ms();
        if self.held.get_untracked() || left > 0.0 {
            let this = *self;
            let wait = Duration::from_millis(left.clamp(1000.0, 60_000.0) as u64);
            set_timeout(move || this.tick(token), wait);
        } else {
            self.send(token);
        }
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

    /// Reads the metric again, then deletes it if it is as it was shown. If it changed
    /// meanwhile, nothing is sent: the bar says what changed and asks again.
    fn send(&self, token: Uuid) {
        // Undone, or already sent by a flush: nothing to do.
        let Some(p) = self.take(token) else { return };
        let this = *self;
        spawn_local(async move {
            let (conn, index, id) = (&p.connection, p.index, p.metric.id.as_str());
            let result = match api::get_metric_now(conn, index, id).await {
                Ok(now) if MetricDraft::from(&now) != MetricDraft::from(&p.metric) => {
                    let changed = metric_changes(&(&p.metric).into(), &(&now).into()).join("; ");
                    this.notice.show(format!(
                        "Not deleted: “{}” changed since it was shown ({changed}). Delete it anyway, or keep it.",
                        now.name
                    ));
                    let asked = PendingDelete {
                        metric: now,
                        changed: Some(changed),
                        due: f64::INFINITY,
                        ..p
                    };
                    browser::focus_id_after_render(asked.confirm_id());
                    this.list.update(|l| l.push(asked));
                    return;
                }
                Ok(_) => api::delete_metric(conn, index, id).await,
                Err(e) => Err(e),
            };
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
        });
    }

    /// Sends everything now with `keepalive`, because the page may be going away.
    /// A delete waiting to be asked again stays: the user has not said yes to what changed.
    pub fn flush_keepalive(&self) {
        let all = self
            .list
            .try_update(|l| {
                let (asked, due): (Vec<_>, Vec<_>) = std::mem::take(l)
                    .into_iter()
                    .partition(|p| p.changed.is_some());
                *l = asked;
                due
            })
            .unwrap_or_default();
        let embed = self.embed;
        // The lists read again once, when the last of these deletes has ended.
        let batch = std::rc::Rc::new(api::read::batch());
        for p in all {
            let batch = batch.clone();
            spawn_local(async move {
                api::delete_metric_keepalive(&p.connection, p.index, &p.metric.id).await;
                embed.emit(Change::MetricDeleted {
                    index: p.index,
                    id: p.metric.id.clone(),
                    name: p.metric.name.clone(),
                });
                drop(batch);
            });
        }
    }
}
