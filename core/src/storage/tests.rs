//! Storage tests that need the internals: schema migrations, compaction, and damaged or foreign files.

use std::fs;

use rusqlite::Connection;

use super::documents::chunk_stats;
use super::migrations::{SCHEMA_VERSION, migrate, migration_sql};
use super::{DATABASE_FILE, Db};
use crate::error::{Error, ErrorKind};
use crate::{Kindred, NewGroup, NewMessage};

/// Everything that defines the schema, normalised for comparison.
fn schema_of(conn: &Connection) -> Vec<(String, String, String)> {
    let mut stmt = conn
        .prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?.split_whitespace().collect::<Vec<_>>().join(" ")))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// Every released schema version as a database of that version really was: frozen dumps (with a few rows), never
/// regenerated from the shipped migrations, so an edited or reordered old migration shows here as a difference.
const FIXTURES: &[(i64, &str)] = &[
    (1, include_str!("fixtures/schema_v1.sql")),
    (2, include_str!("fixtures/schema_v2.sql")),
    (3, include_str!("fixtures/schema_v3.sql")),
    (4, include_str!("fixtures/schema_v4.sql")),
    (5, include_str!("fixtures/schema_v5.sql")),
    (6, include_str!("fixtures/schema_v6.sql")),
    (7, include_str!("fixtures/schema_v7.sql")),
    (8, include_str!("fixtures/schema_v8.sql")),
    (9, include_str!("fixtures/schema_v9.sql")),
    (10, include_str!("fixtures/schema_v10.sql")),
    (11, include_str!("fixtures/schema_v11.sql")),
];

#[test]
fn every_released_schema_upgrades_to_exactly_the_fresh_one_and_keeps_its_rows() {
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = Kindred::create(fresh_dir.path(), "Fresh").unwrap();
    drop(fresh);
    let fresh = Connection::open(fresh_dir.path().join(DATABASE_FILE)).unwrap();
    let fresh_schema = schema_of(&fresh);
    assert_eq!(fresh.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), SCHEMA_VERSION);
    assert!(
        (1..=SCHEMA_VERSION).all(|v| FIXTURES.iter().any(|(f, _)| *f == v)),
        "freeze a fixture of every released schema version (core/src/storage/fixtures)"
    );

    for (version, dump) in FIXTURES {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(dump).unwrap();
        assert_eq!(conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), *version);
        let tx = conn.transaction().unwrap();
        migrate(&tx, *version).unwrap();
        tx.commit().unwrap();
        assert_eq!(schema_of(&conn), fresh_schema, "upgrading the frozen version {version}");
        assert_eq!(conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), SCHEMA_VERSION);
        // The rows came through, with what later versions derive from them.
        let removed: Vec<(String, i64)> = conn
            .prepare("SELECT display_name, removed FROM group_members ORDER BY display_name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(removed, [("Amara".to_owned(), 0), ("Bo".to_owned(), 1)], "version {version}");
        let joins: i64 = conn.query_row("SELECT count(*) FROM pending_joins", [], |r| r.get(0)).unwrap();
        assert_eq!(joins, 1, "version {version}");
        // Version 4 brought the safety plan: its item comes through; older versions start with an empty plan.
        let plan: Vec<(String, String, String)> = conn
            .prepare("SELECT step, text, contact FROM safety_plan_items")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let expected =
            if *version >= 4 { vec![("people".into(), "My sister Ana".into(), "555 0101".into())] } else { vec![] };
        assert_eq!(plan, expected, "version {version}");
        // Version 5 brought installed resource directories: its row comes through; older versions start with none.
        let directories: Vec<(String, i64)> = conn
            .prepare("SELECT title, version FROM resource_directories")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let expected = if *version >= 5 { vec![("Fixture directory".into(), 2)] } else { vec![] };
        assert_eq!(directories, expected, "version {version}");
        // Version 6 brought directories published into groups: its rows come through.
        let published: i64 = conn
            .query_row(
                "SELECT count(*) FROM group_directories JOIN group_publishers USING (group_ref, publisher)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(published, i64::from(*version >= 6), "version {version}");
        // Version 7 brought instrument results: its row comes through.
        let results: Vec<(String, i64)> = conn
            .prepare("SELECT instrument, score FROM instrument_results")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let expected = if *version >= 7 { vec![("phq9".to_owned(), 8)] } else { vec![] };
        assert_eq!(results, expected, "version {version}");
        // Version 8 brought goals on chosen weekdays, group goals, moderation and personal controls: their rows come
        // through.
        let weekdays: Vec<i64> = conn
            .prepare("SELECT weekdays FROM goals")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let marks: i64 = conn.query_row("SELECT count(*) FROM group_goal_met", [], |r| r.get(0)).unwrap();
        let hidden: i64 = conn.query_row("SELECT count(*) FROM moderated_messages", [], |r| r.get(0)).unwrap();
        let muted: i64 = conn.query_row("SELECT count(*) FROM muted_members", [], |r| r.get(0)).unwrap();
        let expected = if *version >= 8 { (vec![21], 1, 1, 1) } else { (vec![], 0, 0, 0) };
        assert_eq!((weekdays, marks, hidden, muted), expected, "version {version}");
    }
}

#[test]
fn released_migrations_are_never_edited() {
    // Migrations are append-only: once released, a step's SQL must never change, or databases that already ran it
    // would differ from fresh ones. If this fails, add a new migration instead of editing an old one.
    const RELEASED: &[&str] = &[
        "5809bca3a64508aecd4fbf705e820a49f2edb105544b5b9f15f26b0d6ace23d1",
        "28b3c93c72b8e1f53ac340249b423c22f68e16cee651321add38ddd98d16bc78",
        "fdb767ebcaaec542870adb455d50cc1539e0519ae6ddf998ef5fe904fcc46130",
        "f8f325d07e1a233d1c56bf03205233bd570f6bef39eb1e394d4d74e9509d95cc",
        "84ae05cccd2bd65cfeb64ca38a393e300e628d3232c7b8800bc2a7113e607445",
        "7db60ef7ecda1b371770e9eaf92be6e1a02200903c9ef8bc9bef3040aa2cff33",
        "4041d87b41cf1151a8e657adab69cf426a5f4b05656003991ed6bde8a651446d",
        "5fcbbee3d8a4d8d391c48f5fac1ec278085bc6922eab9078d7a9bd2cf4578d3b",
        "c29ecf4869e131ed16c220fd539b84664ae42d4b62548bfdee6bf1c5adbcc062",
        "8aeada77dcb11fadfaeec56ee37d98935be24f99220c030611c23913f43e843b",
        "00334f6eb72e8125197c81beb2df549914ccf117b343498c64bca1d6686a124e",
    ];
    for (i, expected) in RELEASED.iter().enumerate() {
        let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(migration_sql(i).as_bytes()));
        assert_eq!(&digest, expected, "migration {} was edited after release", i + 1);
    }
    // As many migrations shipped as the schema version says, each in `sql/` (and none beyond).
    let shipped = (0..).take_while(|&i| !migration_sql(i).is_empty()).count();
    assert_eq!(shipped as i64, SCHEMA_VERSION);
    assert!(std::path::Path::new(&format!("src/storage/sql/v{SCHEMA_VERSION}.sql")).exists());
    assert!(!std::path::Path::new(&format!("src/storage/sql/v{}.sql", SCHEMA_VERSION + 1)).exists());
    assert_eq!(RELEASED.len() as i64, SCHEMA_VERSION, "pin the checksum of every migration when it is released");
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(Kindred::create(dir.path(), "Ada").unwrap());
    let path = dir.path().join(DATABASE_FILE);
    Connection::open(&path).unwrap().pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    let before = fs::read(&path).unwrap();
    assert!(
        matches!(Kindred::open(dir.path()).as_ref().map_err(Error::kind), Err(ErrorKind::NewerSchema { found, .. }) if *found == SCHEMA_VERSION + 1)
    );
    assert_eq!(fs::read(&path).unwrap(), before);
}

fn assert_untouched_after_open(bytes: &[u8]) -> Error {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    fs::write(&path, bytes).unwrap();
    let err = Kindred::open(dir.path()).expect_err("a damaged file must not open");
    assert_eq!(fs::read(&path).unwrap(), bytes, "the file must be left exactly as it was");
    assert!(
        matches!(Kindred::create(dir.path(), "Eve").as_ref().map_err(Error::kind), Err(ErrorKind::ProfileExists(_))),
        "and never overwritten"
    );
    assert_eq!(fs::read(&path).unwrap(), bytes);
    err
}

#[test]
fn garbage_and_empty_files_are_reported_as_corrupt_and_kept() {
    assert!(matches!(
        assert_untouched_after_open(b"this is not a database at all, just text").kind(),
        ErrorKind::CorruptDatabase { .. }
    ));
    assert!(matches!(assert_untouched_after_open(b"").kind(), ErrorKind::CorruptDatabase { .. }));
}

#[test]
fn a_damaged_kindred_database_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kindred::create(dir.path(), "Ada").unwrap();
    let g = k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap();
    k.post_many(
        &g.id,
        (0..300)
            .map(|i| NewMessage { text: format!("message number {i} with some words"), ..Default::default() })
            .collect(),
    )
    .unwrap();
    drop(k);
    let mut bytes = fs::read(dir.path().join(DATABASE_FILE)).unwrap();
    // Keep the header and page 1 (so it still looks like a Kindred file); scramble the pages after it.
    for (i, b) in bytes.iter_mut().enumerate().skip(4096) {
        *b = (i as u8).wrapping_mul(31) ^ 0x5a;
    }
    let err = assert_untouched_after_open(&bytes);
    // Depending on which page SQLite reads first, damage shows at open or on first use; both must be typed.
    if !matches!(err.kind(), ErrorKind::CorruptDatabase { .. }) {
        panic!("expected CorruptDatabase, got {err:?}");
    }
}

#[test]
fn damage_found_after_open_is_typed_too() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kindred::create(dir.path(), "Ada").unwrap();
    let g = k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap();
    k.post_many(
        &g.id,
        (0..400)
            .map(|i| NewMessage { text: format!("message {i} {}", "words ".repeat(10)), ..Default::default() })
            .collect(),
    )
    .unwrap();
    drop(k);
    let path = dir.path().join(DATABASE_FILE);
    let mut bytes = fs::read(&path).unwrap();
    let len = bytes.len();
    // Scramble the last pages (message rows and indexes), leaving the schema pages intact.
    for b in bytes.iter_mut().skip(len - 8 * 4096) {
        *b ^= 0xa5;
    }
    fs::write(&path, &bytes).unwrap();
    match Kindred::open(dir.path()) {
        Err(err) => assert!(matches!(err.kind(), ErrorKind::CorruptDatabase { .. }), "{err:?}"),
        Ok(k) => {
            let checked = k.check_integrity();
            assert!(
                matches!(checked.as_ref().map_err(Error::kind), Err(ErrorKind::CorruptDatabase { .. })),
                "{checked:?}"
            );
        }
    }
    assert!(path.exists());
}

#[test]
fn a_foreign_sqlite_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('someone else''s data');").unwrap();
    drop(conn);
    let bytes = fs::read(&path).unwrap();
    assert!(matches!(assert_untouched_after_open(&bytes).kind(), ErrorKind::ForeignDatabase(_)));
}

#[test]
fn compaction_folds_chunks_into_one_snapshot_without_losing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kindred::create(dir.path(), "Ada").unwrap();
    let g = k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap();
    let ids = k
        .post_many(
            &g.id,
            (0..600)
                .map(|i| NewMessage { text: format!("compaction test message {i}"), ..Default::default() })
                .collect(),
        )
        .unwrap();
    for id in ids.iter().take(40) {
        k.react(&g.id, id, Some("👍")).unwrap();
    }
    let seg0 = g.id.segment_doc_id(&k.profile().member_id, 0);
    let (snapshots, incrementals, bytes) = k.lock().db.read(|tx| chunk_stats(tx, &seg0)).unwrap();
    assert_eq!(snapshots, 1, "compaction has run and left exactly one snapshot");
    assert!(incrementals < 256, "chunks are folded in regularly, found {incrementals}");
    // 640 changes of ~300 B each would be ~190 KB uncompacted.
    assert!(bytes < 100_000, "compacted size {bytes} B");

    // Force one more compaction and check the document reloads with every message and reaction.
    {
        let mut inner = k.lock();
        let crate::kindred::Inner { db, cache, .. } = &mut *inner;
        db.write(|tx| super::documents::compact(tx, cache, &seg0)).unwrap();
        cache.clear();
    }
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    let doc_len = {
        let actor = k.with_identity(|id| id.actor().clone());
        let mut inner = k.lock();
        let crate::kindred::Inner { db, cache, .. } = &mut *inner;
        db.read(|tx| Ok(automerge::ReadDoc::length(cache.get(tx, &seg0, &actor)?.unwrap(), automerge::ROOT))).unwrap()
    };
    // 600 messages and 40 reaction entries.
    assert_eq!(doc_len, 640);
    let last = k.message(&g.id, &ids[0]).unwrap();
    assert_eq!(last.reactions.len(), 1);
    // Writing after compaction continues the same actor's sequence.
    k.post(&g.id, NewMessage { text: "after compaction".into(), ..Default::default() }).unwrap();
}

#[test]
fn db_create_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    drop(Db::create(dir.path(), DATABASE_FILE, None, |_| Ok(())).unwrap());
    let names: Vec<_> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.iter().all(|n| n.starts_with(DATABASE_FILE)), "{names:?}");
}

fn chunks_of(k: &Kindred, doc: &crate::DocId) -> (i64, i64) {
    let (snapshots, incrementals, _) = k.lock().db.read(|tx| chunk_stats(tx, doc)).unwrap();
    (snapshots, incrementals)
}

/// A post never stops to compact: the chunks wait for `maintain`, which folds them into one snapshot, and nothing is
/// lost on the way.
#[test]
fn single_posts_leave_compaction_to_maintenance() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kindred::create(dir.path(), "Ada").unwrap();
    let g = k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap();
    let seg0 = g.id.segment_doc_id(&k.profile().member_id, 0);
    let posts = 300;
    for i in 0..posts {
        k.post(&g.id, NewMessage { text: format!("single post {i}"), ..Default::default() }).unwrap();
    }
    assert_eq!(chunks_of(&k, &seg0), (0, posts), "no post compacted the segment, though it was due after 256");

    assert!(k.maintain().unwrap() >= 1);
    assert_eq!(chunks_of(&k, &seg0), (1, 0));
    assert_eq!(k.maintain().unwrap(), 0, "nothing is due any more");

    k.post(&g.id, NewMessage { text: "after maintenance".into(), ..Default::default() }).unwrap();
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    let page = k.messages(&g.id, 500, None).unwrap();
    assert_eq!(page.len(), posts as usize + 1);
    assert_eq!(page.first().map(|m| m.text.as_str()), Some("single post 0"));
    assert_eq!(page.last().map(|m| m.text.as_str()), Some("after maintenance"));
    k.post(&g.id, NewMessage { text: "after reopening".into(), ..Default::default() }).unwrap();
    assert_eq!(chunks_of(&k, &seg0), (1, 2));
}

/// A segment closed by a post keeps its last chunks until `maintain`, which folds them in; the open segment, not
/// due, is left alone.
#[test]
fn maintenance_compacts_closed_segments() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kindred::create(dir.path(), "Ada").unwrap();
    let g = k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap();
    let me = k.profile().member_id;
    let (seg0, seg1) = (g.id.segment_doc_id(&me, 0), g.id.segment_doc_id(&me, 1));
    let capacity = crate::schema::segment::SEGMENT_CAPACITY as usize;
    let batch = (1..capacity).map(|i| NewMessage { text: format!("batch {i}"), ..Default::default() }).collect();
    k.post_many(&g.id, batch).unwrap();
    // A batch compacts as it goes: at 256, 512 and 768 of its 999 changes.
    assert_eq!(chunks_of(&k, &seg0), (1, 999 - 768));
    k.post(&g.id, NewMessage { text: "the last one that fits".into(), ..Default::default() }).unwrap();
    k.post(&g.id, NewMessage { text: "the first of the next segment".into(), ..Default::default() }).unwrap();
    assert_eq!((chunks_of(&k, &seg0), chunks_of(&k, &seg1)), ((1, 1000 - 768), (0, 1)));

    assert_eq!(k.maintain().unwrap(), 1);
    assert_eq!((chunks_of(&k, &seg0), chunks_of(&k, &seg1)), ((1, 0), (0, 1)));
    assert_eq!(k.messages(&g.id, 2, None).unwrap().len(), 2);

    // A batch that fills a segment leaves it as one snapshot.
    let batch = (0..capacity).map(|i| NewMessage { text: format!("second batch {i}"), ..Default::default() }).collect();
    k.post_many(&g.id, batch).unwrap();
    assert_eq!(chunks_of(&k, &seg1), (1, 0));
    assert_eq!(k.messages(&g.id, 500, None).unwrap().len(), 500);
}

/// A segment takes exactly `SEGMENT_CAPACITY` entries, posts and reactions alike, however the count is kept between
/// posts.
#[test]
fn a_segment_closes_at_capacity_with_posts_and_reactions_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kindred::create(dir.path(), "Ada").unwrap();
    let g = k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap();
    let capacity = crate::schema::segment::SEGMENT_CAPACITY as usize;
    let ids = k
        .post_many(
            &g.id,
            (0..capacity - 10).map(|i| NewMessage { text: format!("m{i}"), ..Default::default() }).collect(),
        )
        .unwrap();
    let mut last = Vec::new();
    for (i, target) in ids.iter().take(5).enumerate() {
        last.push(k.post(&g.id, NewMessage { text: format!("p{i}"), ..Default::default() }).unwrap().id);
        // A new reaction entry, then a changed one (no new entry).
        k.react(&g.id, target, Some("👍")).unwrap();
        k.react(&g.id, target, Some("❤️")).unwrap();
    }
    let overflow = k.post(&g.id, NewMessage { text: "overflow".into(), ..Default::default() }).unwrap().id;
    let segment_of = |id: &crate::MessageId| {
        k.lock()
            .db
            .read(|tx| {
                let group_ref = super::groups::require(tx, &g.id)?;
                Ok(super::messages::author_and_segment(tx, group_ref, id)?.map(|(_, segment, _)| segment))
            })
            .unwrap()
    };
    assert_eq!(last.iter().map(segment_of).collect::<Vec<_>>(), vec![Some(0); 5]);
    assert_eq!(segment_of(&overflow), Some(1), "990 + 5 posts + 5 reaction entries fill segment 0");
}

/// Without maintenance, a document written one change at a time still never holds more than four times the chunks
/// at which compaction falls due: the write that reaches that bound compacts.
#[test]
fn local_writes_compact_past_the_hard_bound() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kindred::create(dir.path(), "Ada").unwrap();
    let g = k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap();
    let seg0 = g.id.segment_doc_id(&k.profile().member_id, 0);
    let id = k.post(&g.id, NewMessage { text: "draft".into(), ..Default::default() }).unwrap().id;
    let bound = 4 * 256;
    for i in 1..bound - 1 {
        k.edit_message(&g.id, &id, &format!("draft {i}")).unwrap();
    }
    assert_eq!(chunks_of(&k, &seg0), (0, bound - 1));
    k.edit_message(&g.id, &id, "final").unwrap();
    assert_eq!(chunks_of(&k, &seg0), (1, 0));
    assert_eq!(k.message(&g.id, &id).unwrap().text, "final");
}
