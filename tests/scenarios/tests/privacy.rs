//! What a lost or inspected phone reveals: nothing. Profiles live encrypted in a vault ([`Profiles`]); every kind of
//! content written, synced and closed is in no file of the vault; a wrong passphrase or key opens nothing and changes
//! nothing; hidden profiles appear in no listing; a duress passphrase opens a decoy; a passphrase change rewraps the
//! key without rewriting the data; a wipe leaves nothing that opens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::Path;

use kindred_core::{
    Cadence, CadencePeriod, Error, ErrorKind, Kindred, NewCheckin, NewGoal, NewGroup, NewMessage, Profiles,
    ReportReason, Role, SafetyPlanStep, Secret,
};
use kindred_scenarios::Phone;
use kindred_scenarios::net::sync;
use kindred_scenarios::scan::{files, holds, unique};
use sha2::{Digest as _, Sha256};

fn passphrase(text: &str) -> Secret {
    Secret::Passphrase(text.to_owned())
}

/// A name no phone holds unless it came from here, as the `&'static str` phones are named with.
fn marked(prefix: &str) -> &'static str {
    Box::leak(unique(prefix).into_boxed_str())
}

/// Every file under `dir` with the SHA-256 of its bytes.
fn fingerprint(dir: &Path) -> BTreeMap<String, [u8; 32]> {
    files(dir).into_iter().map(|(name, bytes)| (name, Sha256::digest(&bytes).into())).collect()
}

/// The markers found in some file under `dir`, with the file.
fn found(dir: &Path, markers: &[Vec<u8>]) -> Vec<String> {
    let mut hits = Vec::new();
    for (name, bytes) in files(dir) {
        for marker in markers {
            if holds(&bytes, marker) {
                hits.push(format!("{} in {name}", String::from_utf8_lossy(marker)));
            }
        }
    }
    hits
}

#[test]
fn every_kind_of_content_written_synced_and_closed_is_in_no_file_of_the_vault() {
    let alice_name = marked("ANAME");
    let bob_name = marked("BNAME");
    let alice = Phone::encrypted(alice_name);
    let bob = Phone::encrypted(bob_name);
    let mut markers: Vec<String> = vec![alice_name.into(), bob_name.into()];
    let mut mark = |prefix: &str| {
        // 64 random bits: short enough for a tag (32 characters).
        let m: String = unique(prefix).chars().take(prefix.len() + 17).collect();
        markers.push(m.clone());
        m
    };

    let group = alice
        .kindred
        .create_group(NewGroup {
            name: mark("GROUP-NAME"),
            description: mark("GROUP-DESCRIPTION"),
            guidelines: mark("GROUP-GUIDELINES"),
        })
        .unwrap()
        .id;
    alice.kindred.add_member(&group, &bob.id(), bob_name, Role::Member).unwrap();
    kindred_scenarios::exchange(&alice, &bob, &group);
    let first = alice
        .kindred
        .post(
            &group,
            NewMessage { text: mark("MESSAGE"), content_warning: Some(mark("CONTENT-WARNING")), ..Default::default() },
        )
        .unwrap()
        .id;
    alice.kindred.edit_message(&group, &first, &mark("EDITED")).unwrap();
    bob.kindred.accept_rules(&group).unwrap();
    bob.say(&group, &mark("BOBS-MESSAGE"));
    sync(&alice, &bob);
    bob.kindred.report_message(&group, &first, ReportReason::Hostile, &mark("REPORT-NOTE")).unwrap();
    sync(&alice, &bob);
    alice.kindred.warn_member(&group, &bob.id(), &mark("WARNING-WORDS")).unwrap();
    alice.kindred.create_group_goal(&group, &mark("GROUP-GOAL")).unwrap();
    sync(&alice, &bob);

    alice
        .kindred
        .record_checkin(NewCheckin {
            mood: 2,
            tags: vec![mark("TAG")],
            note: Some(mark("CHECKIN-NOTE")),
            emotions: vec![mark("EMOTION")],
            activities: vec![mark("ACTIVITY")],
            ..Default::default()
        })
        .unwrap();
    let goal = alice
        .kindred
        .create_goal(NewGoal {
            title: mark("GOAL-TITLE"),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: None,
        })
        .unwrap()
        .id;
    alice.kindred.log_progress(&goal, 1, Some(&mark("PROGRESS-NOTE")), None).unwrap();
    let shared = alice.kindred.create_goal(NewGoal {
        title: mark("SHARED-GOAL"),
        cadence: Cadence::new(1, CadencePeriod::Day),
        share_with: Some(group),
    });
    shared.unwrap();
    alice.kindred.add_safety_plan_item(SafetyPlanStep::Coping, &mark("SAFETY-PLAN"), None).unwrap();
    alice.kindred.add_safety_plan_item(SafetyPlanStep::People, &mark("SAFETY-PERSON"), Some(&mark("PHONE"))).unwrap();
    alice.kindred.mute_word(&mark("MUTED-WORD"), true).unwrap();
    alice.kindred.take_instrument("phq9", &[1, 0, 2, 1, 0, 1, 0, 0, 0], None).unwrap();
    sync(&alice, &bob);

    // The words are really there, in the open profiles.
    assert!(alice.kindred.messages(&group, 50, None).unwrap().iter().any(|m| m.text.contains("EDITED")));
    let ids: Vec<Vec<u8>> = vec![
        alice.id().as_bytes().to_vec(),
        bob.id().as_bytes().to_vec(),
        group.as_bytes().to_vec(),
        group.to_string().into_bytes(),
    ];
    let (alice_dir, bob_dir) = (alice.dir.clone(), bob.dir.clone());
    let mut needles: Vec<Vec<u8>> = markers.iter().map(|m| m.clone().into_bytes()).collect();
    needles.extend(ids);
    needles.push(b"SQLite format 3".to_vec());
    // Scanned while open (the write-ahead log holds the newest pages) and again once closed.
    for dir in [&alice_dir, &bob_dir] {
        assert_eq!(found(dir, &needles), Vec::<String>::new(), "while open");
    }
    let alice_files = files(&alice_dir).len();
    let _kept = (alice.close(), bob.close());
    for dir in [&alice_dir, &bob_dir] {
        assert_eq!(found(dir, &needles), Vec::<String>::new(), "once closed");
    }
    assert!(alice_files >= 4, "the scan saw the vault's files");

    // The same scan finds the words in a profile kept without encryption: it would have seen them.
    let plain = Phone::new("plain");
    let group = kindred_scenarios::group_with(&plain, "Plain", &[]).id;
    let word = unique("PLAIN");
    plain.say(&group, &word);
    assert!(!found(&plain.dir, &[word.into_bytes()]).is_empty());
}

#[test]
fn a_wrong_passphrase_or_key_opens_nothing_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let vault = Profiles::new(root.path()).unwrap();
    let kindred = vault.create(&passphrase("correct horse"), "Ada", Some("Me")).unwrap();
    let group = kindred.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
    kindred.post(&group, NewMessage { text: "hello".into(), ..Default::default() }).unwrap();
    drop(kindred);
    let before = fingerprint(root.path());

    for wrong in [passphrase("correct horsf"), passphrase("Correct horse"), Secret::Key(vec![7; 32])] {
        assert!(
            matches!(vault.open(&wrong).as_ref().map_err(Error::kind), Err(ErrorKind::WrongPassphrase)),
            "{wrong:?}"
        );
        assert!(matches!(vault.find(&wrong).as_ref().map_err(Error::kind), Err(ErrorKind::WrongPassphrase)));
        assert!(matches!(
            vault.change_secret(&wrong, &passphrase("new passphrase")).as_ref().map_err(Error::kind),
            Err(ErrorKind::WrongPassphrase)
        ));
        assert!(matches!(vault.wipe(&wrong).as_ref().map_err(Error::kind), Err(ErrorKind::WrongPassphrase)));
    }
    assert!(matches!(
        vault.open(&Secret::Key(vec![7; 31])).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(matches!(
        vault.open(&passphrase("short")).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    // The database itself, opened as a plain profile, or under another profile's key, gives a typed error.
    let id = vault.find(&passphrase("correct horse")).unwrap();
    assert!(Kindred::open(root.path().join(&id)).is_err());
    assert_eq!(fingerprint(root.path()), before, "nothing was written, renamed or removed");

    let reopened = vault.open(&passphrase("correct horse")).unwrap();
    assert_eq!(reopened.messages(&group, 10, None).unwrap().len(), 1);
    // A folder that is no vault (yet) stays as it was: nothing is made in it by a wrong secret.
    let elsewhere = root.path().join("elsewhere");
    let none = Profiles::new(&elsewhere).unwrap();
    assert!(matches!(
        none.open(&passphrase("correct horse")).as_ref().map_err(Error::kind),
        Err(ErrorKind::WrongPassphrase)
    ));
    assert!(none.list().unwrap().is_empty());
    assert!(!elsewhere.exists());
    assert_eq!(reopened.profile().display_name, "Ada");
}

#[test]
fn hidden_profiles_appear_in_no_listing_and_look_like_the_others_on_disk() {
    let root = tempfile::tempdir().unwrap();
    let vault = Profiles::new(root.path()).unwrap();
    drop(vault.create(&passphrase("everyday one"), "Ada", Some("Ada")).unwrap());
    let hidden = vault.create(&passphrase("the other one"), "Nadia", None).unwrap();
    let group = hidden.create_group(NewGroup { name: "Support".into(), ..Default::default() }).unwrap().id;
    let secret = unique("HIDDEN-WORDS");
    hidden.post(&group, NewMessage { text: secret.clone(), ..Default::default() }).unwrap();
    hidden.record_checkin(NewCheckin { mood: 2, note: Some(secret.clone()), ..Default::default() }).unwrap();
    drop(hidden);
    // Its words are in no file of the vault.
    let needles = [secret.into_bytes(), b"Nadia".to_vec(), b"Support".to_vec(), b"SQLite format 3".to_vec()];
    assert_eq!(found(root.path(), &needles), Vec::<String>::new());

    let listed = vault.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "Ada");
    let hidden_id = vault.find(&passphrase("the other one")).unwrap();
    assert_ne!(listed[0].id, hidden_id);
    // A hidden profile's folder holds the same kinds of files as a listed one's, none readable.
    let names = |id: &str| {
        let mut names: Vec<String> = std::fs::read_dir(root.path().join(id))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&listed[0].id), names(&hidden_id));
    let listing = std::fs::read_to_string(root.path().join("listed")).unwrap();
    assert!(!listing.contains(&hidden_id) && !listing.contains("Nadia"));

    // It opens with its passphrase alone.
    let reopened = vault.open(&passphrase("the other one")).unwrap();
    assert_eq!(reopened.group(&group).unwrap().name, "Support");
    drop(reopened);
    // Listing and hiding are the app's choice.
    vault.set_listed_as(&passphrase("the other one"), Some("Second")).unwrap();
    vault.set_listed_as(&passphrase("everyday one"), None).unwrap();
    let listed = vault.list().unwrap();
    assert_eq!(listed.iter().map(|p| p.label.as_str()).collect::<Vec<_>>(), ["Second"]);
    assert_eq!(listed[0].id, hidden_id);
}

#[test]
fn a_duress_passphrase_opens_an_ordinary_looking_decoy_and_leaves_the_real_profile_alone() {
    let root = tempfile::tempdir().unwrap();
    let vault = Profiles::new(root.path()).unwrap();
    let real = vault.create(&passphrase("my real passphrase"), "Ada", Some("Ada")).unwrap();
    let group = real.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
    real.post(&group, NewMessage { text: "what I said".into(), ..Default::default() }).unwrap();
    let real_id = real.profile().member_id;
    drop(real);

    vault.set_duress(&passphrase("my real passphrase"), &passphrase("the one I give away")).unwrap();
    let decoy = vault.open(&passphrase("the one I give away")).unwrap();
    assert_eq!(decoy.profile().display_name, "Ada");
    assert_ne!(decoy.profile().member_id, real_id);
    assert!(decoy.groups().unwrap().is_empty());
    // The decoy works like any profile.
    decoy.create_group(NewGroup { name: "Knitting".into(), ..Default::default() }).unwrap();
    drop(decoy);

    assert_eq!(vault.list().unwrap().len(), 1, "the decoy is not listed");
    let real = vault.open(&passphrase("my real passphrase")).unwrap();
    assert_eq!(real.messages(&group, 10, None).unwrap().len(), 1);
    assert!(matches!(
        vault
            .set_duress(&passphrase("my real passphrase"), &passphrase("my real passphrase"))
            .as_ref()
            .map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
}

#[test]
fn changing_the_passphrase_rewraps_the_key_without_rewriting_the_data() {
    let root = tempfile::tempdir().unwrap();
    let vault = Profiles::new(root.path()).unwrap();
    let kindred = vault.create(&passphrase("old passphrase"), "Ada", Some("Ada")).unwrap();
    let group = kindred.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
    kindred.post(&group, NewMessage { text: "kept".into(), ..Default::default() }).unwrap();
    drop(kindred);
    let old_id = vault.find(&passphrase("old passphrase")).unwrap();
    let database = std::fs::read(root.path().join(&old_id).join("d")).unwrap();

    vault.change_secret(&passphrase("old passphrase"), &passphrase("new passphrase")).unwrap();
    assert!(matches!(
        vault.open(&passphrase("old passphrase")).as_ref().map_err(Error::kind),
        Err(ErrorKind::WrongPassphrase)
    ));
    let new_id = vault.find(&passphrase("new passphrase")).unwrap();
    assert_eq!(std::fs::read(root.path().join(&new_id).join("d")).unwrap(), database, "the data was not rewritten");
    assert_eq!(vault.list().unwrap()[0].id, new_id, "still listed, under the same label");
    assert_eq!(vault.list().unwrap()[0].label, "Ada");
    let reopened = vault.open(&passphrase("new passphrase")).unwrap();
    assert_eq!(reopened.messages(&group, 10, None).unwrap()[0].text, "kept");
    drop(reopened);

    // To an app key and back.
    let key = Secret::Key(vec![42; 32]);
    vault.change_secret(&passphrase("new passphrase"), &key).unwrap();
    assert_eq!(vault.open(&key).unwrap().messages(&group, 10, None).unwrap().len(), 1);
    drop(vault.create(&passphrase("someone else"), "Bo", None).unwrap());
    assert!(matches!(
        vault.change_secret(&key, &passphrase("someone else")).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(vault.open(&key).is_ok(), "a refused change leaves the profile as it was");
}

#[test]
fn a_wipe_destroys_the_key_first_and_leaves_nothing_that_opens() {
    let root = tempfile::tempdir().unwrap();
    let vault = Profiles::new(root.path()).unwrap();
    let kindred = vault.create(&passphrase("to be wiped"), "Ada", Some("Ada")).unwrap();
    let group = kindred.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
    kindred.post(&group, NewMessage { text: "gone soon".into(), ..Default::default() }).unwrap();
    drop(vault.create(&passphrase("stays here"), "Bo", None).unwrap());
    let id = vault.find(&passphrase("to be wiped")).unwrap();

    // Wiped through the open handle: later calls fail, the folder is gone, the passphrase opens nothing.
    kindred.wipe().unwrap();
    assert!(kindred.groups().is_err());
    assert!(!root.path().join(&id).exists());
    assert!(matches!(
        vault.open(&passphrase("to be wiped")).as_ref().map_err(Error::kind),
        Err(ErrorKind::WrongPassphrase)
    ));
    assert!(vault.list().unwrap().is_empty());
    let listing = std::fs::read_to_string(root.path().join("listed")).unwrap();
    assert!(!listing.contains(&id) && !listing.contains("Ada"), "no line of it is left in the listing");
    assert!(vault.open(&passphrase("stays here")).is_ok(), "other profiles are untouched");

    // The last profile wiped takes the vault's own files with it.
    let lone = tempfile::tempdir().unwrap();
    let alone = Profiles::new(lone.path()).unwrap();
    alone.create(&passphrase("only one here"), "Ada", Some("Ada")).unwrap().wipe().unwrap();
    assert_eq!(std::fs::read_dir(lone.path()).unwrap().count(), 0);
    drop(alone.create(&passphrase("only one here"), "Ada", None).unwrap());
    alone.wipe(&passphrase("only one here")).unwrap();
    assert_eq!(std::fs::read_dir(lone.path()).unwrap().count(), 0);

    // The panic button: every profile, hidden ones included, and the vault's own files.
    vault.wipe_all().unwrap();
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
    assert!(matches!(
        vault.open(&passphrase("stays here")).as_ref().map_err(Error::kind),
        Err(ErrorKind::WrongPassphrase)
    ));
    // The same handle makes new profiles afterwards, under a new salt.
    drop(vault.create(&passphrase("a fresh start"), "Ada", None).unwrap());
    assert!(vault.open(&passphrase("a fresh start")).is_ok());
    assert!(matches!(
        vault.open(&passphrase("stays here")).as_ref().map_err(Error::kind),
        Err(ErrorKind::WrongPassphrase)
    ));
}

#[test]
fn an_unencrypted_profile_moves_into_the_vault_encrypted_and_whole() {
    let plain = Phone::new("ada");
    let group = kindred_scenarios::group_with(&plain, "Circle", &[]).id;
    let marker = unique("BEFORE-ENCRYPTION");
    plain.say(&group, &marker);
    plain.kindred.record_checkin(NewCheckin { mood: 3, note: Some(marker.clone()), ..Default::default() }).unwrap();
    let member = plain.id();
    let plain_dir = plain.dir.clone();
    let _kept = plain.close();

    let root = tempfile::tempdir().unwrap();
    let vault = Profiles::new(root.path()).unwrap();
    let adopted = vault.adopt(&plain_dir, &passphrase("now encrypted"), Some("Ada")).unwrap();
    assert_eq!(adopted.profile().member_id, member, "the same identity");
    assert_eq!(adopted.messages(&group, 10, None).unwrap()[0].text, marker);
    drop(adopted);
    assert!(!Kindred::exists(&plain_dir), "the unencrypted files are gone");
    assert_eq!(found(root.path(), &[marker.clone().into_bytes()]), Vec::<String>::new());
    assert!(!plain_dir.exists(), "its folder held nothing else, so it went too");
    assert_eq!(vault.open(&passphrase("now encrypted")).unwrap().checkins(0, i64::MAX).unwrap().len(), 1);
    assert!(matches!(
        vault.adopt(&plain_dir, &passphrase("again"), None).as_ref().map_err(Error::kind),
        Err(ErrorKind::NoProfile(_))
    ));
}
