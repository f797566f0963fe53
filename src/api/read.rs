//! The read layer: every request the app sends goes through [`send`], and this module alone
//! decides what is kept, shared, checked and adopted.
//!
//! - Reads are keyed on the connection (host and key fingerprint) and the request.
//! - Identical reads in flight at once are sent once ([`Flight`]); a read nobody waits for
//!   any more is aborted.
//! - Answers are kept for 30 s ([`cache::FRESH_MS`]); what the key may do is kept for the tab.
//! - A view that shows a kept answer checks it with the server ([`fresh`]), unless nobody has
//!   shown it yet and it is only seconds old: a read sent ahead (by the start-up script in
//!   `index.html`, by a route whose code is still loading, by the connect screen) or a
//!   write's answer is adopted as it is ([`cache::ReadCache::adopt`]).
//! - A write that may have changed data drops the kept answers; one the server confirmed
//!   tells the views that track [`writes`] to read again.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::{
    ArcRwSignal, Get, GetValue, LocalResource, Memo, Set, SetValue, StoredValue, Track, Update,
    UpdateValue, WithUntracked,
};
use posthog_groups::cache::{self, Entry, Keep, ReadCache};
use posthog_groups::{ApiError, Connection, Host, Request};

use super::fetch::{self, Answer, Cancel, Waiter};
use crate::browser::{self, StorageArea};

/// A read in flight, shared by everyone who asks for the same thing meanwhile.
#[derive(Clone)]
struct Flight {
    answer: Shared<LocalBoxFuture<'static, Answer>>,
    cancel: Rc<Cancel>,
    waiters: Rc<Cell<usize>>,
}

thread_local! {
    static FLIGHTS: RefCell<HashMap<String, Flight>> = RefCell::new(HashMap::new());
    static READS: RefCell<ReadCache> = RefCell::new(ReadCache::default());
    // Bumped whenever kept answers are dropped: a read that started before may not keep its
    // (possibly older) answer.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    // Told to the views when a write may have changed the server's data.
    static WRITES: ArcRwSignal<u64> = ArcRwSignal::new(0);
    // Open batches of writes (see [`batch`]), and whether one of them wrote.
    static BATCH: Cell<(usize, bool)> = const { Cell::new((0, false)) };
    // Whether tab-long answers go to sessionStorage: only while the key itself is stored
    // beyond memory (a key kept in memory only leaves nothing behind).
    static STORE_TAB: Cell<bool> = const { Cell::new(false) };
    // The host and key fingerprint whose reads the start-up script may have sent ahead: the
    // kept key, once the app has checked its host as the script did.
    static EARLY: RefCell<Option<(Host, u64)>> = const { RefCell::new(None) };
    // The group type lists seen last, by connection: names for screens that show a type
    // but do not read the list (kept past the 30 s, never shown as the list itself).
    static NAMES: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
    static NAMES_SEEN: ArcRwSignal<u64> = ArcRwSignal::new(0);
    // The last write another tab of this origin told of.
    static OTHER_TAB: ArcRwSignal<Option<OtherTabWrite>> = ArcRwSignal::new(None);
}

/// The BroadcastChannel on which a tab tells the others of this origin of each write the
/// server confirmed: host, method and path, never a key or a body.
const CHANGES_CHANNEL: &str = "groups-console.changes";

/// A write another tab of this browser sent and the server confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherTabWrite {
    /// The host it went to, as [`Host`]'s text.
    pub host: String,
    /// `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: String,
    /// The request's path (`/api/projects/1/groups_types/0/metrics/<id>/`).
    pub path: String,
    /// Counts the messages, so the same write told twice is still news.
    pub seq: u64,
}

impl OtherTabWrite {
    /// Whether it changed what `req` reads on `conn`'s host.
    pub fn touches(&self, conn: &Connection, req: &Request) -> bool {
        self.host == conn.host.to_string() && self.path == req.path
    }
}

/// The last write another tab told of (tracked): a view showing what it may have changed
/// says so; the lists already read again through [`writes`].
pub fn other_tab_writes() -> ArcRwSignal<Option<OtherTabWrite>> {
    OTHER_TAB.with(Clone::clone)
}

/// The writes other tabs tell of from now on (tracked): `None` until the first one after
/// the calling view was built, so a view never acts on a write it already read past.
pub fn other_tab_writes_from_now() -> Memo<Option<OtherTabWrite>> {
    let other = other_tab_writes();
    let seen = other.with_untracked(|w| w.as_ref().map(|w| w.seq));
    Memo::new(move |_| other.get().filter(|w| Some(w.seq) != seen))
}

/// Listens, for the life of the page, to the writes other tabs tell of: what was kept is
/// dropped and the views read again, as after a write of this tab's own. Only reads follow:
/// nothing is ever written because another tab did.
pub fn listen_to_other_tabs() {
    browser::on_broadcast(CHANGES_CHANNEL, |text| {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            return;
        };
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let (Some(from), Some(host), Some(method), Some(path)) =
            (field("from"), field("host"), field("method"), field("path"))
        else {
            return;
        };
        // A channel also delivers to the page's own other channel objects: a page must not
        // take its own write for another tab's.
        if from == browser::page_id() {
            return;
        }
        forget_reads();
        tell_views();
        let seq = OTHER_TAB.with(|o| o.with_untracked(|w| w.as_ref().map_or(0, |w| w.seq + 1)));
        other_tab_writes().set(Some(OtherTabWrite {
            host,
            method,
            path,
            seq,
        }));
    });
}

/// Tells the other tabs of this origin of a write the server confirmed.
fn tell_other_tabs(conn: &Connection, req: &Request) {
    let message = serde_json::json!({
        "from": browser::page_id(),
        "host": conn.host.to_string(),
        "method": req.method.as_str(),
        "path": req.path,
    });
    browser::broadcast(CHANGES_CHANNEL, &message.to_string());
}

/// Where the tab-long answers are stored, so that a reload need not ask again.
const TAB_STORE: &str = "groups-console.learned";

/// Changes after every write the server confirmed (once per [`batch`]):
/// a view that shows data another screen's writes can change tracks it and reads again.
pub fn writes() -> ArcRwSignal<u64> {
    WRITES.with(Clone::clone)
}

/// Holds back [`writes`] while a flow sends several writes in a row (a move, an import, the
/// deletes flushed at once): views read again once, when the last batch ends.
pub struct Batch(());

/// Starts a [`Batch`]; it ends when dropped.
pub fn batch() -> Batch {
    BATCH.with(|b| b.set((b.get().0 + 1, b.get().1)));
    Batch(())
}

impl Drop for Batch {
    fn drop(&mut self) {
        let (open, wrote) = BATCH.with(Cell::get);
        let open = open.saturating_sub(1);
        BATCH.with(|b| b.set((open, wrote && open > 0)));
        if open == 0 && wrote {
            writes().update(|n| *n += 1);
        }
    }
}

fn tell_views() {
    let (open, _) = BATCH.with(Cell::get);
    if open > 0 {
        BATCH.with(|b| b.set((open, true)));
    } else {
        writes().update(|n| *n += 1);
    }
}

/// Drops the fresh answers, and lets no read already in flight keep or share its answer: a
/// write may have changed what they return. What the key may do is kept.
fn forget_reads() {
    READS.with(|r| r.borrow_mut().drop_fresh());
    GENERATION.with(|g| g.set(g.get() + 1));
    // Reads already in flight still answer whoever waits for them, but nobody new joins.
    FLIGHTS.with(|f| f.borrow_mut().clear());
}

/// Drops every kept answer, in memory and in this tab's storage, and any read sent ahead:
/// the key was forgotten, and nothing it read stays.
pub fn forget_everything() {
    READS.with(|r| r.borrow_mut().clear());
    NAMES.with(|n| n.borrow_mut().clear());
    forget_reads();
    EARLY.with(|e| e.replace(None));
    browser::early::drop_reads();
    STORE_TAB.with(|s| s.set(false));
    browser::storage_remove(StorageArea::Session, TAB_STORE);
}

/// Keeps what the key may do in this tab's storage from now on (`true`), or in memory only,
/// and writes what is known now.
pub fn store_for_tab(on: bool) {
    STORE_TAB.with(|s| s.set(on));
    if on {
        save_tab();
    } else {
        browser::storage_remove(StorageArea::Session, TAB_STORE);
    }
}

/// Puts back what an earlier page load of this tab learned (at start-up, with the key).
pub fn restore_tab() {
    let stored = browser::storage_get(StorageArea::Session, TAB_STORE)
        .and_then(|text| serde_json::from_str::<Vec<(String, Entry)>>(&text).ok());
    if let Some(entries) = stored {
        READS.with(|r| r.borrow_mut().restore_tab(entries));
    }
}

/// Takes up the reads the start-up script sent ahead with the kept key for `host` (the app
/// has just checked that host as the script did); any other connection's reads are sent
/// as usual, and with no kept key the script sent nothing.
pub fn adopt_early_reads(host: &Host, fingerprint: u64) {
    if browser::early::reads_host().as_deref() != Some(host.as_str()) {
        browser::early::drop_reads();
        return;
    }
    EARLY.with(|e| e.replace(Some((host.clone(), fingerprint))));
    // The screen asks for them at once; one it never asked for (the user went elsewhere)
    // must not answer a visit minutes later as if it were current.
    leptos::task::spawn_local(async {
        browser::sleep(std::time::Duration::from_millis(cache::ADOPT_MS as u64)).await;
        EARLY.with(|e| e.replace(None));
        browser::early::drop_reads();
    });
}

fn save_tab() {
    if !STORE_TAB.with(Cell::get) {
        return;
    }
    let entries = READS.with(|r| r.borrow().tab_entries());
    if let Ok(text) = serde_json::to_string(&entries) {
        browser::storage_set(StorageArea::Session, TAB_STORE, &text);
    }
}

fn keep_answer(key: String, keep: Keep, names: bool, entry: Entry) {
    if names && cache::keeps_status(keep, entry.status) {
        NAMES.with(|n| n.borrow_mut().insert(key.clone(), entry.clone()));
        NAMES_SEEN.with(|s| s.update(|n| *n += 1));
    }
    READS.with(|r| r.borrow_mut().put(key, keep, browser::now_ms(), entry));
    if keep == Keep::Tab {
        save_tab();
    }
}

fn cache_key(conn: &Connection, req: &Request) -> String {
    cache::key(conn.key.fingerprint(), &conn.host.to_string(), req)
}

/// The answer to the read `req` kept from the last 30 seconds (or for the tab), if any;
/// never sends anything.
pub fn cached(conn: &Connection, req: &Request) -> Option<(u16, String)> {
    let key = cache_key(conn, req);
    READS.with(|r| {
        r.borrow()
            .get(&key, browser::now_ms())
            .map(|e| (e.status, e.body.clone()))
    })
}

/// The group type list seen last for `conn` (the answer to `req`, the list's request),
/// however old, for naming types; tracked, so a view shows the names once they arrive.
pub fn names_seen(conn: &Connection, req: &Request) -> Option<(u16, String)> {
    NAMES_SEEN.with(|s| s.track());
    let key = cache_key(conn, req);
    NAMES.with(|n| n.borrow().get(&key).map(|e| (e.status, e.body.clone())))
}

fn mark_shown(conn: &Connection, req: &Request) {
    let key = cache_key(conn, req);
    READS.with(|r| r.borrow_mut().shown(&key));
}

fn adopt(conn: &Connection, req: &Request) -> Option<(u16, String)> {
    let key = cache_key(conn, req);
    READS.with(|r| {
        r.borrow_mut()
            .adopt(&key, browser::now_ms())
            .map(|e| (e.status, e.body))
    })
}

/// Sends `req` and returns the status and body text.
///
/// - Reads (GET, and the usage-metrics query though it is a POST: see [`cache::is_read`])
///   are retried as [`fetch::read_with_retries`] says, shared with anyone asking for the
///   same read at the same time, and kept for [`cached`].
/// - Writes are sent once, and drop what was kept when they may have changed data.
/// - What the key may do (its record, the rename probe) is answered from the tab's copy
///   when known.
pub async fn send(conn: &Connection, req: &Request) -> Answer {
    let keep = cache::keep(req);
    if keep == Some(Keep::Tab) {
        if let Some(kept) = cached(conn, req) {
            return Ok(kept);
        }
    }
    if !cache::is_read(req) {
        let answer = fetch::write(conn, req).await;
        let status = answer.as_ref().ok().map(|(s, _)| *s);
        if cache::invalidates(req, status) {
            forget_reads();
            // Views read again when the server confirmed a change. After a 5xx or no answer
            // the outcome is unknown: what was kept goes (the next read asks), but a view is
            // not made to read now from a server that is failing (a refused import, say).
            if status.is_some_and(|s| (200..300).contains(&s)) {
                tell_views();
                tell_other_tabs(conn, req);
            }
        }
        if let (Some(keep), Ok((status, body))) = (keep, &answer) {
            let entry = Entry {
                status: *status,
                body: body.clone(),
            };
            keep_answer(cache_key(conn, req), keep, false, entry);
        }
        return answer;
    }
    let key = cache_key(conn, req);
    let flight = FLIGHTS
        .with(|f| f.borrow().get(&key).cloned())
        .unwrap_or_else(|| start_read(conn, req, key.clone(), keep.unwrap_or(Keep::Fresh)));
    let (cancel, stop) = (flight.cancel.clone(), key.clone());
    let waiter = Waiter::join(flight.waiters.clone(), move || {
        cancel.abort();
        FLIGHTS.with(|f| {
            let mut f = f.borrow_mut();
            if f.get(&stop)
                .is_some_and(|fl| Rc::ptr_eq(&fl.cancel, &cancel))
            {
                f.remove(&stop);
            }
        });
    });
    let answer = flight.answer.await;
    waiter.done();
    answer
}

/// Starts a read nobody else is waiting for, and registers it so that others can join. A
/// read the start-up script sent ahead for this connection is taken up instead of sending
/// it again; if it failed (no answer, 5xx, 429), the read is sent as any other would be, so
/// its error is shown the same way.
fn start_read(conn: &Connection, req: &Request, key: String, keep: Keep) -> Flight {
    let cancel = Rc::new(Cancel::default());
    let (conn, req, stop) = (conn.clone(), req.clone(), cancel.clone());
    let done_key = key.clone();
    let generation = GENERATION.with(Cell::get);
    let names = posthog_groups::request::is_group_type_list(&req);
    let early = EARLY
        .with(|e| {
            e.borrow()
                .as_ref()
                .is_some_and(|(h, who)| *h == conn.host && *who == conn.key.fingerprint())
        })
        .then(|| browser::early::take_read(&conn.host.url(&req.path_and_query())))
        .flatten();
    let answer = async move {
        let sent_ahead = match early {
            Some(read) => {
                // In flight like any request: a slow one gets the shell's notice.
                let _slow = fetch::SlowWatch::start();
                read.answer().await
            }
            None => None,
        };
        let answer = match sent_ahead {
            Some((status, body)) if status < 500 && status != 429 => Ok((status, body)),
            _ => fetch::read_with_retries(&conn, &req, &stop).await,
        };
        FLIGHTS.with(|f| {
            let mut f = f.borrow_mut();
            if f.get(&done_key)
                .is_some_and(|fl| Rc::ptr_eq(&fl.cancel, &stop))
            {
                f.remove(&done_key);
            }
        });
        let current = GENERATION.with(Cell::get) == generation;
        if let (Ok((status, body)), true) = (&answer, current) {
            let entry = Entry {
                status: *status,
                body: body.clone(),
            };
            keep_answer(done_key, keep, names, entry);
        }
        answer
    }
    .boxed_local()
    .shared();
    let flight = Flight {
        answer,
        cancel,
        waiters: Rc::new(Cell::new(0)),
    };
    FLIGHTS.with(|f| f.borrow_mut().insert(key, flight.clone()));
    flight
}

/// Sends the read `req` now without waiting for it (a route whose code is still loading, say),
/// so that the view asking for it later joins it in flight or adopts its answer. It belongs
/// to the current reactive owner: leaving that view aborts it, unless a screen joined it.
pub fn prefetch(conn: &Connection, req: Request) {
    if cached(conn, &req).is_some() {
        return;
    }
    let conn = conn.clone();
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let _ = send(&conn, &req).await;
    });
}

/// Keeps `body` (a write's answer) as the answer to the read `req`, not yet shown: the next
/// view of it shows it without asking again.
pub fn offer(conn: &Connection, req: &Request, body: String) {
    let names = posthog_groups::request::is_group_type_list(req);
    let entry = Entry { status: 200, body };
    keep_answer(cache_key(conn, req), Keep::Fresh, names, entry);
}

/// Sends the write `req` with `keepalive`, so that the browser finishes it after the page is
/// gone (see [`fetch::send_keepalive`]); what was kept goes, as after any write.
pub async fn send_keepalive(conn: &Connection, req: &Request) {
    fetch::send_keepalive(conn, req).await;
    forget_reads();
    tell_views();
    tell_other_tabs(conn, req);
}

/// Sends a read, or answers it from the last 30 s when this tab has it, without checking:
/// for answers that are looked at, never edited (a search, the values of a group).
pub async fn recent(conn: &Connection, req: &Request) -> Answer {
    match cached(conn, req) {
        Some(kept) => Ok(kept),
        None => send(conn, req).await,
    }
}

/// Sends a read, or takes its answer when it was read ahead moments ago and nobody has shown
/// it yet: for a view that shows what the server holds now.
pub async fn current(conn: &Connection, req: &Request) -> Answer {
    if let Some(adopted) = adopt(conn, req) {
        return Ok(adopted);
    }
    let answer = send(conn, req).await;
    mark_shown(conn, req);
    answer
}

/// Replaces the value of the resource run that created it, unless the resource has run
/// again since (its inputs changed, or it was refetched).
pub struct Revalidate<T: 'static> {
    resource: StoredValue<Option<LocalResource<T>>>,
    runs: StoredValue<u64>,
    this_run: u64,
}

impl<T: 'static> Clone for Revalidate<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Revalidate<T> {}

impl<T: 'static> Revalidate<T> {
    /// Shows `value` in place of what this run returned. Nothing happens once the view is
    /// gone (the `try_` reads: a disposed value must not panic the app).
    pub fn replace(self, value: T) {
        if self.runs.try_get_value() != Some(self.this_run) {
            return;
        }
        if let Some(Some(r)) = self.resource.try_get_value() {
            let _ = r.try_set(Some(value));
        }
    }
}

/// A resource like `LocalResource::new(load)`, whose loader may replace its value later.
pub fn fresh_resource<T, Fut>(load: impl Fn(Revalidate<T>) -> Fut + 'static) -> LocalResource<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let slot = StoredValue::new(None::<LocalResource<T>>);
    let runs = StoredValue::new(0u64);
    let resource = LocalResource::new(move || {
        runs.update_value(|n| *n += 1);
        load(Revalidate {
            resource: slot,
            runs,
            this_run: runs.get_value(),
        })
    });
    slot.set_value(Some(resource));
    resource
}

/// Sends the read `req` and decodes it; or adopts an answer read ahead that nobody has
/// shown yet; or, when an answer from the last 30 seconds is kept, decodes that at once and
/// checks with the server in the background (one request): if the server's answer differs,
/// `then` receives it.
pub async fn fresh<T: 'static>(
    conn: &Connection,
    req: Request,
    decode: impl Fn(u16, &str) -> Result<T, ApiError> + 'static,
    then: impl FnOnce(Result<T, ApiError>) + 'static,
) -> Result<T, ApiError> {
    if let Some((status, body)) = adopt(conn, &req) {
        return decode(status, &body);
    }
    let Some((status, body)) = cached(conn, &req) else {
        let (status, body) = send(conn, &req).await?;
        mark_shown(conn, &req);
        return decode(status, &body);
    };
    let shown = decode(status, &body);
    let conn = conn.clone();
    // Scoped, and cancelled with the view: leaving it drops the check (and so aborts its
    // request unless another view still waits for the same read).
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let answer = send(&conn, &req).await;
        mark_shown(&conn, &req);
        match answer {
            Ok((s, b)) if s == status && b == body => {}
            Ok((s, b)) => then(decode(s, &b)),
            // The kept answer is at most 30 s old: keep showing it rather than an error the
            // retries could not fix; the next visit asks again.
            Err(_) => {}
        }
    });
    shown
}

/// One input's reads of which only the newest counts (a search box): starting one aborts the
/// one before, whose answer is then never delivered, and leaving the view aborts the last.
#[derive(Clone, Copy)]
pub struct Latest {
    current: StoredValue<Option<futures::future::AbortHandle>>,
}

impl Latest {
    /// A slot for one input's reads, tied to the view that creates it.
    pub fn new() -> Latest {
        let current = StoredValue::new(None::<futures::future::AbortHandle>);
        leptos::prelude::on_cleanup(move || {
            if let Some(h) = current.try_get_value().flatten() {
                h.abort();
            }
        });
        Latest { current }
    }

    /// Runs `read`, then `then` with its answer, unless a newer read was started meanwhile.
    pub fn run<T: 'static>(
        self,
        read: impl Future<Output = T> + 'static,
        then: impl FnOnce(T) + 'static,
    ) {
        if let Some(h) = self.current.get_value() {
            h.abort();
        }
        let (read, handle) = futures::future::abortable(read);
        self.current.set_value(Some(handle));
        leptos::task::spawn_local(async move {
            // An aborted read (a newer one started, or the view went) delivers nothing.
            if let Ok(answer) = read.await {
                then(answer);
            }
        });
    }
}

impl Default for Latest {
    fn default() -> Self {
        Latest::new()
    }
}
