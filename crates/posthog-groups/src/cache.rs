//! Which answers a client may keep and for how long: a view seen in the last
//! [`FRESH_MS`] is shown again at once from its last answer (then checked with the server),
//! and any write that may have changed something drops what is kept. Time is passed in, so
//! the rules are tested without a clock.

use std::collections::HashMap;

use serde_json::Value;

use crate::request::{Method, Request};

/// How long a read's answer may be shown again without waiting for the server.
pub const FRESH_MS: f64 = 30_000.0;

/// At most this many answers are kept; the oldest goes first.
pub const CAPACITY: usize = 64;

/// A successful read's answer as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// HTTP status (always 2xx: nothing else is kept).
    pub status: u16,
    /// Body text, decoded again when used.
    pub body: String,
}

/// Answers to reads, by a key naming who asked what (see [`key`]).
#[derive(Debug, Default)]
pub struct ReadCache {
    entries: HashMap<String, (f64, Entry)>,
}

/// The cache key of `req` sent to `origin` by the key whose fingerprint is `who`: two keys
/// never share answers, and a request's exact path and query tell views apart.
pub fn key(who: u64, origin: &str, req: &Request) -> String {
    format!("{who:016x} {origin}{}", req.path_and_query())
}

impl ReadCache {
    /// The answer kept for `key` if it is younger than [`FRESH_MS`] at `now` (ms).
    pub fn get(&self, key: &str, now: f64) -> Option<&Entry> {
        self.entries
            .get(key)
            .filter(|(at, _)| now - at < FRESH_MS && now >= *at)
            .map(|(_, e)| e)
    }

    /// Keeps a read's answer received at `now`; anything but a 2xx answer is not kept.
    pub fn put(&mut self, key: String, now: f64, entry: Entry) {
        if !(200..300).contains(&entry.status) {
            self.entries.remove(&key);
            return;
        }
        self.entries.retain(|_, (at, _)| now - *at < FRESH_MS);
        if self.entries.len() >= CAPACITY && !self.entries.contains_key(&key) {
            let oldest = self
                .entries
                .iter()
                .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.entries.remove(&k);
            }
        }
        self.entries.insert(key, (now, entry));
    }

    /// Forgets every answer.
    pub fn clear(&mut self) {
        self.entries.clear();
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
/// changed the server's data, so that kept answers must go. Reads never do; a 4xx means the
/// server refused and changed nothing; renaming an empty list (the capability probe) is a
/// no-op by the contract.
pub fn invalidates(req: &Request, status: Option<u16>) -> bool {
    if req.method == Method::Get {
        return false;
    }
    if status.is_some_and(|s| (400..500).contains(&s)) {
        return false;
    }
    !matches!(&req.body, Some(Value::Array(rows)) if rows.is_empty())
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
        cache.put(k.clone(), 1_000.0, ok("[]"));
        assert_eq!(cache.get(&k, 1_000.0), Some(&ok("[]")));
        assert_eq!(cache.get(&k, 30_999.0), Some(&ok("[]")));
        assert_eq!(cache.get(&k, 31_000.0), None);
        // A clock that went backwards does not make an answer fresh forever.
        assert_eq!(cache.get(&k, 0.0), None);
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
        cache.put("k".into(), 0.0, ok("[1]"));
        cache.put(
            "k".into(),
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
            cache.put(format!("k{i}"), i as f64, ok("{}"));
        }
        assert_eq!(cache.len(), CAPACITY);
        assert!(cache.get("k0", 100.0).is_none());
        assert!(cache.get(&format!("k{}", CAPACITY + 9), 100.0).is_some());
        // Stale answers are swept when a new one arrives.
        cache.put("late".into(), FRESH_MS + 1_000.0, ok("{}"));
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
}
