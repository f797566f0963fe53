//! Names for copies and labels for group type pickers. PostHog answers a duplicate metric
//! name with a bare 500, so a copy must pick a free name before anything is sent.

use posthog_groups::validate::MAX_METRIC_NAME;
use posthog_groups::GroupType;

/// `wanted` itself when no metric has that name, else the first free of "`wanted` (copy)",
/// "`wanted` (copy 2)", … Names compare trimmed, as the server's uniqueness check sees them.
/// The base is shortened when needed so the result stays within PostHog's length limit.
pub fn free_name(wanted: &str, taken: &[&str]) -> String {
    let wanted = wanted.trim();
    let is_taken = |name: &str| taken.iter().any(|t| t.trim() == name);
    if !is_taken(wanted) {
        return wanted.to_owned();
    }
    // `taken` has finitely many entries, so one of the first `len + 1` candidates is free.
    (1..=taken.len() + 1)
        .map(|n| {
            let suffix = if n == 1 {
                " (copy)".to_owned()
            } else {
                format!(" (copy {n})")
            };
            let room = MAX_METRIC_NAME.saturating_sub(suffix.chars().count());
            let base: String = wanted.chars().take(room).collect();
            format!("{}{suffix}", base.trim_end())
        })
        .find(|candidate| !is_taken(candidate))
        .unwrap_or_else(|| wanted.to_owned())
}

/// How a group type appears in a picker: the plural name people know, then the key, so two
/// group types with the same display name can still be told apart.
pub fn group_type_label(group_type: &GroupType) -> String {
    format!("{} ({})", group_type.shown_plural(), group_type.group_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_name_is_kept() {
        assert_eq!(free_name("Seats", &["Bills"]), "Seats");
        assert_eq!(free_name("  Seats ", &[]), "Seats");
    }

    #[test]
    fn a_taken_name_gets_the_first_free_copy_suffix() {
        assert_eq!(free_name("Seats", &["Seats"]), "Seats (copy)");
        assert_eq!(
            free_name("Seats", &["Seats", "Seats (copy)", " Seats (copy 2) "]),
            "Seats (copy 3)"
        );
        assert_eq!(
            free_name("Seats", &["Seats", "Seats (copy 2)"]),
            "Seats (copy)"
        );
    }

    #[test]
    fn a_copy_of_a_longest_name_stays_within_the_limit() {
        let long = "x".repeat(MAX_METRIC_NAME);
        let chosen = free_name(&long, &[long.as_str()]);
        assert_eq!(chosen.chars().count(), MAX_METRIC_NAME);
        assert!(chosen.ends_with(" (copy)"));
    }

    #[test]
    fn labels_show_plural_name_and_key() {
        let gt: GroupType = serde_json::from_value(serde_json::json!({
            "group_type": "organization", "group_type_index": 0, "name_plural": "Companies"
        }))
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        assert_eq!(group_type_label(&gt), "Companies (organization)");
    }
}
