//! The group combobox's rules, apart from the browser: which option the arrow keys make
//! active, and what the status line under the box says.

/// The option after (`down`) or before the active one among `len`, wrapping round as the
/// WAI-ARIA combobox pattern allows; from none, down starts at the first and up at the last.
pub fn step(active: Option<usize>, len: usize, down: bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match (active, down) {
        (None, true) => 0,
        (None, false) => len - 1,
        (Some(i), true) => (i + 1) % len,
        (Some(i), false) => (i + len - 1) % len,
    })
}

/// Where a search stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Search {
    /// Nothing asked yet.
    Idle,
    /// Waiting for the server.
    Loading,
    /// Answered: how many groups are listed and whether more can be loaded.
    Done {
        /// Groups listed so far.
        shown: usize,
        /// The server has a next page.
        more: bool,
    },
    /// The server refused or could not be reached; the text says why.
    Failed(String),
}

/// The status line: what a person (and a screen reader, politely) needs to know next.
/// `singular`/`plural` name the group type; `text` is what was searched for.
pub fn status(search: &Search, text: &str, singular: &str, plural: &str) -> String {
    let text = text.trim();
    match search {
        Search::Idle => format!("Type a name or key, or press the down arrow to list {plural}."),
        Search::Loading => "Searching…".into(),
        Search::Done { shown: 0, .. } if text.is_empty() => {
            format!("No {plural} yet: PostHog lists a group once an event carries it.")
        }
        Search::Done { shown: 0, .. } => format!("No {singular} matches “{text}”."),
        Search::Done { shown, more } => {
            let what = if *shown == 1 { singular } else { plural };
            let more = if *more {
                ", more with “More results”"
            } else {
                ""
            };
            format!("{shown} {what} listed{more}. Use the arrow keys, then Enter to choose.")
        }
        Search::Failed(why) => format!("The groups could not be listed: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_wrap_and_start_at_either_end() {
        assert_eq!(step(None, 3, true), Some(0));
        assert_eq!(step(None, 3, false), Some(2));
        assert_eq!(step(Some(2), 3, true), Some(0));
        assert_eq!(step(Some(0), 3, false), Some(2));
        assert_eq!(step(Some(1), 3, true), Some(2));
        assert_eq!(step(Some(0), 0, true), None);
    }

    #[test]
    fn the_status_says_what_to_do_next() {
        let s = |search: &Search, text: &str| status(search, text, "Organization", "Organizations");
        assert!(s(&Search::Idle, "").contains("down arrow"));
        assert_eq!(s(&Search::Loading, "ac"), "Searching…");
        assert_eq!(
            s(
                &Search::Done {
                    shown: 0,
                    more: false
                },
                " "
            ),
            "No Organizations yet: PostHog lists a group once an event carries it."
        );
        assert_eq!(
            s(
                &Search::Done {
                    shown: 0,
                    more: false
                },
                "zz"
            ),
            "No Organization matches “zz”."
        );
        assert_eq!(
            s(
                &Search::Done {
                    shown: 1,
                    more: false
                },
                "ac"
            ),
            "1 Organization listed. Use the arrow keys, then Enter to choose."
        );
        assert_eq!(
            s(&Search::Done { shown: 100, more: true }, ""),
            "100 Organizations listed, more with “More results”. Use the arrow keys, then Enter to choose."
        );
        assert!(s(&Search::Failed("x".into()), "").ends_with(": x"));
    }
}
