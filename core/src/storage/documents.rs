//! Automerge documents on disk: a snapshot plus incremental change chunks, a small in-memory cache, compaction, and
//! the signatures of the changes this profile made.
//!
//! Loading a whole document is the expensive part of Automerge (a 10k-message document takes ~36 ms and 26 MB peak),
//! so documents are kept small (see the segment schema), loaded only to change them, and cached. Each write bumps
//! the document's `generation`; a cached copy whose generation differs from the stored one is reloaded first. That
//! keeps two handles on one profile (or two processes) from building two different changes on the same actor and
//! sequence number, which Automerge would treat as a forked history.

use std::collections::VecDeque;

use automerge::{ActorId, Automerge, Change, ChangeHash, ReadDoc};
use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::am;
use crate::error::{Error, Result};
use crate::identity::LocalIdentity;
use crate::ids::{DocId, GroupId, MemberId};

/// A document is due for compaction when this many incremental chunks have piled up (about 75 KB of chat changes)...
const COMPACT_AFTER_CHUNKS: i64 = 256;
/// ...or when the chunks outweigh the snapshot and this many bytes (a few big changes, such as an import).
const COMPACT_MIN_INCREMENTAL_BYTES: i64 = 256 * 1024;
/// Compaction re-saves the whole document, several milliseconds for a full segment (tens on a low-cost phone), so a
/// single local write (a post, a reaction, an edit) does not do it when it falls due: that is left to
/// [`crate::Kindred::maintain`], which an app calls when idle, and to batch writes and sync, which compact what is due
/// as they go. A local write compacts only past this many times the due point, so that a document cannot pile up
/// chunks without bound (and grow slow to load) when maintenance never runs. Posting alone stays under it: a segment
/// takes at most [`crate::schema::segment::SEGMENT_CAPACITY`] entries, one change each.
const LOCAL_WRITE_COMPACTION_FACTOR: i64 = 4;

/// When a write compacts the document it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compaction {
    /// As soon as it is due (batch writes, sync).
    WhenDue,
    /// Only when far past due (single local writes).
    PastLimit,
}

/// Whether a document holding `count` incremental chunks of `bytes` in all, beside a snapshot of `snapshot` bytes,
/// is due for compaction (`factor` 1) or that many times past due.
fn compaction_due(count: i64, bytes: i64, snapshot: i64, factor: i64) -> bool {
    count > 0
        && (count >= COMPACT_AFTER_CHUNKS * factor || bytes >= snapshot.max(COMPACT_MIN_INCREMENTAL_BYTES) * factor)
}

/// What a document holds; segments and group documents belong to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocKind {
    Group,
    Segment,
    Personal,
}

impl DocKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DocKind::Group => "group",
            DocKind::Segment => "segment",
            DocKind::Personal => "personal",
        }
    }
}

/// Where a document belongs: its kind, group, and for a message segment its author and index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DocPlace {
    pub kind: DocKind,
    pub group: Option<GroupId>,
    pub author: Option<MemberId>,
    pub segment: u32,
}

impl DocPlace {
    /// The group document of `group`.
    pub(crate) fn group(group: GroupId) -> Self {
        Self { kind: DocKind::Group, group: Some(group), author: None, segment: 0 }
    }

    /// Segment `segment` of `author`'s messages in `group`.
    pub(crate) fn segment(group: GroupId, author: MemberId, segment: u32) -> Self {
        Self { kind: DocKind::Segment, group: Some(group), author: Some(author), segment }
    }

    /// The document id this place must have: derived, never taken on trust.
    pub(crate) fn expected_id(&self) -> Option<DocId> {
        match (self.kind, self.group, self.author) {
            (DocKind::Group, Some(group), _) => Some(group.doc_id()),
            (DocKind::Segment, Some(group), Some(author)) => Some(group.segment_doc_id(&author, self.segment)),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct CachedDoc {
    id: DocId,
    generation: i64,
    doc: Automerge,
    /// How many keys the root map had at a generation (see [`DocCache::root_len`]).
    root_len: Option<(i64, usize)>,
}

/// The last few documents used, most recent at the front. Small on purpose: documents are bounded, and phones
/// have little memory.
#[derive(Debug)]
pub(crate) struct DocCache {
    entries: VecDeque<CachedDoc>,
    capacity: usize,
}

impl DocCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { entries: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Forgets everything; used after a failed write, whose in-memory changes never reached the disk.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    fn position(&self, id: &DocId) -> Option<usize> {
        self.entries.iter().position(|e| &e.id == id)
    }

    /// The document as stored now, with `actor` as its writer, or `None` if this profile does not hold it.
    pub(crate) fn get(&mut self, conn: &Connection, id: &DocId, actor: &ActorId) -> Result<Option<&mut Automerge>> {
        let Some(generation) = stored_generation(conn, id)? else {
            return Ok(None);
        };
        let position = self.position(id);
        // Already the most recent and as stored: the usual case while writing one document (a post looks it up three
        // times), and it spares moving the whole Automerge value out of the cache and back in.
        if position == Some(0) && self.entries.front().is_some_and(|e| e.generation == generation) {
            return Ok(self.entries.front_mut().map(|e| &mut e.doc));
        }
        let entry = match position {
            Some(index) => self.entries.remove(index).filter(|e| e.generation == generation),
            None => None,
        };
        let entry = match entry {
            Some(entry) => entry,
            None => {
                let doc = am::load(id, &stored_bytes(conn, id)?)?.with_actor(actor.clone());
                CachedDoc { id: *id, generation, doc, root_len: None }
            }
        };
        self.entries.push_front(entry);
        self.entries.truncate(self.capacity);
        Ok(self.entries.front_mut().map(|e| &mut e.doc))
    }

    /// The document, created empty (and registered in storage) if this profile does not hold it yet.
    pub(crate) fn get_or_create(
        &mut self,
        conn: &Connection,
        id: &DocId,
        place: DocPlace,
        actor: &ActorId,
    ) -> Result<&mut Automerge> {
        if stored_generation(conn, id)?.is_none() {
            conn.execute(
                sql(q::DOCUMENTS_GET_OR_CREATE),
                params![
                    id,
                    place.kind.as_str(),
                    place.group.as_ref().map(|g| &g.as_bytes()[..]).unwrap_or(&[]),
                    place.author.as_ref().map(|a| &a.as_bytes()[..]).unwrap_or(&[]),
                    place.segment
                ],
            )?;
        }
        self.get(conn, id, actor)?.ok_or_else(|| Error::internal(format!("document {id} vanished after creation")))
    }

    /// How many keys the root map of the document has (a segment's entries), or `None` if this profile does not hold
    /// it. Counting walks the whole map, tens of microseconds for a full segment at every post, so the count is kept
    /// with the cached copy for its generation and carried over a write by [`DocCache::added_root_key`].
    pub(crate) fn root_len(&mut self, conn: &Connection, id: &DocId, actor: &ActorId) -> Result<Option<usize>> {
        if self.get(conn, id, actor)?.is_none() {
            return Ok(None);
        }
        let Some(entry) = self.entries.front_mut() else { return Ok(None) };
        let len = match entry.root_len {
            Some((generation, len)) if generation == entry.generation => len,
            _ => entry.doc.length(automerge::ROOT),
        };
        entry.root_len = Some((entry.generation, len));
        Ok(Some(len))
    }

    /// The write just stored for `id` (one change, which moved its generation on by one) added exactly one key to its
    /// root map: a root count kept for the generation before moves on with it. (A count that cannot be carried over
    /// is dropped by the generation check, and the map counted again when next asked.)
    pub(crate) fn added_root_key(&mut self, id: &DocId) {
        if let Some(index) = self.position(id)
            && let Some(entry) = self.entries.get_mut(index)
            && let Some((generation, len)) = entry.root_len
            && generation + 1 == entry.generation
        {
            entry.root_len = Some((entry.generation, len + 1));
        }
    }

    /// The cached copy of the document, if there is one and it is as stored now; the cache's order is left alone.
    fn peek(&self, conn: &Connection, id: &DocId) -> Result<Option<&Automerge>> {
        let Some(generation) = stored_generation(conn, id)? else {
            return Ok(None);
        };
        Ok(self.entries.iter().find(|e| &e.id == id && e.generation == generation).map(|e| &e.doc))
    }

    fn set_generation(&mut self, id: &DocId, generation: i64) {
        if let Some(index) = self.position(id)
            && let Some(entry) = self.entries.get_mut(index)
        {
            entry.generation = generation;
        }
    }
}

fn stored_generation(conn: &Connection, id: &DocId) -> Result<Option<i64>> {
    Ok(conn.prepare_cached(sql(q::DOCUMENTS_STORED_GENERATION))?.query_row([id], |row| row.get(0)).optional()?)
}

/// The snapshot followed by every incremental chunk, in write order: what `Automerge::load` takes.
fn stored_bytes(conn: &Connection, id: &DocId) -> Result<Vec<u8>> {
    let mut stmt = conn.prepare_cached(sql(q::DOCUMENTS_STORED_BYTES))?;
    let mut bytes = Vec::new();
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        let chunk =
            row.get_ref(0)?.as_blob().map_err(|e| Error::document(id, format!("stored chunk is not a blob: {e}")))?;
        bytes.extend_from_slice(chunk);
    }
    Ok(bytes)
}

/// Stores `changes` (made by this profile on `doc`, already applied to the cached copy), signs the newest, bumps the
/// document's generation and compacts it if its chunks have piled up. Call inside the write transaction that also
/// updates the read model, so both land or neither does.
pub(crate) fn persist_local_changes(
    conn: &Connection,
    cache: &mut DocCache,
    identity: &LocalIdentity,
    id: &DocId,
    changes: &[Change],
) -> Result<()> {
    let signed: Vec<SignedHead> = changes
        .iter()
        .max_by_key(|c| c.seq())
        .map(|c| SignedHead {
            actor: c.actor_id().clone(),
            seq: c.seq(),
            hash: c.hash(),
            signature: identity.sign_change(id, &c.hash()),
        })
        .into_iter()
        .collect();
    store_changes(conn, cache, id, changes, &signed, Compaction::PastLimit)
}

/// The newest change of one actor in one document, signed by the actor's member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedHead {
    pub actor: ActorId,
    pub seq: u64,
    pub hash: ChangeHash,
    pub signature: [u8; 64],
}

/// Stores changes already applied to the cached copy of `id`, and the signed heads that cover them (each kept only
/// if it is newer than the one stored for its actor), and compacts the document if that is due. (`_actor`, this
/// profile's writer, is no longer needed: compaction leaves the cache alone.)
pub(crate) fn persist_changes(
    conn: &Connection,
    cache: &mut DocCache,
    _actor: &ActorId,
    id: &DocId,
    changes: &[Change],
    heads: &[SignedHead],
) -> Result<()> {
    store_changes(conn, cache, id, changes, heads, Compaction::WhenDue)
}

fn store_changes(
    conn: &Connection,
    cache: &mut DocCache,
    id: &DocId,
    changes: &[Change],
    heads: &[SignedHead],
    compaction: Compaction,
) -> Result<()> {
    let mut insert_chunk = conn.prepare_cached(sql(q::DOCUMENTS_STORE_CHANGES_INSERT_DOCUMENT_CHUNKS))?;
    let mut added_bytes = 0i64;
    for change in changes {
        let bytes = change.raw_bytes();
        insert_chunk.execute(params![id, bytes])?;
        added_bytes += bytes.len() as i64;
    }
    let mut upsert_head = conn.prepare_cached(sql(q::DOCUMENTS_STORE_CHANGES_INSERT_ACTOR_HEADS))?;
    for head in heads {
        let seq = i64::try_from(head.seq).map_err(|_| Error::internal("change sequence overflow"))?;
        upsert_head.execute(params![id, head.actor.to_bytes(), seq, &head.hash.0[..], &head.signature[..]])?;
    }
    let (generation, snapshot_bytes, chunk_count, chunk_bytes): (i64, i64, i64, i64) = conn
        .prepare_cached(sql(q::DOCUMENTS_STORE_CHANGES_UPDATE_DOCUMENTS))?
        .query_row(params![id, changes.len() as i64, added_bytes], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    cache.set_generation(id, generation);
    let factor = match compaction {
        Compaction::WhenDue => 1,
        Compaction::PastLimit => LOCAL_WRITE_COMPACTION_FACTOR,
    };
    if compaction_due(chunk_count, chunk_bytes, snapshot_bytes, factor) {
        compact(conn, cache, id)?;
    }
    Ok(())
}

/// Compacts the document if that is due (see [`COMPACT_AFTER_CHUNKS`]); says whether it did.
pub(crate) fn compact_if_due(conn: &Connection, cache: &mut DocCache, id: &DocId) -> Result<bool> {
    let counts: Option<(i64, i64, i64)> = conn
        .prepare_cached(sql(q::DOCUMENTS_COMPACT_IF_DUE))?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match counts {
        Some((count, bytes, snapshot)) if compaction_due(count, bytes, snapshot, 1) => compact(conn, cache, id),
        _ => Ok(false),
    }
}

/// The documents [`crate::Kindred::maintain`] compacts, most chunks first: those due, and `me`'s closed segments
/// (older than the group's current one) with any chunk left, so a segment that is no longer written rests as one
/// snapshot.
pub(crate) fn due_for_compaction(conn: &Connection, me: &MemberId) -> Result<Vec<DocId>> {
    let mut stmt = conn.prepare_cached(sql(q::DOCUMENTS_DUE_FOR_COMPACTION))?;
    let rows =
        stmt.query_map(params![COMPACT_AFTER_CHUNKS, COMPACT_MIN_INCREMENTAL_BYTES, me], |r| r.get::<_, DocId>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces a document's snapshot and chunks with one fresh snapshot, in the caller's transaction: a crash leaves
/// either the old chunks or the new snapshot, never neither. Says whether there was anything to fold in. A document
/// not in the cache is loaded for this alone and not cached, so compacting old documents does not push out the
/// ones being written.
pub(crate) fn compact(conn: &Connection, cache: &mut DocCache, id: &DocId) -> Result<bool> {
    let pending: Option<i64> =
        conn.prepare_cached(sql(q::DOCUMENTS_COMPACT_SELECT_DOCUMENTS))?.query_row([id], |r| r.get(0)).optional()?;
    if pending.unwrap_or(0) == 0 {
        return Ok(false);
    }
    let snapshot = match cache.peek(conn, id)? {
        Some(doc) => am::guarded(id, "saving", || Ok(doc.save()))?,
        None => {
            let doc = am::load(id, &stored_bytes(conn, id)?)?;
            am::guarded(id, "saving", || Ok(doc.save()))?
        }
    };
    conn.prepare_cached(sql(q::DOCUMENTS_COMPACT_DELETE_DOCUMENT_CHUNKS))?.execute([id])?;
    conn.prepare_cached(sql(q::DOCUMENTS_COMPACT_INSERT_DOCUMENT_CHUNKS))?.execute(params![id, snapshot])?;
    let generation: i64 = conn
        .prepare_cached(sql(q::DOCUMENTS_COMPACT_UPDATE_DOCUMENTS))?
        .query_row(params![id, snapshot.len() as i64], |r| r.get(0))?;
    cache.set_generation(id, generation);
    Ok(true)
}

/// The member key an actor writes for, with the member's certificate for it.
#[cfg_attr(not(feature = "test-support"), allow(dead_code))]
pub(crate) fn actor_certificate(conn: &Connection, actor: &ActorId) -> Result<Option<([u8; 32], Vec<u8>)>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .prepare_cached(sql(q::DOCUMENTS_ACTOR_CERTIFICATE))?
        .query_row([actor.to_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(member, cert)| {
        let member = member.try_into().map_err(|_| Error::internal("stored member key has the wrong length"))?;
        Ok((member, cert))
    })
    .transpose()
}

/// Every actor certified for `member`.
pub(crate) fn actors_of_member(conn: &Connection, member: &MemberId) -> Result<Vec<ActorId>> {
    let mut stmt = conn.prepare_cached(sql(q::DOCUMENTS_ACTORS_OF_MEMBER))?;
    let rows = stmt.query_map([member], |r| r.get::<_, Vec<u8>>(0))?;
    Ok(rows.map(|r| r.map(ActorId::from)).collect::<rusqlite::Result<_>>()?)
}

/// Records the certificate binding an actor to a member key.
pub(crate) fn insert_actor_certificate(
    conn: &Connection,
    actor: &ActorId,
    member: &[u8; 32],
    certificate: &[u8],
) -> Result<()> {
    conn.execute(sql(q::DOCUMENTS_INSERT_ACTOR_CERTIFICATE), params![actor.to_bytes(), &member[..], certificate])?;
    Ok(())
}

/// The signed newest change of one actor in one document, if any.
#[cfg_attr(not(feature = "test-support"), allow(dead_code))]
pub(crate) fn signed_head(conn: &Connection, id: &DocId, actor: &ActorId) -> Result<Option<SignedHead>> {
    let row: Option<(i64, Vec<u8>, Vec<u8>)> = conn
        .prepare_cached(sql(q::DOCUMENTS_SIGNED_HEAD))?
        .query_row(params![id, actor.to_bytes()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((seq, hash, signature)) = row else { return Ok(None) };
    let bad = || Error::internal(format!("stored signed head of document {id} is malformed"));
    Ok(Some(SignedHead {
        actor: actor.clone(),
        seq: u64::try_from(seq).map_err(|_| bad())?,
        hash: ChangeHash(hash.try_into().map_err(|_| bad())?),
        signature: signature.try_into().map_err(|_| bad())?,
    }))
}

/// Chunk statistics of one document: (snapshots, incremental chunks, total bytes).
#[cfg(test)]
pub(crate) fn chunk_stats(conn: &Connection, id: &DocId) -> Result<(i64, i64, i64)> {
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE kind = 'snapshot'), count(*) FILTER (WHERE kind = 'incremental'), \
                coalesce(sum(length(bytes)), 0) \
         FROM document_chunks WHERE doc_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// One actor's line of a version vector: actor id, newest sequence number, that change's hash.
pub(crate) type ClockEntry = (Vec<u8>, u64, [u8; 32]);

/// Each actor's newest sequence number and change hash in a document: its version vector, which says exactly which
/// changes this profile holds (an actor's changes are numbered without gaps).
pub(crate) fn clock(conn: &Connection, id: &DocId) -> Result<Vec<ClockEntry>> {
    let mut stmt = conn.prepare_cached(sql(q::DOCUMENTS_CLOCK))?;
    let rows = stmt.query_map([id], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (actor, seq, hash) = row?;
        let hash = hash.try_into().map_err(|_| Error::internal("stored change hash has the wrong length"))?;
        out.push((actor, seq.unsigned_abs(), hash));
    }
    Ok(out)
}

/// Every document of a group this profile holds (its own first, then the segments by author and index), with where
/// each belongs.
pub(crate) fn group_documents(conn: &Connection, group: &GroupId) -> Result<Vec<(DocId, DocPlace)>> {
    documents_where(conn, group, "")
}

/// The documents of a group that this phone shares with peers (in sync, digests and bundles): the group document
/// and the segments of keys that hold an entry in the group. Segments of a key whose admission turned out to have no
/// effect stay on this phone, hidden, and travel no further.
pub(crate) fn shared_documents(conn: &Connection, group: &GroupId) -> Result<Vec<(DocId, DocPlace)>> {
    documents_where(
        conn,
        group,
        "AND (kind = 'group' OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.group_ref = gm.group_ref \
             WHERE g.group_id = documents.group_id AND gm.member = documents.author))",
    )
}

fn documents_where(conn: &Connection, group: &GroupId, condition: &str) -> Result<Vec<(DocId, DocPlace)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT doc_id, kind, author, segment FROM documents WHERE group_id = ?1 {condition} \
         ORDER BY kind, author, segment"
    ))?;
    let rows = stmt.query_map([group], |r| {
        Ok((r.get::<_, DocId>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, u32>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, author, segment) = row?;
        let place = match kind.as_str() {
            "group" => DocPlace::group(*group),
            "segment" => {
                let author =
                    <[u8; 32]>::try_from(author).map_err(|_| Error::internal(format!("segment {id} has no author")))?;
                DocPlace::segment(*group, MemberId::from_bytes(author), segment)
            }
            other => return Err(Error::internal(format!("document {id} of kind {other} in a group"))),
        };
        out.push((id, place));
    }
    Ok(out)
}

/// Makes one change to a document as this profile, at time `at`, and persists it with its signature.
///
/// With `place`, a document this profile does not hold yet is created first. If `edit` fails, the Automerge
/// transaction is rolled back and nothing is written. (A thin shim over [`change_local_dyn`], so the work is in the
/// library once rather than once per kind of change.)
pub(crate) fn change_local<T>(
    conn: &Connection,
    cache: &mut DocCache,
    identity: &LocalIdentity,
    id: &DocId,
    place: Option<DocPlace>,
    at: i64,
    edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<T>,
) -> Result<T> {
    let mut edit = Some(edit);
    let mut out = None;
    change_local_dyn(conn, cache, identity, id, place, at, &mut |tx| {
        let Some(edit) = edit.take() else { return Err(crate::kindred::internal("a change's edit ran twice")) };
        out = Some(edit(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| crate::kindred::internal("a change's edit did not run"))
}

fn change_local_dyn(
    conn: &Connection,
    cache: &mut DocCache,
    identity: &LocalIdentity,
    id: &DocId,
    place: Option<DocPlace>,
    at: i64,
    edit: &mut dyn FnMut(&mut automerge::transaction::Transaction<'_>) -> Result<()>,
) -> Result<()> {
    let doc = match place {
        Some(place) => cache.get_or_create(conn, id, place, identity.actor())?,
        None => cache.get(conn, id, identity.actor())?.ok_or_else(|| Error::not_found("document", id))?,
    };
    let mut tx = doc.transaction();
    if let Err(e) = edit(&mut tx) {
        tx.rollback();
        return Err(e);
    }
    let (hash, _) = tx.commit_with(automerge::transaction::CommitOptions::default().with_time(at));
    if hash.is_some() {
        let change = doc.get_last_local_change().ok_or_else(|| Error::internal("committed change not found"))?;
        persist_local_changes(conn, cache, identity, id, &[change])?;
    }
    Ok(())
}
