use super::*;
use crate::ErrorKind;

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn entry(name: &str, languages: &[&str], country: &str, sub: Option<&str>) -> ResourceEntry {
    ResourceEntry {
        name: name.to_owned(),
        kind: ResourceKind::Phone,
        contact: "000-000-EXAMPLE".to_owned(),
        hours: "24/7".to_owned(),
        languages: languages.iter().map(|l| (*l).to_owned()).collect(),
        country: country.to_owned(),
        subdivision: sub.map(str::to_owned),
        audience: "anyone".to_owned(),
        last_verified: "2026-11-30".to_owned(),
    }
}

fn directory(key: &SigningKey, version: u64, entries: Vec<ResourceEntry>) -> ResourceDirectory {
    ResourceDirectory {
        publisher: MemberId::from_bytes(key.verifying_key().to_bytes()),
        version,
        issued_at: 1_700_000_000_000,
        title: "Test directory".to_owned(),
        example: false,
        entries,
    }
}

/// Encodes and signs without validating, as a hostile or buggy tool might.
fn encode_unchecked(d: &ResourceDirectory, key: &SigningKey) -> Vec<u8> {
    let signature = key.sign(&d.signed_bytes().unwrap()).to_bytes().to_vec();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&postcard::to_stdvec(&d.wire(signature)).unwrap());
    out
}

fn refusal(bytes: &[u8]) -> Refusal {
    let err = ResourceDirectory::from_file_bytes(bytes).expect_err("must be refused");
    err.refusal().unwrap_or_else(|| panic!("not a refusal: {err}"))
}

#[test]
fn the_committed_example_file_is_a_fresh_signing_of_the_example() {
    let fresh = example_directory().sign(&SigningKey::from_bytes(&EXAMPLE_SEED)).unwrap();
    if std::env::var_os("KINDRED_WRITE_EXAMPLE_DIRECTORY").is_some() {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/crisis/example-directory.bin"), &fresh).unwrap();
    }
    assert!(
        example_directory_file() == fresh.as_slice(),
        "regenerate with KINDRED_WRITE_EXAMPLE_DIRECTORY=1 cargo test -p kindred-core --lib directory"
    );
    let parsed = ResourceDirectory::from_file_bytes(example_directory_file()).unwrap();
    assert_eq!(parsed, example_directory());
    assert!(parsed.example);
    assert!(parsed.title.starts_with("EXAMPLE"));
    for e in &parsed.entries {
        assert!(e.name.starts_with("EXAMPLE"), "{}", e.name);
        assert!(e.contact.contains("EXAMPLE") || e.contact.ends_with(".invalid/chat"), "{}", e.contact);
        // No run of digits long enough to dial.
        let digits = e.contact.chars().filter(char::is_ascii_digit).collect::<String>();
        assert!(digits.chars().all(|c| c == '0'), "{}", e.contact);
    }
}

#[test]
fn a_signed_directory_round_trips() {
    let k = key(1);
    let d = directory(&k, 3, vec![entry("Line", &["en"], "KE", Some("KE-30")), entry("Intl", &["es"], "*", None)]);
    let bytes = d.sign(&k).unwrap();
    assert!(bytes.starts_with(MAGIC));
    assert_eq!(ResourceDirectory::from_file_bytes(&bytes).unwrap(), d);
    // Another key cannot sign as the publisher.
    assert!(matches!(d.sign(&key(2)).as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. })));
}

#[test]
fn forged_damaged_and_oversized_files_are_refused() {
    let k = key(1);
    let d = directory(&k, 1, vec![entry("Line", &["en"], "KE", None)]);
    // Signed by someone else.
    assert_eq!(refusal(&encode_unchecked(&d, &key(2))), Refusal::Forged);
    // Content changed after signing.
    let mut changed = d.clone();
    changed.version = 2;
    let signature = k.sign(&d.signed_bytes().unwrap()).to_bytes().to_vec();
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&postcard::to_stdvec(&changed.wire(signature)).unwrap());
    assert_eq!(refusal(&bytes), Refusal::Forged);
    // Unsigned.
    let mut unsigned = MAGIC.to_vec();
    unsigned.extend_from_slice(&postcard::to_stdvec(&d.wire(Vec::new())).unwrap());
    assert_eq!(refusal(&unsigned), Refusal::Forged);

    let good = d.sign(&k).unwrap();
    assert_eq!(refusal(&good[1..]), Refusal::Malformed, "wrong magic");
    assert_eq!(refusal(b""), Refusal::Malformed);
    assert_eq!(refusal(&good[..good.len() - 5]), Refusal::Malformed, "truncated");
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(refusal(&trailing), Refusal::Malformed, "bytes after the end");
    let mut huge = good.clone();
    huge.resize(MAX_DIRECTORY_BYTES + 1, 0);
    assert_eq!(refusal(&huge), Refusal::Oversized);
    let many = directory(&k, 1, vec![entry("Line", &["en"], "KE", None); MAX_DIRECTORY_ENTRIES + 1]);
    assert_eq!(refusal(&encode_unchecked(&many, &k)), Refusal::Oversized);
    assert_eq!(many.sign(&k).unwrap_err().refusal(), Some(Refusal::Oversized));
    // Flipping any byte never panics and is always refused.
    for i in MAGIC.len()..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x55;
        assert!(ResourceDirectory::from_file_bytes(&bad).is_err(), "byte {i}");
    }
}

type Change = Box<dyn Fn(&mut ResourceDirectory)>;

#[test]
fn every_field_is_checked_on_parse() {
    let k = key(1);
    let cases: Vec<(&str, Change)> = vec![
        ("lowercase country", Box::new(|d| d.entries[0].country = "ke".into())),
        ("three-letter country", Box::new(|d| d.entries[0].country = "KEN".into())),
        ("empty country", Box::new(|d| d.entries[0].country = String::new())),
        ("subdivision of another country", Box::new(|d| d.entries[0].subdivision = Some("UG-102".into()))),
        (
            "subdivision of *",
            Box::new(|d| {
                d.entries[0].country = "*".into();
                d.entries[0].subdivision = Some("KE-30".into());
            }),
        ),
        ("bad subdivision", Box::new(|d| d.entries[0].subdivision = Some("KE-".into()))),
        ("uppercase language", Box::new(|d| d.entries[0].languages = vec!["EN".into()])),
        ("language with region", Box::new(|d| d.entries[0].languages = vec!["en-GB".into()])),
        ("no language", Box::new(|d| d.entries[0].languages = vec![])),
        ("bad date", Box::new(|d| d.entries[0].last_verified = "2026-13-01".into())),
        ("short date", Box::new(|d| d.entries[0].last_verified = "2026-1-01".into())),
        ("control character in a name", Box::new(|d| d.entries[0].name = "Line\u{7}".into())),
        ("newline in a contact", Box::new(|d| d.entries[0].contact = "000\n000".into())),
        ("NUL in hours", Box::new(|d| d.entries[0].hours = "24/7\0".into())),
        ("bidi override in a contact", Box::new(|d| d.entries[0].contact = "\u{202E}000-111".into())),
        ("bidi isolate in a name", Box::new(|d| d.entries[0].name = "Line \u{2067}x\u{2069}".into())),
        ("empty name", Box::new(|d| d.entries[0].name = " ".into())),
        ("long audience", Box::new(|d| d.entries[0].audience = "a".repeat(MAX_AUDIENCE_CHARS + 1))),
        ("long title", Box::new(|d| d.title = "t".repeat(MAX_TITLE_CHARS + 1))),
        ("version past i64", Box::new(|d| d.version = u64::MAX)),
    ];
    for (what, change) in cases {
        let mut d = directory(&k, 1, vec![entry("Line", &["en"], "KE", None)]);
        change(&mut d);
        assert_eq!(refusal(&encode_unchecked(&d, &k)), Refusal::Malformed, "{what}");
        assert!(d.sign(&k).is_err(), "{what}: a tool cannot sign it either");
        let err = ResourceDirectory::from_file_bytes(&encode_unchecked(&d, &k)).unwrap_err().to_string();
        assert!(!err.contains("Line"), "{what}: the reason names fields, not content: {err}");
    }
}

#[test]
fn lookup_prefers_the_subdivision_then_the_country_then_international_and_the_language_within_each() {
    let k = key(1);
    let d = directory(
        &k,
        1,
        vec![
            entry("intl-en", &["en"], "*", None),
            entry("ke-en", &["en"], "KE", None),
            entry("ke-sw", &["sw"], "KE", None),
            entry("nairobi", &["sw", "en"], "KE", Some("KE-30")),
            entry("mombasa", &["sw"], "KE", Some("KE-28")),
            entry("mx", &["es"], "MX", None),
            entry("intl-es", &["es"], "*", None),
        ],
    );
    fn names(l: &ResourceLookup) -> Vec<&str> {
        l.entries.iter().map(|f| f.entry.name.as_str()).collect()
    }
    let dirs = [d];

    let l = lookup(&dirs, Some("ke-30"), Some("sw-KE")).unwrap();
    assert_eq!(l.matched, ResourceMatch::Subdivision);
    assert_eq!(names(&l), ["nairobi", "ke-sw", "ke-en", "intl-en", "intl-es"]);
    assert!(l.entries[0].in_language && !l.entries[2].in_language);

    let l = lookup(&dirs, Some("KE"), Some("en")).unwrap();
    assert_eq!(l.matched, ResourceMatch::Country);
    assert_eq!(names(&l), ["ke-en", "ke-sw", "nairobi", "mombasa", "intl-en", "intl-es"]);

    let l = lookup(&dirs, Some("KE-47"), Some("es")).unwrap();
    assert_eq!(l.matched, ResourceMatch::Country, "no entry for KE-47: the country's");
    assert_eq!(names(&l), ["ke-en", "ke-sw", "intl-es", "intl-en"]);

    let l = lookup(&dirs, Some("UG"), Some("es")).unwrap();
    assert_eq!(l.matched, ResourceMatch::International);
    assert_eq!(names(&l), ["intl-es", "intl-en"]);
    let l = lookup(&dirs, None, None).unwrap();
    assert_eq!((l.matched, names(&l)), (ResourceMatch::International, vec!["intl-en", "intl-es"]));

    let local_only = [directory(&k, 1, vec![entry("mx", &["es"], "MX", None)])];
    let l = lookup(&local_only, Some("UG"), Some("en")).unwrap();
    assert_eq!((l.matched, l.entries.len()), (ResourceMatch::Nothing, 0));
    assert_eq!(lookup(&[], Some("KE"), None).unwrap().matched, ResourceMatch::Nothing);

    for bad in ["K", "KEN", "K3", "KE-", "KE-ABCD", "UG_30", "KE-30-1"] {
        assert!(
            matches!(
                lookup(&dirs, Some(bad), None).as_ref().map_err(Error::kind),
                Err(ErrorKind::InvalidInput { field: "region", .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn example_entries_are_marked_and_come_after_real_ones() {
    let k = key(1);
    let real = directory(&k, 1, vec![entry("real", &["sw"], "KE", None)]);
    let example = ResourceDirectory::from_file_bytes(example_directory_file()).unwrap();
    let l = lookup(&[example, real], Some("KE"), Some("sw")).unwrap();
    assert_eq!(l.entries[0].entry.name, "real");
    assert!(!l.entries[0].example);
    assert!(l.entries[1..].iter().all(|f| f.example && f.entry.name.starts_with("EXAMPLE")));
}
