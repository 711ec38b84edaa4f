use ed25519_dalek::SigningKey;

use super::*;
use crate::ErrorKind;
use crate::crisis::{ResourceEntry, ResourceKind, ResourceMatch, example_directory_file};
use crate::error::Refusal;

fn profile() -> (tempfile::TempDir, Kindred) {
    let dir = tempfile::tempdir().unwrap();
    let kindred = Kindred::create(dir.path(), "Ada").unwrap();
    (dir, kindred)
}

fn entry(name: &str) -> ResourceEntry {
    ResourceEntry {
        name: name.to_owned(),
        kind: ResourceKind::Phone,
        contact: "000-000-EXAMPLE".to_owned(),
        hours: "24/7".to_owned(),
        languages: vec!["sw".to_owned()],
        country: "KE".to_owned(),
        subdivision: None,
        audience: "anyone".to_owned(),
        last_verified: "2026-11-30".to_owned(),
    }
}

fn signed(key: &SigningKey, version: u64, title: &str) -> Vec<u8> {
    ResourceDirectory {
        publisher: MemberId::from_bytes(key.verifying_key().to_bytes()),
        version,
        issued_at: 1,
        title: title.to_owned(),
        example: false,
        entries: vec![entry(&format!("line v{version} {title}"))],
    }
    .sign(key)
    .unwrap()
}

#[test]
fn import_lists_looks_up_and_survives_reopening() {
    let (dir, me) = profile();
    assert_eq!(me.crisis_resources(Some("KE"), Some("sw")).unwrap().matched, ResourceMatch::Nothing);
    let import = me.import_resource_directory(example_directory_file()).unwrap();
    assert!(import.installed && !import.replaced);
    assert_eq!(import.entries, 6);
    let key = SigningKey::from_bytes(&[3; 32]);
    me.import_resource_directory(&signed(&key, 1, "Real")).unwrap();
    drop(me);

    let me = Kindred::open(dir.path()).unwrap();
    let listed = me.resource_directories().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|d| d.example && d.title.starts_with("EXAMPLE") && d.entries == 6));
    let found = me.crisis_resources(Some("KE-30"), Some("sw")).unwrap();
    assert_eq!(found.matched, ResourceMatch::Subdivision);
    assert!(found.entries.iter().any(|f| !f.example && f.entry.name == "line v1 Real"));
    assert!(found.entries.iter().filter(|f| f.entry.name.starts_with("EXAMPLE")).all(|f| f.example));

    me.remove_resource_directory(&import.publisher).unwrap();
    assert_eq!(me.resource_directories().unwrap().len(), 1);
    assert!(matches!(
        me.remove_resource_directory(&import.publisher).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!(me.crisis_resources(Some("KEN"), None).is_err());
}

#[test]
fn a_newer_version_replaces_and_an_older_or_equal_one_does_not() {
    let (_dir, me) = profile();
    let key = SigningKey::from_bytes(&[3; 32]);
    let title = |me: &Kindred| me.resource_directories().unwrap()[0].title.clone();
    assert!(me.import_resource_directory(&signed(&key, 2, "two")).unwrap().installed);
    let older = me.import_resource_directory(&signed(&key, 1, "one")).unwrap();
    assert!(!older.installed && !older.replaced);
    let again = me.import_resource_directory(&signed(&key, 2, "two")).unwrap();
    assert!(!again.installed, "the same file again changes nothing");
    assert_eq!(title(&me), "two");
    let newer = me.import_resource_directory(&signed(&key, 3, "three")).unwrap();
    assert!(newer.installed && newer.replaced);
    assert_eq!(title(&me), "three");
}

#[test]
fn the_same_version_with_other_content_is_decided_by_hash_in_either_order() {
    let key = SigningKey::from_bytes(&[3; 32]);
    let (a, b) = (signed(&key, 5, "a"), signed(&key, 5, "b"));
    let hash = |f: &[u8]| ResourceDirectory::from_file_bytes(f).unwrap().content_hash().unwrap();
    let winner = if hash(&a) < hash(&b) { "a" } else { "b" };
    for order in [[&a, &b], [&b, &a]] {
        let (_dir, me) = profile();
        for file in order {
            me.import_resource_directory(file).unwrap();
        }
        assert_eq!(me.resource_directories().unwrap()[0].title, winner);
    }
}

#[test]
fn a_refused_file_keeps_nothing_and_a_profile_signs_as_itself() {
    let (_dir, me) = profile();
    let mut forged = signed(&SigningKey::from_bytes(&[3; 32]), 1, "x");
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert!(me.import_resource_directory(&forged).unwrap_err().refusal().is_some());
    assert_eq!(me.import_resource_directory(b"nope").unwrap_err().refusal(), Some(Refusal::Malformed));
    assert!(me.resource_directories().unwrap().is_empty());

    let mine = ResourceDirectory {
        publisher: me.profile().member_id,
        version: 1,
        issued_at: 1,
        title: "Our group's list".to_owned(),
        example: false,
        entries: vec![entry("line")],
    };
    let file = me.sign_resource_directory(&mine).unwrap();
    assert_eq!(me.import_resource_directory(&file).unwrap().publisher, me.profile().member_id);
    let theirs = ResourceDirectory { publisher: MemberId::from_bytes([9; 32]), ..mine };
    assert!(matches!(
        me.sign_resource_directory(&theirs).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
}

#[test]
fn a_stored_file_that_no_longer_passes_is_left_out_of_lookups() {
    let (_dir, me) = profile();
    me.import_resource_directory(example_directory_file()).unwrap();
    let key = SigningKey::from_bytes(&[3; 32]);
    me.import_resource_directory(&signed(&key, 1, "Real")).unwrap();
    me.write(|ctx| {
        ctx.tx.execute("UPDATE resource_directories SET file = x'00' WHERE title = 'Real'", [])?;
        Ok(())
    })
    .unwrap();
    let found = me.crisis_resources(Some("KE"), Some("sw")).unwrap();
    assert!(!found.entries.is_empty() && found.entries.iter().all(|f| f.example));
}
