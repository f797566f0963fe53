//! Which answers a client may keep and for how long. A view seen in the last [`FRESH_MS`] is
//! shown again at once from its last answer (then checked with the server), and any write
//! that may have changed something drops those answers. What a key may do (its own record and
//! the rename probe's answer) is kept for the tab ([`Keep::Tab`]): no write changes it, and a
//! reload need not ask again. Time is passed in, so the rules are tested without a clock.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::request::{self, Method, Request};

/// How long a read's answer may be shown again without waiting for the server.
pub const FRESH_MS: f64 = 30_000.0;

/// An answer nobody has shown yet (read ahead while a screen's code or the app itself was
/// still on its way, or a write's answer) is shown as it is, without asking the server
/// again, when it is at most this old.
pub const ADOPT_MS: f64 = 10_000.0;

/// At most this many answers are kept; the oldest goes first.
pub const CAPACITY: usize = 64;

/// The path of the key's own record.
pub const CURRENT_KEY_PATH: &str = "/api/personal_api_keys/@current/";

/// A kept answer as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// HTTP status.
    pub status: u16,
    /// Body text, decoded again when used.
    pub body: String,
}

/// How long an answer is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// [`FRESH_MS`], and dropped by any write that may have changed data.
    Fresh,
    /// Until the key is forgotten or the tab closes: what the key may do here.
    Tab,
}

/// Whether `req` is the contract's harmless rename probe (`update_metadata` with `[]`).
pub fn is_rename_probe(req: &Request) -> bool {
    req.method == Method::Patch
        && req.path.ends_with("/groups_types/update_metadata/")
        && matches!(&req.body, Some(Value::Array(rows)) if rows.is_empty())
}

/// How long the answer to `req` may be kept; `None` for requests whose answer is never kept
/// (writes).
pub fn keep(req: &Request) -> Option<Keep> {
    if is_rename_probe(req) || (req.method == Method::Get && req.path == CURRENT_KEY_PATH) {
        Some(Keep::Tab)
    } else if is_read(req) {
        Some(Keep::Fresh)
    } else {
        None
    }
}

/// Whether `req` only reads: a GET, or the usage-metrics query, which PostHog sends as a POST
/// but which changes nothing. Reads are shared, retried and kept; a write drops what is kept
/// (a saved metric changes its values, so their answer goes with the others).
pub fn is_read(req: &Request) -> bool {
    req.method == Method::Get || request::is_usage_metrics_query(req)
}

/// Whether an answer with `status` is worth keeping. A fresh read keeps only successes; what
/// the key may do is also told by a refusal (403: a missing scope, or an instance that
/// refuses personal keys; 400: no admin access) or a missing route (404: an older instance
/// without `@current`). A bad key (401), throttling (429) and server trouble are never kept.
pub fn keeps_status(keep: Keep, status: u16) -> bool {
    match keep {
        Keep::Fresh => (200..300).contains(&status),
        Keep::Tab => (200..300).contains(&status) || matches!(status, 400 | 403 | 404),
    }
}

/// Kept answers, by a key naming who asked what (see [`key`]).
#[derive(Debug, Default)]
pub struct ReadCache {
    entries: HashMap<String, (f64, Keep, Entry)>,
    /// The keys of answers no view has shown yet (see [`ReadCache::adopt`]).
    unshown: std::collections::HashSet<String>,
}

/// The cache key of `req` sent to `origin` by the key whose fingerprint is `who`: two keys
/// never share answers, and a request's exact path, query and body tell views apart.
pub fn key(who: u64, origin: &str, req: &Request) -> String {
    let body = req.body.as_ref().map(Value::to_string).unwrap_or_default();
    format!(
        "{who:016x} {} {origin}{} {body}",
        req.method.as_str(),
        req.path_and_query()
    )
}

impl ReadCache {
    /// The answer kept for `key`: a tab-long one, or a fresh one younger than [`FRESH_MS`]
    /// at `now` (ms).
    pub fn get(&self, key: &str, now: f64) -> Option<&Entry> {
        self.entries
            .get(key)
            .filter(|(at, keep, _)| match keep {
                Keep::Tab => true,
                Keep::Fresh => now - at < FRESH_MS && now >= *at,
            })
            .map(|(_, _, e)| e)
    }

    /// The answer kept for `key` when no view has shown it yet and it is at most
    /// [`ADOPT_MS`] old at `now`: it is then as current as a request sent now would be, so
    /// the view shows it without checking. It counts as shown from now on.
    pub fn adopt(&mut self, key: &str, now: f64) -> Option<Entry> {
        let young = self
            .entries
            .get(key)
            .is_some_and(|(at, _, _)| now >= *at && now - at <= ADOPT_MS);
        if !(young && self.unshown.remove(key)) {
            return None;
        }
        self.entries.get(key).map(|(_, _, e)| e.clone())
    }

    /// Marks the answer kept for `key` as shown: a view showing it again checks it first.
    pub fn shown(&mut self, key: &str) {
        self.unshown.remove(key);
    }

    /// Keeps an answer received at `now`, as not yet shown; an answer [`keeps_status`]
    /// rejects is not kept, and drops the one kept before.
    pub fn put(&mut self, key: String, keep: Keep, now: f64, entry: Entry) {
        if !keeps_status(keep, entry.status) {
            self.entries.remove(&key);
            self.unshown.remove(&key);
            return;
        }
        self.entries
            .retain(|_, (at, k, _)| *k == Keep::Tab || now - *at < FRESH_MS);
        if self.entries.len() >= CAPACITY && !self.entries.contains_key(&key) {
            // Fresh answers go first: they are cheap to ask again.
            let oldest = self
                .entries
                .iter()
                .min_by(|a, b| {
                    let rank = |(at, k, _): &(f64, Keep, Entry)| (*k == Keep::Tab, *at);
                    let (ra, rb) = (rank(a.1), rank(b.1));
                    ra.0.cmp(&rb.0).then(ra.1.total_cmp(&rb.1))
                })
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.entries.remove(&k);
            }
        }
        self.unshown.insert(key.clone());
        self.entries.insert(key, (now, keep, entry));
        let entries = &self.entries;
        self.unshown.retain(|k| entries.contains_key(k));
    }

    /// Drops the fresh answers (after a write that may have changed data); what the key may
    /// do stays.
    pub fn drop_fresh(&mut self) {
        self.entries.retain(|_, (_, k, _)| *k == Keep::Tab);
        let entries = &self.entries;
        self.unshown.retain(|k| entries.contains_key(k));
    }

    /// Forgets every answer (the key was forgotten).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.unshown.clear();
    }

    /// The tab-long answers, to store for the tab.
    pub fn tab_entries(&self) -> Vec<(String, Entry)> {
        let mut out: Vec<(String, Entry)> = self
            .entries
            .iter()
            .filter(|(_, (_, k, _))| *k == Keep::Tab)
            .map(|(key, (_, _, e))| (key.clone(), e.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Puts back tab-long answers stored earlier in this tab.
    pub fn restore_tab(&mut self, entries: Vec<(String, Entry)>) {
        for (key, entry) in entries {
            if keeps_status(Keep::Tab, entry.status) {
                self.entries.insert(key, (0.0, Keep::Tab, entry));
            }
        }
    }

    /// How many answers are kept (fresh or not yet swept).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether sending `req` and getting `status` (`None`: no answer, outcome unknown) may have
/// changed the server's data, so that fresh answers must go. Reads never do; a 4xx means the
/// server refused and changed nothing; renaming an empty list (the capability probe) is a
/// no-op by the contract.
pub fn invalidates(req: &Request, status: Option<u16>) -> bool {
    if is_read(req) {
        return false;
    }
    if status.is_some_and(|s| (400..500).contains(&s)) {
        return false;
    }
    !is_rename_probe(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{self, ProjectId};
    use crate::{GroupTypeNames, MetricPatch};

    fn project() -> ProjectId {
        ProjectId::parse("1").expect("project")
    }

    fn ok(body: &str) -> Entry {
        Entry {
            status: 200,
            body: body.into(),
        }
    }

    #[test]
    fn an_answer_is_shown_again_for_thirty_seconds_only() {
        let mut cache = ReadCache::default();
        let k = key(1, "http://h", &request::list_group_types(&project()));
        cache.put(k.clone(), Keep::Fresh, 1_000.0, ok("[]"));
        assert_eq!(cache.get(&k, 1_000.0), Some(&ok("[]")));
        assert_eq!(cache.get(&k, 30_999.0), Some(&ok("[]")));
        assert_eq!(cache.get(&k, 31_000.0), None);
        // A clock that went backwards does not make an answer fresh forever.
        assert_eq!(cache.get(&k, 0.0), None);
    }

    #[test]
    fn an_answer_not_yet_shown_is_adopted_once_while_young() {
        let mut cache = ReadCache::default();
        cache.put("k".into(), Keep::Fresh, 1_000.0, ok("[1]"));
        // Too old to be as good as asking now: the view checks it.
        assert_eq!(cache.adopt("k", 1_000.0 + ADOPT_MS + 1.0), None);
        assert_eq!(cache.adopt("k", 1_000.0 + ADOPT_MS), Some(ok("[1]")));
        // Once shown, a second view checks it with the server.
        assert_eq!(cache.adopt("k", 1_001.0), None);
        assert!(cache.get("k", 1_001.0).is_some());
        // A new answer is unshown again; a view that showed it says so.
        cache.put("k".into(), Keep::Fresh, 2_000.0, ok("[2]"));
        cache.shown("k");
        assert_eq!(cache.adopt("k", 2_001.0), None);
        // A write drops unshown answers with the rest.
        cache.put("k".into(), Keep::Fresh, 3_000.0, ok("[3]"));
        cache.drop_fresh();
        assert_eq!(cache.adopt("k", 3_001.0), None);
        cache.put("k".into(), Keep::Fresh, 4_000.0, ok("[4]"));
        assert_eq!(
            cache.adopt("k", 3_999.0),
            None,
            "an answer from the future is not adopted"
        );
    }

    #[test]
    fn keys_tell_apart_who_asked_and_what() {
        let p = project();
        let page = |offset| key(1, "http://h", &request::list_metrics(&p, 0, 25, offset));
        assert_ne!(page(0), page(25));
        assert_ne!(
            key(1, "http://h", &request::list_group_types(&p)),
            key(2, "http://h", &request::list_group_types(&p))
        );
        assert_ne!(
            key(1, "http://a", &request::list_group_types(&p)),
            key(1, "http://b", &request::list_group_types(&p))
        );
    }

    #[test]
    fn only_successful_answers_are_kept_and_an_error_drops_the_old_one() {
        let mut cache = ReadCache::default();
        cache.put("k".into(), Keep::Fresh, 0.0, ok("[1]"));
        cache.put(
            "k".into(),
            Keep::Fresh,
            1.0,
            Entry {
                status: 500,
                body: "oops".into(),
            },
        );
        assert_eq!(cache.get("k", 2.0), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_stays_bounded_and_drops_the_oldest() {
        let mut cache = ReadCache::default();
        for i in 0..CAPACITY + 10 {
            cache.put(format!("k{i}"), Keep::Fresh, i as f64, ok("{}"));
        }
        assert_eq!(cache.len(), CAPACITY);
        assert!(cache.get("k0", 100.0).is_none());
        assert!(cache.get(&format!("k{}", CAPACITY + 9), 100.0).is_some());
        // Stale answers are swept when a new one arrives.
        cache.put("late".into(), Keep::Fresh, FRESH_MS + 1_000.0, ok("{}"));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn writes_that_may_have_changed_data_invalidate_and_refusals_do_not() {
        let p = project();
        let id = "00000000-0000-0000-0000-000000000000";
        let patch = request::update_metric(&p, 0, id, &MetricPatch::default());
        assert!(!invalidates(&request::list_group_types(&p), Some(200)));
        assert!(invalidates(&patch, Some(200)));
        assert!(invalidates(&patch, Some(500)));
        assert!(invalidates(&patch, None));
        assert!(!invalidates(&patch, Some(404)));
        assert!(!invalidates(&request::delete_group_type(&p, 99), Some(403)));
        assert!(invalidates(&request::delete_metric(&p, 0, id), Some(204)));
        // The contract's probe renames nothing.
        assert!(!invalidates(&request::update_metadata(&p, &[]), Some(200)));
        let row = GroupTypeNames {
            group_type_index: 0,
            name_singular: Some("Org".into()),
            name_plural: None,
        };
        assert!(invalidates(
            &request::update_metadata(&p, &[row]),
            Some(200)
        ));
    }

    #[test]
    fn what_a_key_may_do_is_kept_for_the_tab_and_survives_writes() {
        let p = project();
        let current = request::current_key();
        let probe = request::update_metadata(&p, &[]);
        assert_eq!(keep(&current), Some(Keep::Tab));
        assert_eq!(keep(&probe), Some(Keep::Tab));
        assert_eq!(keep(&request::list_group_types(&p)), Some(Keep::Fresh));
        assert_eq!(keep(&request::delete_group_type(&p, 1)), None);

        let mut cache = ReadCache::default();
        let (kc, kp) = (key(1, "h", &current), key(1, "h", &probe));
        assert_ne!(kc, kp);
        cache.put(kc.clone(), Keep::Tab, 0.0, ok("{\"scopes\":[\"*\"]}"));
        // A refusal says what the key may do, so it is kept too.
        let refused = Entry {
            status: 403,
            body: "{}".into(),
        };
        cache.put(kp.clone(), Keep::Tab, 0.0, refused.clone());
        cache.put("fresh".into(), Keep::Fresh, 0.0, ok("[]"));
        // Long after 30 s, and after a write, both are still there; the fresh one is not.
        assert!(cache.get(&kc, 10.0 * FRESH_MS).is_some());
        cache.drop_fresh();
        assert!(cache.get("fresh", 1.0).is_none());
        assert_eq!(cache.get(&kp, 1.0), Some(&refused));

        // Stored for the tab and put back after a reload.
        let stored = cache.tab_entries();
        assert_eq!(stored.len(), 2);
        let mut reloaded = ReadCache::default();
        reloaded.restore_tab(stored);
        assert!(reloaded.get(&kc, 0.0).is_some());
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn the_usage_metrics_query_is_a_read_though_it_is_a_post() {
        let p = project();
        let group = crate::GroupRef {
            index: 0,
            key: "acme".into(),
        };
        let query = request::usage_metrics(&p, &group);
        assert!(is_read(&query));
        assert_eq!(keep(&query), Some(Keep::Fresh));
        assert!(!invalidates(&query, Some(200)));
        assert!(!invalidates(&query, None));
        // Another group's values are another answer.
        let other = crate::GroupRef {
            index: 0,
            key: "globex".into(),
        };
        assert_ne!(
            key(1, "h", &query),
            key(1, "h", &request::usage_metrics(&p, &other))
        );
        // Any other query kind is not known to be harmless.
        let mut hogql = query.clone();
        hogql.body =
            Some(serde_json::json!({"query": {"kind": "HogQLQuery", "query": "select 1"}}));
        assert!(!is_read(&hogql));
        assert_eq!(keep(&hogql), None);
    }

    #[test]
    fn a_bad_key_or_a_busy_server_is_never_kept_for_the_tab() {
        for status in [401, 429, 500, 503] {
            assert!(!keeps_status(Keep::Tab, status), "{status}");
        }
        for status in [200, 403, 404] {
            assert!(keeps_status(Keep::Tab, status), "{status}");
        }
        assert!(!keeps_status(Keep::Fresh, 404));
    }
}
