//! Live updates: listeners hear about committed changes, may call back in, and stop hearing when unsubscribed.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::Recorder;

use std::sync::{Arc, Mutex};

use kindred_core::{Cadence, CadencePeriod, Kindred, NewCheckin, NewGoal, Update, UpdateListener};

#[test]
fn listeners_hear_each_kind_of_change_once_committed() {
    let (_dir, k) = common::profile("Ada");
    let rec = Arc::new(Recorder::default());
    let _sub = k.subscribe(rec.clone());

    let g = common::group(&k, "Circle").id;
    assert!(rec.take().contains(&Update::Group { group_id: g }));

    let m = k.post(&g, common::text("hello")).unwrap();
    assert_eq!(rec.take(), vec![Update::Messages { group_id: g, message_ids: vec![m.id] }]);

    let ids = k.post_many(&g, vec![common::text("a"), common::text("b")]).unwrap();
    assert_eq!(rec.take(), vec![Update::Messages { group_id: g, message_ids: ids }], "a batch is one update");

    k.react(&g, &m.id, Some("👍")).unwrap();
    assert_eq!(rec.take(), vec![Update::Messages { group_id: g, message_ids: vec![m.id] }]);

    k.create_goal(NewGoal { title: "Walk".into(), cadence: Cadence::new(3, CadencePeriod::Week), share_with: None })
        .unwrap();
    assert_eq!(rec.take(), vec![Update::Goals { group_id: None }]);

    k.record_checkin(NewCheckin { mood: 4, ..Default::default() }).unwrap();
    assert_eq!(rec.take(), vec![Update::Checkins]);

    k.mark_read(&g).unwrap();
    assert_eq!(rec.take(), vec![Update::ReadMarker { group_id: g }]);

    // Personal controls change what every group shows on this phone.
    k.mute_word("spoiler", true).unwrap();
    assert_eq!(rec.take(), vec![Update::Group { group_id: g }]);
    k.set_member_control(&kindred_core::MemberId::from_bytes([7; 32]), kindred_core::MemberControl::Muted).unwrap();
    assert_eq!(rec.take(), vec![Update::Group { group_id: g }]);
    k.set_fold_warnings(false).unwrap();
    assert_eq!(rec.take(), vec![Update::Group { group_id: g }]);

    // A failed write tells nobody anything.
    assert!(k.post(&g, common::text("")).is_err());
    assert!(rec.take().is_empty());
}

#[test]
fn dropping_the_subscription_unregisters() {
    let (_dir, k) = common::profile("Ada");
    let rec = Arc::new(Recorder::default());
    let sub = k.subscribe(rec.clone());
    common::group(&k, "One");
    assert!(!rec.take().is_empty());
    drop(sub);
    common::group(&k, "Two");
    assert!(rec.take().is_empty());
}

struct ReadsBack {
    kindred: Arc<Kindred>,
    seen: Mutex<Vec<String>>,
}

impl UpdateListener for ReadsBack {
    fn on_update(&self, update: &Update) {
        if let Update::Messages { group_id, .. } = update {
            // Calling back into the profile from a listener must not deadlock.
            let latest = self.kindred.messages(group_id, 1, None).unwrap();
            self.seen.lock().unwrap().push(latest[0].text.clone());
        }
    }
}

struct Panics;
impl UpdateListener for Panics {
    fn on_update(&self, _: &Update) {
        panic!("a buggy listener");
    }
}

#[test]
fn listeners_may_read_back_and_a_panicking_one_breaks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(Kindred::create(dir.path(), "Ada").unwrap());
    let _bad = k.subscribe(Arc::new(Panics));
    let reader = Arc::new(ReadsBack { kindred: k.clone(), seen: Mutex::new(Vec::new()) });
    let _good = k.subscribe(reader.clone());
    let g = common::group(&k, "Circle").id;
    k.post(&g, common::text("visible to the listener")).unwrap();
    assert_eq!(*reader.seen.lock().unwrap(), vec!["visible to the listener".to_string()]);
    // The write itself succeeded and the profile still works.
    assert_eq!(k.messages(&g, 10, None).unwrap().len(), 1);
}
