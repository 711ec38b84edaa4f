//! How members are named on screen. A display name is whatever its member chose, so two members of a group may go
//! by the same one, by accident or to pass as someone else (a moderator, a friend). Wherever the core shows a name
//! (a message's author, a group's member list) a name that another member of that group also goes by carries a short
//! form of the member's key, the way Matrix clients disambiguate display names: "Amara (1a2b3c4d)". Members with a
//! name of their own see it unchanged.
//!
//! Names are compared after trimming, folding case and collapsing inner whitespace. Look-alike letters from other
//! scripts (a Cyrillic "а" for a Latin "a") are not folded: that needs Unicode's confusables table.

use std::collections::HashSet;

use crate::ids::MemberId;

/// Hex digits of the member key shown after a shared name: 32 bits, so making a key that matches another member's
/// takes billions of key generations.
const KEY_DIGITS: usize = 8;

/// The form two names are compared in.
pub(crate) fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The names (as [`name_key`]s) that more than one member goes by, among `names` (one per member).
pub(crate) fn shared<'a>(names: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut shared = HashSet::new();
    for key in names.into_iter().map(name_key) {
        if !seen.insert(key.clone()) {
            shared.insert(key);
        }
    }
    shared
}

/// How `member`, who chose `name`, is shown in a group whose shared names are `shared`.
pub(crate) fn shown(name: &str, member: &MemberId, shared: &HashSet<String>) -> String {
    let short = member.to_hex().chars().take(KEY_DIGITS).collect::<String>();
    if name.trim().is_empty() {
        format!("member {short}")
    } else if shared.contains(&name_key(name)) {
        format!("{} ({short})", name.trim())
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_two_members_share_get_a_key_suffix() {
        let [amara, mal, bo] = [1u8, 2, 3].map(|b| MemberId::from_bytes([b; 32]));
        let taken = shared(["Amara", "  amara ", "Bo"]);
        assert_eq!(shown("Amara", &amara, &taken), "Amara (01010101)");
        assert_eq!(shown("  amara ", &mal, &taken), "amara (02020202)");
        assert_eq!(shown("Bo", &bo, &taken), "Bo");
        assert_eq!(shown("", &bo, &taken), "member 03030303");
        assert_eq!(name_key(" Big \t  Sky "), "big sky");
        assert!(shared(["Ana", "Anna", "ANA"]).contains("ana") && !shared(["Ana", "Anna"]).contains("ana"));
    }
}
