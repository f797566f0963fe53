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

/// Issue 25: `http://127.attacker.example` passed as loopback (any name starting `127.`),
/// and the key went over plain http to a public name. Loopback is `localhost`, 127.0.0.0/8
/// as four decimal numbers, or `[::1]`: nothing else.
#[test]
fn loopback_is_exactly_localhost_127_slash_8_and_ipv6_one() {
    for good in [
        "http://localhost",
        "http://localhost:8066",
        "http://127.0.0.1:8066",
        "http://127.255.0.9",
        "http://[::1]:8066",
    ] {
        assert!(Host::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "http://127.attacker.example:8066",
        "http://127.0.0.1.nip.io:8066",
        "http://127.0.0.1.",
        "http://0x7f.0.0.1",
        "http://0x7f000001",
        "http://0177.0.0.1",
        "http://2130706433",
        "http://127.1",
        "http://127.0.0.256",
        "http://127.00.0.1",
        "http://localhost.",
        "http://localhost.attacker.example",
        "http://app.localhost",
        "http://[::ffff:127.0.0.1]",
        "http://[0:0:0:0:0:0:0:1]",
        "http://128.0.0.1",
    ] {
        assert!(Host::parse(bad).is_err(), "{bad}");
    }
    // The same names are fine over https: only plain http is limited to this machine.
    assert!(Host::parse("https://127.attacker.example").is_ok());
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
