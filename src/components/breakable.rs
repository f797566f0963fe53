//! Long data tokens (snake_case event names, warehouse tables, 255-character names without a
//! space) shown so a line may break inside them: after `_`, `.`, `/` or `-` first (a `<wbr>`
//! there, which adds nothing to the text a user copies or a screen reader reads); the CSS
//! (`overflow-wrap: anywhere`) breaks anywhere only when a piece is still too long.

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

/// The text cut after each joint of a long token (`created_dashboard` stays whole when short).
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut token_start = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            token_start = i + c.len_utf8();
            continue;
        }
        if matches!(c, '_' | '.' | '/' | '-') {
            let token_len = text[token_start..]
                .split(char::is_whitespace)
                .next()
                .map_or(0, |t| t.chars().count());
            let end = i + c.len_utf8();
            if token_len > SHORT && end < text.len() {
                out.push(text[start..end].to_owned());
                start = end;
            }
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
        assert_eq!(pieces("Count over paid_bill events"), ["Count over paid_bill events"]);
        assert_eq!(
            pieces("Sum of subscription_renewed_monthly_amount, daily"),
            ["Sum of subscription_", "renewed_", "monthly_", "amount, daily"]
        );
        assert_eq!(pieces("a.b/c-d_e"), ["a.b/c-d_e"]);
        assert_eq!(pieces("x".repeat(30).as_str()), ["x".repeat(30)]);
        assert_eq!(pieces("ends_with_a_joint_at_the_end_"), ["ends_", "with_", "a_", "joint_", "at_", "the_", "end_"]);
        assert_eq!(pieces(""), [""]);
        // The pieces are the text, in order: nothing added, nothing lost.
        let long = "stripe_charges.amount_in_cents/2026-12-06 ok";
        assert_eq!(pieces(long).concat(), long);
    }
}
