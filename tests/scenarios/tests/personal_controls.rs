//! Personal controls on one phone: muting and blocking a member, muting words, folding content warnings. They change
//! what that phone shows and counts, nothing any document holds, and the member muted or blocked is not told.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use kindred_core::{Error, ErrorKind, Fold, MemberControl, NewMessage};
use kindred_scenarios::net::sync_all;
use kindred_scenarios::{Phone, group_with};

#[test]
fn muting_blocking_and_muted_words_change_only_what_this_phone_shows() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let all = [&alice, &bob, &carol];
    let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
    let post = |p: &Phone, text: &str, cw: Option<&str>| {
        p.kindred
            .post(&group, NewMessage { text: text.into(), content_warning: cw.map(Into::into), ..Default::default() })
            .unwrap()
            .id
    };
    let carols = post(&carol, "hello all", None);
    sync_all(&all);
    let bobs = post(&bob, "bob was here", None);
    bob.kindred.react(&group, &carols, Some("👍")).unwrap();
    let spoiler = post(&alice, "The finale? SPOILER: they win", None);
    let warned = post(&alice, "about my diagnosis", Some("illness"));
    sync_all(&all);
    let texts = |p: &Phone| p.kindred.messages(&group, 50, None).unwrap().into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert!(texts(&carol).contains(&bobs));
    let unread_before = carol.kindred.unread_count(&group).unwrap();
    let held = carol.holdings(&group);

    // Carol mutes Bob: his posts leave her timeline and her unread count; his reaction still counts.
    carol.kindred.set_member_control(&bob.id(), MemberControl::Muted).unwrap();
    assert!(!texts(&carol).contains(&bobs));
    assert_eq!(carol.kindred.unread_count(&group).unwrap(), unread_before - 1);
    assert_eq!(carol.kindred.message(&group, &carols).unwrap().reactions.len(), 1);
    assert_eq!(carol.kindred.message(&group, &bobs).unwrap().fold, Some(Fold::MutedMember), "asked for by id");
    // Blocked: his reaction is not counted either.
    carol.kindred.set_member_control(&bob.id(), MemberControl::Blocked).unwrap();
    assert!(carol.kindred.message(&group, &carols).unwrap().reactions.is_empty());
    assert_eq!(carol.kindred.muted_members().unwrap()[0].control, MemberControl::Blocked);
    assert!(matches!(
        carol.kindred.set_member_control(&carol.id(), MemberControl::Muted).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));

    // Muted words and content warnings fold a post; the reader chooses.
    assert_eq!(carol.kindred.mute_word("Spoiler", true).unwrap(), ["spoiler"]);
    let fold = |id| carol.kindred.message(&group, id).unwrap().fold;
    assert_eq!(fold(&spoiler), Some(Fold::MutedWord));
    assert_eq!(fold(&warned), Some(Fold::ContentWarning), "folded by default");
    carol.kindred.set_fold_warnings(false).unwrap();
    assert_eq!(fold(&warned), None);
    carol.kindred.mute_word("spoiler", false).unwrap();
    assert_eq!(fold(&spoiler), None);

    // Nothing of it reached a document, or anyone else: Bob and Alice see everything as before.
    assert_eq!(carol.holdings(&group), held, "no document changed");
    sync_all(&all);
    assert!(texts(&alice).contains(&bobs));
    assert_eq!(alice.kindred.message(&group, &carols).unwrap().reactions.len(), 1);
    assert_eq!(bob.kindred.message(&group, &warned).unwrap().fold, Some(Fold::ContentWarning));
    carol.kindred.set_member_control(&bob.id(), MemberControl::None).unwrap();
    assert!(texts(&carol).contains(&bobs));
}
