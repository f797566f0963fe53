//! Long data tokens (snake_case event names, warehouse tables, 255-character names without a
//! space) shown so a line may break inside them: after `_`, `.`, `/` or `-` first, every 20
//! characters of a run without one as the last resort (a `<wbr>` there, which adds nothing to
//! the text a user copies or a screen reader reads). A table cell is then at least as wide as
//! its longest piece, never as its longest token, while a short word is never broken.

use leptos::prelude::*;

/// Tokens up to this long stay whole: they fit the narrowest column a name is given.
const SHORT: usize = 20;

/// `text` with a break opportunity after each `_ . / -` of its long tokens.
pub fn breakable(text: &str) -> AnyView {
    let pieces = pieces(text);
    if pieces.len() == 1 {
        return text.to_owned().into_any();
    }
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| view! { {(i > 0).then(|| view! { <wbr /> })}{piece} })
        .collect_view()
        .into_any()
}

/// The text cut after each joint of a long token, and inside a long run without one every
/// [`SHORT`] characters (the last resort); a short token (`created_dashboard`) stays whole.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut long = false;
    let mut run = 0;
    let mut in_token = false;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if c.is_whitespace() {
            in_token = false;
            continue;
        }
        if !in_token {
            in_token = true;
            run = 0;
            long = text[i..]
                .split(char::is_whitespace)
                .next()
                .is_some_and(|t| t.chars().count() > SHORT);
        }
        run += 1;
        if long && end < text.len() && (matches!(c, '_' | '.' | '/' | '-') || run >= SHORT) {
            out.push(text[start..end].to_owned());
            start = end;
            run = 0;
        }
    }
    out.push(text[start..].to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn long_tokens_break_after_their_joints_and_short_ones_stay_whole() {
        assert_eq!(
            pieces("Count over paid_bill events"),
            ["Count over paid_bill events"]
        );
        assert_eq!(
            pieces("Sum of subscription_renewed_monthly_amount, daily"),
            [
                "Sum of subscription_",
                "renewed_",
                "monthly_",
                "amount, daily"
            ]
        );
        assert_eq!(pieces("a.b/c-d_e"), ["a.b/c-d_e"]);
        // No joint at all: cut every 20 characters, the last resort.
        assert_eq!(
            pieces("x".repeat(45).as_str()),
            ["x".repeat(20), "x".repeat(20), "x".repeat(5)]
        );
        assert_eq!(
            pieces("ends_with_a_joint_at_the_end_"),
            ["ends_", "with_", "a_", "joint_", "at_", "the_", "end_"]
        );
        assert_eq!(pieces(""), [""]);
        // The pieces are the text, in order: nothing added, nothing lost.
        let long = "stripe_charges.amount_in_cents/2026-12-06 ok";
        assert_eq!(pieces(long).concat(), long);
    }
}
