//! Messages: post, reply, content warnings, edit, remove, react, paging, unread counts, and every refusal.

mod common;

use kindred_core::limits::{MAX_MESSAGE_CHARS, SEGMENT_CAPACITY};
use kindred_core::{Error, ErrorKind, GroupId, Kindred, MessageId, NewMessage};

#[test]
fn post_reply_and_content_warning_read_back_in_order() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let first = k.post(&g, common::text("Hello, everyone")).unwrap();
    let reply =
        k.post(&g, NewMessage { text: "Welcome!".into(), reply_to: Some(first.id), ..Default::default() }).unwrap();
    let cw = k
        .post(
            &g,
            NewMessage {
                text: "Hard day at the clinic.".into(),
                content_warning: Some("medical".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let page = k.messages(&g, 50, None).unwrap();
    assert_eq!(page.iter().map(|m| m.id).collect::<Vec<_>>(), vec![first.id, reply.id, cw.id]);
    assert_eq!(page[1].reply_to, Some(first.id));
    assert_eq!(page[2].content_warning.as_deref(), Some("medical"));
    assert!(page.iter().all(|m| m.is_mine && m.author_name == "Ada" && !m.removed));
}

#[test]
fn edit_and_remove_own_messages() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let m = k.post(&g, common::text("I slept badly")).unwrap();
    let edited = k.edit_message(&g, &m.id, "I slept badly, but I walked").unwrap();
    assert_eq!(edited.text, "I slept badly, but I walked");
    assert!(edited.edited_at.is_some());

    k.react(&g, &m.id, Some("👍")).unwrap();
    let removed = k.remove_message(&g, &m.id).unwrap();
    assert!(removed.removed);
    assert!(removed.reactions.is_empty(), "a removed message shows nothing of itself");
    assert_eq!(removed.text, "");
    let listed = k.message(&g, &m.id).unwrap();
    assert!(listed.removed && listed.text.is_empty());
    // A removed message cannot be edited, removed again or reacted to.
    assert!(matches!(
        k.edit_message(&g, &m.id, "again").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(k.remove_message(&g, &m.id).as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));
    assert!(matches!(k.react(&g, &m.id, Some("👍")).as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));
}

#[test]
fn removed_text_leaves_the_read_model_and_the_database_file() {
    let (dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let secret = "my-very-identifiable-secret-sentence";
    let m = k.post(&g, common::text(secret)).unwrap();
    k.remove_message(&g, &m.id).unwrap();
    assert!(k.messages(&g, 50, None).unwrap().iter().all(|m| !m.text.contains(secret)));
    drop(k);
    // The read-model row was overwritten (secure_delete). The Automerge history still holds the original change;
    // see schema::segment::write_removal. So the text may appear in document chunks only, never in the read model.
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.message(&g, &m.id).unwrap().text, "");
}

#[test]
fn reactions_one_per_member_changeable_and_clearable() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let m = k.post(&g, common::text("Walked 20 minutes today")).unwrap();
    let r = k.react(&g, &m.id, Some("👍")).unwrap();
    assert_eq!(r.reactions.len(), 1);
    assert_eq!((r.reactions[0].emoji.as_str(), r.reactions[0].count, r.reactions[0].mine), ("👍", 1, true));
    let r = k.react(&g, &m.id, Some("❤️")).unwrap();
    assert_eq!(r.reactions.len(), 1, "changing a reaction replaces it");
    assert_eq!(r.reactions[0].emoji, "❤️");
    let r = k.react(&g, &m.id, None).unwrap();
    assert!(r.reactions.is_empty());
    assert!(k.react(&g, &m.id, Some(&"x".repeat(17))).is_err());
}

#[test]
fn paging_backwards_visits_every_message_once() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let ids = k.post_many(&g, (0..57).map(|i| common::text(&format!("message {i}"))).collect()).unwrap();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = k.messages(&g, 10, before).unwrap();
        if page.is_empty() {
            break;
        }
        before = Some(page[0].cursor());
        seen.splice(0..0, page.into_iter().map(|m| m.id));
    }
    let mut expected = ids.clone();
    expected.sort();
    let mut got = seen.clone();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(seen.len(), 57);
    assert!(k.messages(&g, 0, None).is_err());
    assert!(k.messages(&g, 501, None).is_err());
}

#[test]
fn history_spills_into_a_new_segment_and_stays_readable() {
    let (dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let total = SEGMENT_CAPACITY as usize + 25;
    let ids = k.post_many(&g, (0..total).map(|i| common::text(&format!("line {i}"))).collect()).unwrap();
    assert_eq!(ids.len(), total);
    // A message in the first segment can still be edited after the group moved on.
    k.edit_message(&g, &ids[3], "edited in segment zero").unwrap();
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.message(&g, &ids[3]).unwrap().text, "edited in segment zero");
    let latest = k.messages(&g, 30, None).unwrap();
    assert_eq!(latest.last().unwrap().id, *ids.last().unwrap());
    let new = k.post(&g, common::text("after reopen")).unwrap();
    assert_eq!(k.messages(&g, 1, None).unwrap()[0].id, new.id);
}

#[test]
fn unread_counts_others_messages_until_marked_read() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    k.post(&g, common::text("mine")).unwrap();
    // Own messages are never unread.
    assert_eq!(k.unread_count(&g).unwrap(), 0);
    k.mark_read(&g).unwrap();
    assert_eq!(k.groups().unwrap()[0].unread_count, 0);
}

#[test]
fn bad_input_gets_typed_errors_and_changes_nothing() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    assert!(matches!(
        k.post(&g, common::text("   ")).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { field: "message text", .. })
    ));
    assert!(matches!(
        k.post(&g, common::text(&"a".repeat(MAX_MESSAGE_CHARS + 1))).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(matches!(
        k.post(&g, common::text("nul \u{0} inside")).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    let unknown_group = GroupId::from_bytes([42; 16]);
    assert!(matches!(
        k.post(&unknown_group, common::text("hi")).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { kind: "group", .. })
    ));
    let unknown_msg = MessageId::from_bytes([7; 16]);
    let reply = NewMessage { text: "re".into(), reply_to: Some(unknown_msg), ..Default::default() };
    assert!(matches!(k.post(&g, reply).as_ref().map_err(Error::kind), Err(ErrorKind::NotFound { .. })));
    assert!(matches!(
        k.edit_message(&g, &unknown_msg, "x").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!(matches!(
        k.react(&g, &unknown_msg, Some("👍")).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!(matches!(k.message(&g, &unknown_msg).as_ref().map_err(Error::kind), Err(ErrorKind::NotFound { .. })));
    // post_many is all or nothing.
    assert!(k.post_many(&g, vec![common::text("fine"), common::text("")]).is_err());
    assert!(k.messages(&g, 50, None).unwrap().is_empty());
    // And the profile still works.
    k.post(&g, common::text("still fine")).unwrap();
}

#[test]
fn messages_resolve_by_unique_prefix() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let m = k.post(&g, common::text("find me")).unwrap();
    let hex = m.id.to_hex();
    assert_eq!(k.resolve_message(&g, &hex[..8]).unwrap(), m.id);
    assert_eq!(k.resolve_message(&g, &hex.to_uppercase()).unwrap(), m.id);
    assert!(matches!(k.resolve_message(&g, "abc").as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. })));
    assert!(matches!(
        k.resolve_message(&g, "zzzzzz").as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
}

#[test]
fn posts_survive_reopen() {
    let (dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    for i in 0..20 {
        k.post(&g, common::text(&format!("durable {i}"))).unwrap();
    }
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.messages(&g, 50, None).unwrap().len(), 20);
}
