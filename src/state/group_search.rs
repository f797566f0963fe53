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

/// What a key pressed in a combobox does (both pickers follow the WAI-ARIA pattern alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    /// Open the list (and list what is typed).
    Open,
    /// Make this option active.
    Activate(Option<usize>),
    /// Choose option `i`.
    Choose(usize),
    /// Close the list.
    Close,
    /// Nothing open to close: the box's own Escape (the group picker clears its text).
    EscapeClosed,
    /// Not the combobox's key.
    Ignore,
}

impl KeyAction {
    /// Whether the browser's default action for the key is to be stopped.
    pub fn handled(self) -> bool {
        !matches!(self, KeyAction::Ignore | KeyAction::EscapeClosed)
    }
}

/// What `key` does with the list `open` (asked for) and `showing` (open with options),
/// `active` among `len` options; Alt with an arrow on a shown list does nothing (the
/// pattern's "show the list" chord).
pub fn on_key(
    key: &str,
    alt: bool,
    open: bool,
    showing: bool,
    active: Option<usize>,
    len: usize,
) -> KeyAction {
    match key {
        "ArrowDown" | "ArrowUp" if !showing => KeyAction::Open,
        "ArrowDown" | "ArrowUp" if alt => KeyAction::Activate(active),
        "ArrowDown" | "ArrowUp" => KeyAction::Activate(step(active, len, key == "ArrowDown")),
        "Enter" => match (showing, active) {
            (true, Some(i)) => KeyAction::Choose(i),
            _ => KeyAction::Ignore,
        },
        "Escape" if open => KeyAction::Close,
        "Escape" => KeyAction::EscapeClosed,
        _ => KeyAction::Ignore,
    }
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
    fn keys_open_move_choose_and_close() {
        assert_eq!(
            on_key("ArrowDown", false, false, false, None, 0),
            KeyAction::Open
        );
        assert_eq!(
            on_key("ArrowUp", false, true, true, Some(0), 3),
            KeyAction::Activate(Some(2))
        );
        assert_eq!(
            on_key("ArrowDown", true, true, true, Some(1), 3),
            KeyAction::Activate(Some(1))
        );
        assert_eq!(
            on_key("Enter", false, true, true, Some(2), 3),
            KeyAction::Choose(2)
        );
        assert_eq!(
            on_key("Enter", false, true, true, None, 3),
            KeyAction::Ignore
        );
        assert_eq!(
            on_key("Enter", false, true, false, Some(2), 3),
            KeyAction::Ignore
        );
        assert_eq!(
            on_key("Escape", false, true, false, None, 0),
            KeyAction::Close
        );
        assert_eq!(
            on_key("Escape", false, false, false, None, 3),
            KeyAction::EscapeClosed
        );
        assert!(!KeyAction::EscapeClosed.handled() && KeyAction::Open.handled());
        assert_eq!(on_key("a", false, true, true, None, 3), KeyAction::Ignore);
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
