//! Crisis resource directories published into a group: they reach every member by sync and by bundle, a newer
//! version of a publisher replaces an older one identically on every phone whatever order they arrive in, and only
//! what the trust rules allow has effect: the owner's own directories and those of a publisher the owner marks
//! trusted, published by the owner or a moderator who still holds the right. Attacks are made as a modified app
//! would make them: hand-made, correctly signed changes, some pointing at an old state of the group.
//!
//! Cast: alice owns the group; bob moderates; carol is a plain member; the clinic is an organisation (a profile of
//! its own, used only to sign directories); mallory is a stranger to the group who signs directories too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjType, ROOT, ScalarValue};
use kindred_core::crisis::{ResourceDirectory, ResourceEntry, ResourceKind, ResourceMatch};
use kindred_core::sync::bundle::BundleDocument;
use kindred_core::{Bundle, Error, ErrorKind, GroupId, MemberId, Refusal, Role};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::{Phone, assert_refused, exchange, group_with};

fn entry(name: &str, country: &str) -> ResourceEntry {
    ResourceEntry {
        name: name.to_owned(),
        kind: ResourceKind::Phone,
        contact: "000-EXAMPLE".to_owned(),
        hours: "24/7".to_owned(),
        languages: vec!["en".to_owned(), "sw".to_owned()],
        country: country.to_owned(),
        subdivision: None,
        audience: "anyone in distress".to_owned(),
        last_verified: "2026-12-01".to_owned(),
    }
}

/// A directory of `publisher`'s, version `version`, signed with `publisher`'s member key.
fn signed(publisher: &Phone, version: u64, title: &str) -> Vec<u8> {
    let directory = ResourceDirectory {
        publisher: publisher.id(),
        version,
        issued_at: 1,
        title: title.to_owned(),
        example: false,
        entries: vec![entry(&format!("{title} line"), "KE")],
    };
    publisher.kindred.sign_resource_directory(&directory).unwrap()
}

fn hash_hex(file: &[u8]) -> String {
    let d = ResourceDirectory::from_file_bytes(file).unwrap();
    d.content_hash().unwrap().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a phone's lookups use: (publisher, version, title) per publisher, and the entry names found for Kenya.
fn directories_on(phone: &Phone) -> (Vec<(MemberId, u64, String)>, Vec<String>) {
    let listed = phone.kindred.resource_directories().unwrap();
    let found = phone.kindred.crisis_resources(Some("KE"), Some("en")).unwrap();
    (
        listed.into_iter().map(|d| (d.publisher, d.version, d.title)).collect(),
        found.entries.into_iter().map(|f| f.entry.name).collect(),
    )
}

struct Circle {
    alice: Phone,
    bob: Phone,
    carol: Phone,
    clinic: Phone,
    group: GroupId,
}

impl Circle {
    /// alice (owner), bob (moderator) and carol (member) in sync; the clinic trusted by alice when `trusted`.
    fn new(trusted: bool) -> Self {
        let alice = Phone::new("alice");
        let bob = Phone::new("bob");
        let carol = Phone::new("carol");
        let clinic = Phone::new("clinic");
        let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
        alice.kindred.add_member(&group, &bob.id(), "bob", Role::Moderator).unwrap();
        if trusted {
            alice.kindred.trust_publisher(&group, &clinic.id(), true).unwrap();
        }
        let c = Self { alice, bob, carol, clinic, group };
        sync_all(&c.phones());
        c
    }

    fn phones(&self) -> [&Phone; 3] {
        [&self.alice, &self.bob, &self.carol]
    }

    fn bundle_of(&self, phone: &Phone) -> Bundle {
        forge::unseal(&phone.kindred.export_bundle(&self.group).unwrap())
    }

    /// Every phone uses the same directories, and they are `expected` (publisher, version, title).
    #[track_caller]
    fn assert_all_use(&self, expected: &[(MemberId, u64, &str)]) {
        let mut expected: Vec<(MemberId, u64, String)> =
            expected.iter().map(|(p, v, t)| (*p, *v, (*t).to_owned())).collect();
        expected.sort_by_key(|(p, _, _)| *p.as_bytes());
        let first = directories_on(&self.alice);
        assert_eq!(first.0, expected, "alice's directories");
        for p in self.phones() {
            assert_eq!(directories_on(p), first, "{} disagrees with alice", p.name);
        }
    }

    /// A hand-made change to the group document by `writer`, built on `heads` (or on what `phone` holds when
    /// `None`), sealed into a bundle by `phone`.
    fn forged(
        &self,
        phone: &Phone,
        writer: &Writer<'_>,
        heads: Option<&[ChangeHash]>,
        edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
    ) -> Vec<u8> {
        let mut copy = self.bundle_of(phone);
        let document: &mut BundleDocument = forge::group_document(&mut copy);
        let full = forge::load(document);
        let heads = heads.map_or_else(|| full.get_heads(), <[ChangeHash]>::to_vec);
        let mut old = full.fork_at(&heads).unwrap().with_actor(writer.actor.clone());
        let change = forge::commit(&mut old, edit);
        let mut merged = forge::load(document);
        merged.apply_changes([change.clone()]).unwrap();
        forge::vouch(document, &mut merged, writer, &change);
        forge::seal(copy, &phone.kindred)
    }

    fn heads_on(&self, phone: &Phone) -> Vec<ChangeHash> {
        forge::load(forge::group_document(&mut self.bundle_of(phone))).get_heads()
    }
}

/// Puts `file` under `key` in the group's `directories` map, as the publishing change does.
fn put_directory(tx: &mut automerge::transaction::Transaction<'_>, key: &str, file: &[u8]) {
    let directories = match automerge::ReadDoc::get(tx, &ROOT, "directories").unwrap() {
        Some((_, id)) => id,
        None => tx.put_object(ROOT, "directories", ObjType::Map).unwrap(),
    };
    tx.put(&directories, key, ScalarValue::Bytes(file.to_vec())).unwrap();
}

#[test]
fn a_published_directory_reaches_members_by_sync_and_by_bundle() {
    let c = Circle::new(false);
    let g = &c.group;
    let dave = Phone::new("dave");
    c.alice.kindred.add_member(g, &dave.id(), "dave", Role::Member).unwrap();
    exchange(&c.alice, &dave, g);

    // The owner publishes her own directory; bob receives it by sync.
    let own = signed(&c.alice, 1, "Circle helplines");
    let published = c.alice.kindred.publish_resource_directory(g, &own).unwrap();
    assert!(published.installed && !published.replaced);
    sync(&c.alice, &c.bob);
    let (listed, found) = directories_on(&c.bob);
    assert_eq!(listed, [(c.alice.id(), 1, "Circle helplines".to_owned())]);
    assert_eq!(found, ["Circle helplines line"]);
    let summary = &c.bob.kindred.resource_directories().unwrap()[0];
    assert_eq!((summary.imported, summary.groups.as_slice()), (false, &[*g][..]));

    // Dave meets nobody after joining: a bundle brings it.
    dave.kindred.import_bundle(&c.alice.kindred.export_bundle(g).unwrap()).unwrap();
    assert_eq!(directories_on(&dave), directories_on(&c.bob));
    assert_eq!(dave.kindred.crisis_resources(Some("KE"), Some("sw")).unwrap().matched, ResourceMatch::Country);

    // The clinic's directory needs the owner's mark: nobody may publish it before, a plain member never.
    let clinic = signed(&c.clinic, 1, "Clinic");
    let refused = c.bob.kindred.publish_resource_directory(g, &clinic).unwrap_err();
    assert!(matches!(refused.kind(), ErrorKind::NotPermitted(_)), "{refused:?}");
    assert!(matches!(
        c.alice.kindred.publish_resource_directory(g, &clinic).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        c.bob.kindred.trust_publisher(g, &c.clinic.id(), true).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    c.alice.kindred.trust_publisher(g, &c.clinic.id(), true).unwrap();
    sync_all(&c.phones());
    assert_eq!(c.carol.kindred.group(g).unwrap().trusted_publishers, [c.clinic.id()]);
    assert!(matches!(
        c.carol.kindred.publish_resource_directory(g, &clinic).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    let by_bob = c.bob.kindred.publish_resource_directory(g, &clinic).unwrap();
    assert!(by_bob.installed);
    // Publishing the same file again changes nothing.
    assert!(!c.bob.kindred.publish_resource_directory(g, &clinic).unwrap().installed);
    sync_all(&c.phones());
    c.assert_all_use(&[(c.alice.id(), 1, "Circle helplines"), (c.clinic.id(), 1, "Clinic")]);
    dave.kindred.import_bundle(&c.carol.kindred.export_bundle(g).unwrap()).unwrap();
    assert_eq!(directories_on(&dave), directories_on(&c.alice));
}

#[test]
fn a_newer_version_replaces_an_older_one_identically_whatever_the_order() {
    let c = Circle::new(true);
    let g = &c.group;
    let clinic = c.clinic.id();
    c.bob.kindred.publish_resource_directory(g, &signed(&c.clinic, 1, "Clinic v1")).unwrap();
    sync_all(&c.phones());
    c.assert_all_use(&[(clinic, 1, "Clinic v1")]);

    // Partitioned: alice publishes version 3, bob version 2 and two different files both numbered 4 (the lower
    // content hash is the one every phone keeps).
    let v3 = c.alice.kindred.publish_resource_directory(g, &signed(&c.clinic, 3, "Clinic v3")).unwrap();
    assert!(v3.installed && v3.replaced);
    c.bob.kindred.publish_resource_directory(g, &signed(&c.clinic, 2, "Clinic v2")).unwrap();
    let four_a = signed(&c.clinic, 4, "Clinic v4 a");
    let four_b = signed(&c.clinic, 4, "Clinic v4 b");
    let winner = if hash_hex(&four_a) < hash_hex(&four_b) { "Clinic v4 a" } else { "Clinic v4 b" };
    c.alice.kindred.publish_resource_directory(g, &four_a).unwrap();
    c.bob.kindred.publish_resource_directory(g, &four_b).unwrap();
    // An older version published later has no effect where a newer one is known.
    assert!(!c.alice.kindred.publish_resource_directory(g, &signed(&c.clinic, 2, "Clinic v2 late")).unwrap().installed);

    // carol hears bob first, then alice; a bundle carries alice's to bob.
    sync(&c.carol, &c.bob);
    assert_eq!(directories_on(&c.carol).0, [(clinic, 4, "Clinic v4 b".to_owned())]);
    c.bob.kindred.import_bundle(&c.alice.kindred.export_bundle(g).unwrap()).unwrap();
    sync(&c.alice, &c.carol);
    sync_all(&c.phones());
    c.assert_all_use(&[(clinic, 4, winner)]);

    // An import of an older version on one phone does not change what it uses.
    c.carol.kindred.import_resource_directory(&signed(&c.clinic, 3, "Clinic v3")).unwrap();
    c.assert_all_use(&[(clinic, 4, winner)]);
}

#[test]
fn forged_and_unauthorised_publications_are_refused() {
    let c = Circle::new(true);
    let g = &c.group;
    let mallory = Phone::new("mallory");
    let owners = signed(&c.alice, 1, "Owner's");

    // A plain member publishing, even a genuine owner-signed file.
    let file =
        c.forged(&c.carol, &Writer::of(&c.carol.kindred), None, |tx| put_directory(tx, &hash_hex(&owners), &owners));
    assert_refused(&c.alice, g, &file, Refusal::NotPermitted, "a plain member's publication");

    // A moderator publishing a stranger's directory (nobody trusted mallory).
    let strangers = signed(&mallory, 1, "Mallory's");
    let file =
        c.forged(&c.bob, &Writer::of(&c.bob.kindred), None, |tx| put_directory(tx, &hash_hex(&strangers), &strangers));
    assert_refused(&c.carol, g, &file, Refusal::NotPermitted, "an untrusted publisher's directory");

    // A clinic file altered after signing (a number changed): the signature no longer holds.
    let mut altered = signed(&c.clinic, 2, "Clinic");
    let at = altered.windows(11).position(|w| w == b"000-EXAMPLE").unwrap();
    altered[at] = b'9';
    let file = c.forged(&c.bob, &Writer::of(&c.bob.kindred), None, |tx| put_directory(tx, &"ab".repeat(32), &altered));
    assert_refused(&c.carol, g, &file, Refusal::Forged, "an altered directory");

    // A genuine file kept under another hash, a deletion, and something that is not a directory.
    let clinic = signed(&c.clinic, 2, "Clinic");
    let file = c.forged(&c.bob, &Writer::of(&c.bob.kindred), None, |tx| put_directory(tx, &"cd".repeat(32), &clinic));
    assert_refused(&c.carol, g, &file, Refusal::Malformed, "a directory under another key");
    let file = c.forged(&c.bob, &Writer::of(&c.bob.kindred), None, |tx| {
        put_directory(tx, &hash_hex(&clinic), b"KINDRED-DIRECTORY-1\nnot a directory")
    });
    assert_refused(&c.carol, g, &file, Refusal::Malformed, "a damaged directory");
    c.bob.kindred.publish_resource_directory(g, &clinic).unwrap();
    sync_all(&c.phones());
    let file = c.forged(&c.bob, &Writer::of(&c.bob.kindred), None, |tx| {
        let directories = forge::obj(tx, &ROOT, "directories");
        tx.delete(&directories, hash_hex(&clinic).as_str()).unwrap();
    });
    assert_refused(&c.carol, g, &file, Refusal::NotPermitted, "a deleted directory");

    // Over the size a group document takes (a valid file, but too big to publish).
    let big = ResourceDirectory {
        publisher: c.alice.id(),
        version: 9,
        issued_at: 1,
        title: "Big".into(),
        example: false,
        entries: (0..300).map(|i| entry(&format!("{i:03} {}", "x".repeat(110)), "KE")).collect(),
    };
    let big = c.alice.kindred.sign_resource_directory(&big).unwrap();
    assert!(big.len() > kindred_core::crisis::MAX_PUBLISHED_DIRECTORY_BYTES && big.len() < 64 * 1024 - 2048);
    assert!(
        matches!(c.alice.kindred.publish_resource_directory(g, &big), Err(e) if e.refusal() == Some(Refusal::Oversized))
    );
    let file = c.forged(&c.alice, &Writer::of(&c.alice.kindred), None, |tx| put_directory(tx, &hash_hex(&big), &big));
    assert_refused(&c.carol, g, &file, Refusal::Oversized, "an oversized directory");

    // Only the owner marks publishers: a moderator trusting mallory is refused.
    let file = c.forged(&c.bob, &Writer::of(&c.bob.kindred), None, |tx| {
        let publishers = forge::obj(tx, &ROOT, "publishers");
        let entry = tx.put_object(&publishers, mallory.id().to_hex(), ObjType::Map).unwrap();
        tx.put(&entry, "trusted", true).unwrap();
        tx.put(&entry, "by", ScalarValue::Bytes(c.bob.id().as_bytes().to_vec())).unwrap();
    });
    assert_refused(&c.carol, g, &file, Refusal::NotPermitted, "a moderator marking a publisher");

    // After all that, everyone still uses exactly the clinic's version 2.
    sync_all(&c.phones());
    c.assert_all_use(&[(c.clinic.id(), 2, "Clinic")]);
}

#[test]
fn untrusting_the_publisher_or_removing_the_moderator_takes_the_power_away() {
    let c = Circle::new(true);
    let g = &c.group;
    let clinic = c.clinic.id();
    c.bob.kindred.publish_resource_directory(g, &signed(&c.clinic, 1, "Clinic v1")).unwrap();
    sync_all(&c.phones());
    c.assert_all_use(&[(clinic, 1, "Clinic v1")]);

    // The owner stops trusting the clinic: its directory goes on every phone, and comes back when trusted again.
    c.alice.kindred.trust_publisher(g, &clinic, false).unwrap();
    sync_all(&c.phones());
    c.assert_all_use(&[]);
    assert!(c.carol.kindred.group(g).unwrap().trusted_publishers.is_empty());
    assert!(matches!(
        c.bob.kindred.publish_resource_directory(g, &signed(&c.clinic, 2, "Clinic v2")).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    c.alice.kindred.trust_publisher(g, &clinic, true).unwrap();
    sync_all(&c.phones());
    c.assert_all_use(&[(clinic, 1, "Clinic v1")]);

    // alice removes bob. Before bob's phone hears of it, he publishes version 5; by hand he also writes version 6
    // on the state of the group before his removal. Neither has effect anywhere; carol learns of both through
    // bob himself and through a bundle.
    let before_removal = c.heads_on(&c.bob);
    c.alice.kindred.remove_member(g, &c.bob.id()).unwrap();
    sync(&c.alice, &c.carol);
    c.bob.kindred.publish_resource_directory(g, &signed(&c.clinic, 5, "Clinic v5")).unwrap();
    let v6 = signed(&c.clinic, 6, "Clinic v6");
    let file = c.forged(&c.bob, &Writer::another_device(&c.bob.kindred), Some(&before_removal), |tx| {
        put_directory(tx, &hash_hex(&v6), &v6)
    });
    c.carol.kindred.import_bundle(&file).unwrap();
    c.alice.kindred.import_bundle(&file).unwrap();
    assert_eq!(directories_on(&c.carol).0, [(clinic, 1, "Clinic v1".to_owned())]);
    assert_eq!(directories_on(&c.alice).0, [(clinic, 1, "Clinic v1".to_owned())]);
    // Bob's own phone, once it hears of the removal, drops what he published after it too.
    c.bob.kindred.import_bundle(&c.alice.kindred.export_bundle(g).unwrap()).unwrap();
    assert_eq!(directories_on(&c.bob).0, [(clinic, 1, "Clinic v1".to_owned())]);
}

#[test]
fn the_persons_region_never_leaves_their_phone() {
    let c = Circle::new(false);
    let g = &c.group;
    // A subdivision code no directory here names, so finding it anywhere else means it travelled.
    let region = c.alice.kindred.set_region(Some("qz-q7x")).unwrap().unwrap();
    assert_eq!(region, "QZ-Q7X");
    c.alice.kindred.publish_resource_directory(g, &signed(&c.alice, 1, "Circle")).unwrap();
    c.alice.say(g, "hello");
    sync_all(&c.phones());
    let bundle = c.alice.kindred.export_bundle(g).unwrap();
    c.carol.kindred.import_bundle(&bundle).unwrap();
    let holds = |haystack: &[u8]| haystack.windows(region.len()).any(|w| w == region.as_bytes());
    assert!(!holds(&bundle), "the region is in alice's bundle");
    for phone in [&c.bob, &c.carol] {
        for file in std::fs::read_dir(&phone.dir).unwrap().flatten() {
            let bytes = std::fs::read(file.path()).unwrap_or_default();
            assert!(!holds(&bytes), "the region is in {}'s {}", phone.name, file.file_name().to_string_lossy());
        }
    }
    // It is still alice's, on her phone.
    assert_eq!(c.alice.kindred.region().unwrap().as_deref(), Some("QZ-Q7X"));
}
