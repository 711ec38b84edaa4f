//! Profiles: create, open, identity that persists, and the refusals around them.

mod common;

use kindred_core::{Error, ErrorKind, Kindred};

#[test]
fn create_then_open_keeps_identity_and_actor() {
    let (dir, k) = common::profile("Ada");
    let first = k.profile();
    assert_eq!(first.display_name, "Ada");
    drop(k);
    let reopened = Kindred::open(dir.path()).unwrap();
    let second = reopened.profile();
    assert_eq!(first.member_id, second.member_id);
    // One actor per install, never one per launch.
    assert_eq!(first.actor_id, second.actor_id);
}

#[test]
fn two_profiles_have_distinct_keys_and_actors() {
    let (_a, a) = common::profile("A");
    let (_b, b) = common::profile("B");
    assert_ne!(a.profile().member_id, b.profile().member_id);
    assert_ne!(a.profile().actor_id, b.profile().actor_id);
}

#[test]
fn create_refuses_an_existing_profile_and_open_a_missing_one() {
    let (dir, _k) = common::profile("Ada");
    assert!(matches!(
        Kindred::create(dir.path(), "Eve").as_ref().map_err(Error::kind),
        Err(ErrorKind::ProfileExists(_))
    ));
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(Kindred::open(empty.path()).as_ref().map_err(Error::kind), Err(ErrorKind::NoProfile(_))));
    assert!(!Kindred::exists(empty.path()));
    // A failed open creates nothing.
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

#[test]
fn display_name_is_validated() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Kindred::create(dir.path(), "   ").as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(matches!(
        Kindred::create(dir.path(), &"x".repeat(41)).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(!Kindred::exists(dir.path()), "a rejected name must not leave a profile behind");
    let k = Kindred::create(dir.path(), "Bea").unwrap();
    k.set_display_name("Bea T").unwrap();
    assert!(k.set_display_name("").is_err());
    drop(k);
    assert_eq!(Kindred::open(dir.path()).unwrap().profile().display_name, "Bea T");
}

#[test]
fn handle_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Kindred>();
}

#[test]
fn integrity_check_passes_on_a_healthy_profile() {
    let (_dir, k) = common::profile("Ada");
    common::group(&k, "Circle");
    k.check_integrity().unwrap();
}
