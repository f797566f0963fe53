//! The retry policy for reads: what is retried, how long it waits, and when it stops.

use std::time::Duration;

use posthog_groups::retry::RetryPolicy;
use posthog_groups::{ApiError, ErrorBody};

fn policy() -> RetryPolicy {
    RetryPolicy::default()
}

#[test]
fn transient_failures_back_off_exponentially_and_stop() {
    let net = ApiError::Network {
        host: "h".into(),
        host_reachable: None,
    };
    let p = policy();
    assert_eq!(p.delay(1, &net), Some(Duration::from_millis(400)));
    assert_eq!(p.delay(2, &net), Some(Duration::from_millis(800)));
    assert_eq!(p.delay(3, &net), Some(Duration::from_millis(1600)));
    assert_eq!(p.delay(4, &net), None, "four attempts in all");
    let server = ApiError::Server {
        status: 503,
        body: None,
    };
    assert_eq!(p.delay(1, &server), Some(Duration::from_millis(400)));
    assert_eq!(
        p.delay(1, &ApiError::Timeout { seconds: 30 }),
        Some(Duration::from_millis(400))
    );
}

#[test]
fn backoff_is_capped() {
    let p = RetryPolicy {
        max_attempts: 20,
        ..policy()
    };
    let net = ApiError::Network {
        host: "h".into(),
        host_reachable: None,
    };
    assert_eq!(p.delay(19, &net), Some(Duration::from_secs(15)));
}

#[test]
fn throttling_waits_the_seconds_posthog_gives() {
    let p = policy();
    assert_eq!(
        p.delay(
            1,
            &ApiError::Throttled {
                retry_after: Some(12)
            }
        ),
        Some(Duration::from_secs(12))
    );
    assert_eq!(
        p.delay(
            1,
            &ApiError::Throttled {
                retry_after: Some(3600)
            }
        ),
        None,
        "too long: tell the user"
    );
    assert_eq!(
        p.delay(1, &ApiError::Throttled { retry_after: None }),
        Some(Duration::from_millis(400))
    );
}

#[test]
fn answers_that_will_not_change_are_final() {
    let p = policy();
    for e in [
        ApiError::InvalidKey,
        ApiError::MissingKey,
        ApiError::NotFound {
            body: Box::default(),
        },
        ApiError::Validation {
            attr: None,
            detail: "x".into(),
            body: Box::new(ErrorBody::default()),
        },
        ApiError::Decode {
            path: String::new(),
            message: "x".into(),
        },
        ApiError::Aborted,
        ApiError::PersonalKeyNotAllowed,
        ApiError::BlockedByPolicy {
            host: "https://ph.example.com".into(),
        },
    ] {
        assert_eq!(p.delay(1, &e), None, "{e:?}");
    }
}
