//! A full disk is normal on a low-cost phone, and a peer can cause it. With the database capped at its size (as a
//! full file system would), every read still works, a write or a sync that runs out stops with
//! `ErrorKind::StorageFull`, everything acknowledged is kept, the database stays intact, sync with others goes on, and
//! everything resumes once there is space.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use kindred_core::testing::limit_storage;
use kindred_core::{Error, ErrorKind, NewMessage};
use kindred_scenarios::net::{Ending, Link, connect, sync, sync_all};
use kindred_scenarios::{Phone, group_with};

#[test]
fn on_a_full_disk_reads_work_writes_stop_cleanly_and_everything_resumes() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let g = group_with(&alice, "Circle", &[&bob, &carol]).id;
    alice.say(&g, "welcome");
    sync_all(&[&alice, &bob, &carol]);

    // Bob's phone fills up: he posts until the storage refuses.
    limit_storage(&bob.kindred, Some(4)).unwrap();
    let mut acknowledged = Vec::new();
    let mut full = false;
    for i in 0..5_000 {
        match bob
            .kindred
            .post(&g, NewMessage { text: format!("post {i} while the phone fills up"), ..Default::default() })
            .as_ref()
            .map_err(Error::kind)
        {
            Ok(m) => acknowledged.push(m.id),
            Err(ErrorKind::StorageFull) => {
                full = true;
                break;
            }
            Err(other) => panic!("post {i}: expected StorageFull, got {other:?}"),
        }
    }
    assert!(full, "the capped database never filled");
    eprintln!("{} posts acknowledged before the storage was full", acknowledged.len());
    assert!(matches!(
        bob.kindred.post(&g, NewMessage { text: "again".into(), ..Default::default() }).as_ref().map_err(Error::kind),
        Err(ErrorKind::StorageFull)
    ));

    // Everything reads, with no free space; every acknowledged post is there.
    let shown = bob.view(&g).messages;
    for id in &acknowledged {
        assert!(shown.iter().any(|m| &m.id == id), "an acknowledged post was lost");
    }
    bob.kindred.group(&g).unwrap();
    bob.kindred.groups().unwrap();
    bob.kindred.unread_count(&g).unwrap();
    bob.kindred.goals(true, None).unwrap();
    bob.kindred.export_bundle(&g).unwrap();
    let _ = bob.kindred.profile();
    assert!(matches!(bob.kindred.mark_read(&g).as_ref().map_err(Error::kind), Ok(()) | Err(ErrorKind::StorageFull)));

    // A peer with news cannot push it into the full phone: the session stops with the typed error...
    for i in 0..40 {
        alice.say(&g, &format!("news {i} from alice, with enough words to need a few pages of storage"));
    }
    let outcome = connect(&alice, &bob, Link::default());
    assert!(!outcome.completed());
    assert!(matches!(&outcome.ending, Ending::Failed(e) if e.contains("storage is full")), "{:?}", outcome.ending);
    // ...and honest sync elsewhere goes on.
    sync(&alice, &carol);
    assert!(carol.texts(&g).iter().any(|t| t.contains("news 39")));

    // Space returns: the database is intact, sync resumes and bob posts again.
    limit_storage(&bob.kindred, None).unwrap();
    bob.kindred.check_integrity().unwrap();
    sync(&alice, &bob);
    assert!(bob.texts(&g).iter().any(|t| t.contains("news 39")));
    bob.say(&g, "back again");
    sync_all(&[&alice, &bob, &carol]);
    assert_eq!(alice.view(&g), bob.view(&g));
    assert_eq!(carol.view(&g), bob.view(&g));
}
