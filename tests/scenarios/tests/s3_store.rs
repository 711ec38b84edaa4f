//! The relay's S3 mailbox (`kindred_s3::S3Mailbox`) against a real S3 server, SeaweedFS (`kindred_scenarios::seaweed`):
//! every operation of `kindred_core::relay::Mailbox` as the core relies on it, the limits, and a store that goes away
//! and comes back.

use std::time::{Duration, Instant};

use kindred_core::relay::{Mailbox, StoreError, StoredObject};
use kindred_s3::S3Mailbox;
use kindred_scenarios::seaweed::Seaweed;

/// Every byte value, a few times over, and a length that is no multiple of anything.
fn binary(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

fn names(listing: &[StoredObject]) -> Vec<&str> {
    listing.iter().map(|object| object.name.as_str()).collect()
}

#[test]
fn binary_objects_round_trip_and_replace() {
    let server = Seaweed::shared();
    let mailbox = server.mailbox();
    let prefix = server.fresh_prefix();
    let small = binary(777, 1);
    let large = binary(5 * 1024 * 1024 + 3, 2); // more than one of the filer's 4 MiB chunks
    let object = format!("{prefix}object");
    mailbox.put(&object, &small).unwrap();
    assert_eq!(mailbox.get(&object).unwrap(), Some(small));
    mailbox.put(&object, &large).unwrap();
    assert_eq!(mailbox.get(&object).unwrap(), Some(large), "a put replaces the object");
    let empty = format!("{prefix}empty");
    mailbox.put(&empty, &[]).unwrap();
    assert_eq!(mailbox.get(&empty).unwrap(), Some(Vec::new()));
}

#[test]
fn a_missing_object_is_none_and_deleting_it_is_fine() {
    let server = Seaweed::shared();
    let mailbox = server.mailbox();
    let prefix = server.fresh_prefix();
    let object = format!("{prefix}gone");
    assert_eq!(mailbox.get(&object).unwrap(), None);
    mailbox.delete(&object).unwrap();

    mailbox.put(&object, b"soon gone").unwrap();
    assert!(mailbox.get(&object).unwrap().is_some());
    mailbox.delete(&object).unwrap();
    assert_eq!(mailbox.get(&object).unwrap(), None);
    assert!(mailbox.list(&prefix, None).unwrap().objects.is_empty());
    mailbox.delete(&object).unwrap();
}

#[test]
fn a_missing_bucket_is_an_error_not_an_empty_mailbox() {
    let server = Seaweed::shared();
    let mailbox = server.mailbox_for("kindred-no-such-bucket");
    let get = mailbox.get("object").unwrap_err();
    assert!(get.0.contains("get") && get.0.contains("404") && get.0.contains("NoSuchBucket"), "{get}");
    let list = mailbox.list("", None).unwrap_err();
    assert!(list.0.contains("list") && list.0.contains("404"), "{list}");
    let delete = mailbox.delete("object").unwrap_err();
    assert!(delete.0.contains("delete") && delete.0.contains("NoSuchBucket"), "{delete}");
    let put = mailbox.put("object", b"private words").unwrap_err();
    assert!(put.0.contains("put") && !put.0.contains("private words"), "{put}");
}

#[test]
fn creating_a_bucket_twice_is_fine() {
    let server = Seaweed::shared();
    let mailbox = server.mailbox_in_new_bucket();
    mailbox.create_bucket_if_missing().unwrap();
    mailbox.put("object", b"bytes").unwrap();
    assert_eq!(mailbox.get("object").unwrap(), Some(b"bytes".to_vec()));
}

#[test]
fn requests_signed_with_any_credentials_are_served() {
    // SeaweedFS with no identities configured accepts SigV4 signed with made-up keys: the signed path is exercised.
    let server = Seaweed::shared();
    let prefix = server.fresh_prefix();
    let signed =
        S3Mailbox::new(&server.endpoint(), server.bucket(), "us-east-1", Some(("AKIDEXAMPLE", "made-up"))).unwrap();
    signed.put(&format!("{prefix}signed"), b"signed bytes").unwrap();
    assert_eq!(signed.get(&format!("{prefix}signed")).unwrap(), Some(b"signed bytes".to_vec()));
    assert_eq!(names(&signed.list(&prefix, None).unwrap().objects), [format!("{prefix}signed")]);
    signed.delete(&format!("{prefix}signed")).unwrap();
}

#[test]
fn list_keeps_to_the_prefix_starts_after_the_cursor_in_byte_order() {
    let server = Seaweed::shared();
    let mailbox = server.mailbox_in_new_bucket();
    // Byte order: ' ' < '+' < '-' < '0' < 'A' < '_' < 'a' < '~'; a space and '+' need encoding in a URL. Flat names
    // under the prefix, as Kindred's are (`kindred/<group tag>/<object tag>`): SeaweedFS lists by directory, so a
    // name with a further '/' would come right after its directory's name ("g/a", "g/a/b", "g/a b"), not in S3's
    // byte order ("g/a", "g/a b", "g/a/b").
    let inside = ["g/a", "g/a b", "g/a+b", "g/a-b", "g/a0", "g/B", "g/_", "g/~", "g/b"];
    let outside = ["f", "h/a", "G/a", "gg"];
    for (i, name) in inside.iter().chain(&outside).enumerate() {
        mailbox.put(name, &binary(i + 1, 0)).unwrap();
    }
    let mut sorted: Vec<&str> = inside.to_vec();
    sorted.sort_unstable(); // str's order is the bytes' order

    let all = mailbox.list("g/", None).unwrap();
    assert!(!all.more);
    assert_eq!(names(&all.objects), sorted);
    for object in &all.objects {
        let i = inside.iter().position(|name| *name == object.name).unwrap();
        assert_eq!(object.size, i as u64 + 1, "{}", object.name);
    }

    let after = mailbox.list("g/", Some("g/a-b")).unwrap();
    assert_eq!(names(&after.objects), sorted.iter().filter(|name| **name > "g/a-b").copied().collect::<Vec<_>>());
    // A cursor that names no object, and one past the end.
    let between = mailbox.list("g/", Some("g/a,")).unwrap();
    assert_eq!(names(&between.objects), sorted.iter().filter(|name| **name > "g/a,").copied().collect::<Vec<_>>());
    assert!(mailbox.list("g/", Some("g/~~")).unwrap().objects.is_empty());

    // A prefix that is no directory, and no prefix at all.
    assert_eq!(names(&mailbox.list("g", None).unwrap().objects), [sorted.as_slice(), &["gg"]].concat());
    let mut every: Vec<&str> = inside.iter().chain(&outside).copied().collect();
    every.sort_unstable();
    assert_eq!(names(&mailbox.list("", None).unwrap().objects), every);
    assert!(mailbox.list("nothing/", None).unwrap().objects.is_empty());
}

#[test]
fn two_groups_mailboxes_shaped_as_kindred_names_them_stay_apart() {
    let server = Seaweed::shared();
    let mailbox = server.mailbox_in_new_bucket();
    let tag = |seed: u8| binary(16, seed).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let (one, two) = (format!("kindred/{}/", tag(1)), format!("kindred/{}/", tag(2)));
    let mut ones: Vec<String> = (10..30).map(|seed| format!("{one}{}", tag(seed))).collect();
    for name in &ones {
        mailbox.put(name, name.as_bytes()).unwrap();
    }
    for seed in 40..45 {
        mailbox.put(&format!("{two}{}", tag(seed)), b"the other group").unwrap();
    }
    ones.sort_unstable();
    let listed = mailbox.list(&one, None).unwrap();
    assert_eq!(names(&listed.objects), ones.iter().map(String::as_str).collect::<Vec<_>>());
    let after = mailbox.list(&one, Some(&ones[9])).unwrap();
    assert_eq!(names(&after.objects), ones[10..].iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(mailbox.list(&two, None).unwrap().objects.len(), 5);
}

#[test]
fn a_long_mailbox_comes_in_pages_of_a_thousand() {
    let server = Seaweed::shared();
    let mailbox = server.mailbox_in_new_bucket();
    let count = 1234;
    let all: Vec<String> = (0..count).map(|i| format!("m/{i:05}")).collect();
    // Eight writers at once: a few seconds instead of many.
    std::thread::scope(|scope| {
        for chunk in all.chunks(count / 8 + 1) {
            let mailbox = &mailbox;
            scope.spawn(move || {
                for name in chunk {
                    mailbox.put(name, name.as_bytes()).unwrap();
                }
            });
        }
    });
    mailbox.put("n/after", b"not in the prefix").unwrap();

    let first = mailbox.list("m/", None).unwrap();
    assert!(first.more, "1,234 objects do not fit in one page");
    assert_eq!(first.objects.len(), 1000);
    let last = first.objects.last().unwrap().name.clone();
    let second = mailbox.list("m/", Some(&last)).unwrap();
    assert!(!second.more);
    assert_eq!(second.objects.len(), count - 1000);
    let listed: Vec<&str> = first.objects.iter().chain(&second.objects).map(|o| o.name.as_str()).collect();
    assert_eq!(listed, all.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn an_object_over_the_limit_is_refused() {
    let server = Seaweed::shared();
    let prefix = server.fresh_prefix();
    let mailbox = server.mailbox();
    let (at, over) = (format!("{prefix}at-limit"), format!("{prefix}over-limit"));
    mailbox.put(&at, &binary(1024, 3)).unwrap();
    mailbox.put(&over, &binary(1025, 4)).unwrap();
    let limited = server.mailbox().with_max_object_bytes(1024);
    assert_eq!(limited.get(&at).unwrap(), Some(binary(1024, 3)));
    let error = limited.get(&over).unwrap_err();
    assert!(error.0.contains("get") && error.0.contains("over the limit of 1024 bytes"), "{error}");
    // The default limit lets both through.
    assert_eq!(mailbox.get(&over).unwrap(), Some(binary(1025, 4)));
}

#[test]
fn a_store_that_stops_fails_calls_and_keeps_its_objects_when_back() {
    let mut server = Seaweed::start();
    let mailbox = server.mailbox();
    let before = binary(4096, 5);
    mailbox.put("kept/one", &before).unwrap();
    mailbox.put("kept/two", b"two").unwrap();

    server.stop();
    let started = Instant::now();
    let put: StoreError = mailbox.put("kept/three", b"private words").unwrap_err();
    assert!(put.0.contains("put") && put.0.contains("kept/three"), "{put}");
    assert!(!put.0.contains("private words"), "{put}");
    assert!(mailbox.get("kept/one").is_err());
    assert!(mailbox.list("kept/", None).is_err());
    assert!(mailbox.delete("kept/one").is_err());
    // Refused connections fail at once; nothing waits for the 60 s request timeout.
    assert!(started.elapsed() < Duration::from_secs(20), "failing took {:?}", started.elapsed());

    server.start_again();
    assert_eq!(mailbox.get("kept/one").unwrap(), Some(before));
    assert_eq!(mailbox.get("kept/two").unwrap(), Some(b"two".to_vec()));
    assert_eq!(names(&mailbox.list("kept/", None).unwrap().objects), ["kept/one", "kept/two"]);
    mailbox.put("kept/three", b"three").unwrap();
    assert_eq!(mailbox.get("kept/three").unwrap(), Some(b"three".to_vec()));
}
