//! Views that show a read seen in the last 30 seconds at once and then check it with the
//! server: the resource's first value comes from the kept answer, and a different answer
//! from the server replaces it when it arrives.

use std::future::Future;

use leptos::prelude::{GetValue, LocalResource, Set, SetValue, StoredValue, UpdateValue};
use posthog_groups::{ApiError, Connection, Request};

use super::fetch;

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

/// Sends the read `req` and decodes it, or, when its answer from the last 30 seconds is
/// kept, decodes that at once and checks with the server in the background (one request):
/// if the server's answer differs, `then` receives it.
pub async fn read<T: 'static>(
    conn: &Connection,
    req: Request,
    decode: impl Fn(u16, &str) -> Result<T, ApiError> + 'static,
    then: impl FnOnce(Result<T, ApiError>) + 'static,
) -> Result<T, ApiError> {
    let Some((status, body)) = fetch::cached(conn, &req) else {
        let (status, body) = fetch::send(conn, &req).await?;
        return decode(status, &body);
    };
    let shown = decode(status, &body);
    let conn = conn.clone();
    // Scoped, and cancelled with the view: leaving it drops the check (and so aborts its
    // request unless another view still waits for the same read).
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        match fetch::send(&conn, &req).await {
            Ok((s, b)) if s == status && b == body => {}
            Ok((s, b)) => then(decode(s, &b)),
            // The kept answer is at most 30 s old: keep showing it rather than an error the
            // retries could not fix; the next visit asks again.
            Err(_) => {}
        }
    });
    shown
}
