//! The host a user types is an origin: https, or http on this machine only.

use posthog_groups::Host;

#[test]
fn cloud_and_self_hosted_https_are_accepted() {
    assert_eq!(
        Host::parse("https://us.posthog.com/").map(|h| h.to_string()),
        Ok("https://us.posthog.com".into())
    );
    assert!(Host::parse("https://eu.posthog.com").is_ok_and(|h| h.is_cloud()));
    assert!(Host::parse(" HTTPS://PostHog.Example.com:8443 ")
        .is_ok_and(|h| h.as_str() == "https://posthog.example.com:8443"));
}

#[test]
fn plain_http_only_on_loopback() {
    assert!(Host::parse("http://localhost:8000").is_ok());
    assert!(Host::parse("http://127.0.0.1:8000").is_ok());
    assert!(Host::parse("http://[::1]:8000").is_ok());
    assert!(Host::parse("http://posthog.example.com").is_err());
}

#[test]
fn paths_credentials_and_junk_are_refused() {
    for bad in [
        "",
        "posthog.example.com",
        "https://h.com/api",
        "https://user:pw@h.com",
        "ftp://h.com",
        "https://h.com:99999",
        "https://h com",
        "https://",
    ] {
        assert!(Host::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn url_appends_the_path() {
    let h = Host::parse("https://eu.posthog.com").expect("host");
    assert_eq!(
        h.url("/api/projects/1/groups_types/"),
        "https://eu.posthog.com/api/projects/1/groups_types/"
    );
}
