//! Sync across distance: an end-to-end encrypted mailbox on any S3-compatible object store, for members who never
//! meet or whose phones accept no incoming connections. The store is trusted with nothing.
//!
//! A **round** ([`Kindred::relay_sync`], one group) reads, then writes:
//! 1. **List** the group's mailbox (one request when nothing is new) and fetch the objects not fetched before, at most
//!    [`MAX_FETCH_PER_ROUND`] of them, each at most [`MAX_OBJECT_BYTES`].
//! 2. **Open** each with what this phone holds (`envelope`): an epoch key for data objects, its own slot of a key
//!    object, or a join request sealed to it. One that opens no way is fetched again in the next two rounds (a store
//!    may have served it damaged; its key may come later), then taken as junk and never fetched again.
//! 3. **Take in** what opened, through the same checks as any sync (`crate::sync::ingest`: signatures, authority,
//!    bounds), group documents first; note each writer's declaration (how far it has read, what it holds).
//! 4. **Put** one object if there is something to say: the changes this phone holds that it has not put before (what
//!    it took from the mailbox counts as put: nothing is echoed back), and
//!    for a member whose declaration shows it lacks what was put (a dropped object, a newcomer), what it lacks; the
//!    bodies that go with them and those asked for; and this phone's own declaration. A phone that took in data owes
//!    an acknowledgement, so it puts one even with nothing new; an acknowledgement alone asks for none back.
//! 5. **Delete** its own objects once every active member has read them, or after [`RETENTION_MS`].
//!
//! **Epochs.** Objects are sealed with the key of an epoch made for exactly the group's active members. When the
//! active members change (an admission, a removal, a leave), the first phone to notice makes a new key and puts a
//! key object sealing it to each of them; a removed member's phone gets no slot, so it cannot read what is put after.
//! Phones that made one each at once converge on the lowest id; any key a phone holds opens objects, so none is lost.
//!
//! **Joining through the mailbox.** A phone holding an invitation to a group it does not hold puts a join request
//! sealed to the inviter; the inviter's phone admits it (the same checks as in person), makes the next epoch with the
//! newcomer in it, and puts the group's history for it.
//!
//! What a store, or anyone holding its credentials, can still do: see sizes and timing, delay, withhold. Everything
//! else (replaying, reordering, dropping, duplicating, truncating, moving objects between names or groups, junk) costs
//! an honest phone bounded work and nothing else; `docs/relay.md` goes through each.

mod envelope;
mod payload;
mod state;
mod store;

use std::collections::{HashMap, HashSet};

use sha2::{Digest as _, Sha256};

pub use envelope::MAX_OBJECT_BYTES;
pub use store::{Mailbox, StoreError, StoreListing, StoredObject};

use self::envelope::{EpochKey, mailbox, object_name, well_named};
use self::payload::{Delta, DocClocks, EpochHeader, JoinAsk, Put};
use self::state::{Epoch, MailboxState};
use crate::am;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{DocId, GroupId, MemberId};
use crate::invite::{Invitation, InviteCode};
use crate::kindred::{Kindred, WriteCtx};
use crate::storage::documents::{self, DocKind};
use crate::storage::{groups as group_store, joins};
use crate::sync::ingest::{DocBatch, ingest_from_peer};
use crate::sync::plan::{PeerClock, missing_for, vouchers_for};
use crate::sync::wire::{JoinRequest, Place, parse_changes};
use crate::time::now_ms;

/// Most listing pages read in one round (a page names up to 1,000 objects).
pub const MAX_LIST_PAGES: usize = 16;
/// Most new objects fetched in one round; the rest wait for the next ([`RelayReport::more`]).
pub const MAX_FETCH_PER_ROUND: usize = 128;
/// Most bytes fetched in one round, all held in memory until taken in (a newcomer's whole history fits many times
/// over); the rest wait for the next round.
pub const MAX_ROUND_BYTES: u64 = 32 * 1024 * 1024;
/// How long a phone leaves an object in the store when not every member has read it: 30 days.
pub const RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;
/// How often a joining phone puts its request again while no one has admitted it: every 6 hours.
pub const JOIN_REQUEST_EVERY_MS: i64 = 6 * 3600 * 1000;
/// Most bodies asked for in one declaration.
const MAX_WANTED: usize = 256;
/// Most writers of one document a member's declaration is kept with (a group's documents have one writer per
/// member who wrote to them; a group has at most a few hundred members).
const MAX_ACTORS_DECLARED: usize = 1024;

/// What one round with a group's mailbox did, and what it cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RelayReport {
    /// Requests made to the store (lists, gets, puts and deletes).
    pub requests: u32,
    /// Of those, listing pages.
    pub lists: u32,
    /// Of those, objects fetched.
    pub gets: u32,
    /// Of those, objects put.
    pub puts: u32,
    /// Of those, objects deleted.
    pub deletes: u32,
    /// Bytes put.
    pub bytes_sent: u64,
    /// Bytes fetched.
    pub bytes_received: u64,
    /// Objects from other members opened and taken in.
    pub objects_taken: u32,
    /// Objects refused: ones that open with no key held here (junk, or sealed to others), forged or damaged ones,
    /// and changes inside them that the trust rules refused.
    pub objects_refused: u32,
    /// Changes applied.
    pub applied: u64,
    /// Message bodies taken.
    pub bodies: u64,
    /// Members this phone admitted from join requests in the mailbox.
    pub admitted: Vec<MemberId>,
    /// Whether this round completed this phone's join to the group.
    pub joined: bool,
    /// Whether new objects are left for another round (more than one round fetches).
    pub more: bool,
}

/// Counts what the store is asked and how many bytes move.
struct Counted<'a> {
    store: &'a dyn Mailbox,
    report: RelayReport,
}

impl Counted<'_> {
    fn failed(e: StoreError) -> Error {
        ErrorKind::RelayUnavailable(e.0).into()
    }

    fn list(&mut self, prefix: &str, after: Option<&str>) -> Result<StoreListing> {
        self.report.requests += 1;
        self.report.lists += 1;
        self.store.list(prefix, after).map_err(Self::failed)
    }

    fn get(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        self.report.requests += 1;
        self.report.gets += 1;
        let bytes = self.store.get(name).map_err(Self::failed)?;
        self.report.bytes_received += bytes.as_ref().map_or(0, |b| b.len() as u64);
        Ok(bytes)
    }

    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        self.report.requests += 1;
        self.report.puts += 1;
        self.report.bytes_sent += bytes.len() as u64;
        self.store.put(name, bytes).map_err(Self::failed)
    }

    fn delete(&mut self, name: &str) -> Result<()> {
        self.report.requests += 1;
        self.report.deletes += 1;
        self.store.delete(name).map_err(Self::failed)
    }
}

/// What this phone is to the group: an active member, or joining it with an invitation.
enum Standing {
    Member,
    Joining(InviteCode),
}

/// An object opened in this round.
enum Opened {
    Data(Put),
    Join(JoinAsk),
}

impl Kindred {
    /// One round with `group`'s mailbox in `store`: takes in what other members put there, puts what they lack,
    /// removes what everyone has read. Safe to run again at any time (a round cut short by a failing store is
    /// finished by the next); run one round per group at a time. Needs this profile to be an active member of the
    /// group, or to hold an invitation to it (joining through the mailbox).
    pub fn relay_sync(&self, group: &GroupId, store: &dyn Mailbox) -> Result<RelayReport> {
        let mut store = Counted { store, report: RelayReport::default() };
        let prefix = mailbox(group);
        let (mut state, standing) =
            self.read(|tx, me| Ok((MailboxState::load(tx, group)?, standing_in(tx, group, me)?)))?;
        let loaded = state.encode()?;
        let Some(mut standing) = standing else {
            return Err(Error::not_permitted("only a member of a group, or someone invited to it, uses its mailbox"));
        };

        // 1. What is new in the mailbox.
        let (listed, complete) = list_all(&mut store, &prefix)?;
        let own: HashSet<&str> = state.puts.iter().map(|(_, n, _)| n.as_str()).collect();
        let seen: HashSet<&str> = state.seen.iter().map(String::as_str).collect();
        let fresh: Vec<String> = listed
            .iter()
            .filter(|o| {
                well_named(&prefix, &o.name) && !seen.contains(o.name.as_str()) && !own.contains(o.name.as_str())
            })
            .filter(|o| o.size <= MAX_OBJECT_BYTES as u64)
            .map(|o| o.name.clone())
            .collect();
        store.report.more = fresh.len() > MAX_FETCH_PER_ROUND;
        if complete {
            let listed: HashSet<&str> = listed.iter().map(|o| o.name.as_str()).collect();
            state.seen.retain(|n| listed.contains(n.as_str()));
            state.failed.retain(|(n, _)| listed.contains(n.as_str()));
        }
        let mut fetched = Vec::new();
        let mut budget = MAX_ROUND_BYTES;
        for name in fresh.into_iter().take(MAX_FETCH_PER_ROUND) {
            if budget < MAX_OBJECT_BYTES as u64 && budget < listed_size(&listed, &name) {
                store.report.more = true;
                break;
            }
            match store.get(&name)? {
                Some(bytes) if bytes.len() <= MAX_OBJECT_BYTES => {
                    budget = budget.saturating_sub(bytes.len() as u64);
                    fetched.push((name, bytes));
                }
                Some(_) => {
                    state.seen.push(name);
                    store.report.objects_refused += 1;
                }
                // Listed but gone (deleted since, or a listing naming what is not there): not asked for again while
                // listed.
                None => state.seen.push(name),
            }
        }
        state.trim_seen();

        // 2. Open what can be opened: key objects first, as they may open the rest.
        let secret = zeroize::Zeroizing::new(self.with_identity(|i| i.x25519_secret()));
        let me = self.with_identity(|i| i.member_id());
        let mut unopened = Vec::new();
        let mut opened = Vec::new();
        for (name, bytes) in fetched {
            match envelope::open_data(&state.keys(), &name, &bytes) {
                Some((epoch, plain)) => opened.push((name, epoch, plain)),
                None => unopened.push((name, bytes)),
            }
        }
        let mut joins = Vec::new();
        let mut junk = Vec::new();
        for (name, bytes) in unopened {
            if let Some((epoch, header)) = envelope::open_key_object(group, &secret, &name, &bytes) {
                if let Some(header) = self.accept_epoch(group, &standing, &epoch, &header, &me)? {
                    state.seen.push(name);
                    state.add_epoch(Epoch {
                        id: epoch.0,
                        key: epoch.1,
                        members: header.members,
                        made_at: now_ms(),
                        mine: false,
                        key_objects: Vec::new(),
                    });
                    continue;
                }
            } else if let Some(plain) = envelope::open_join(group, &secret, &bytes) {
                state.seen.push(name);
                joins.push(plain);
                continue;
            }
            junk.push((name, bytes));
        }
        for (name, bytes) in junk {
            match envelope::open_data(&state.keys(), &name, &bytes) {
                Some((epoch, plain)) => opened.push((name, epoch, plain)),
                None => {
                    state.failed_again(&name);
                    store.report.objects_refused += 1;
                }
            }
        }
        let keys = state.keys();
        let mut puts = Vec::new();
        for (name, epoch, plain) in opened {
            let put = Put::open(&plain).ok().filter(|p| {
                p.group == *group.as_bytes()
                    && p.writer != *me.as_bytes()
                    && keys
                        .iter()
                        .any(|(id, key)| *id == epoch && object_name(&prefix, key, b"d", &p.writer, p.seq) == name)
            });
            match put {
                Some(put) => {
                    state.seen.push(name);
                    puts.push(Opened::Data(put));
                }
                None => {
                    // It opened under a group key, so it is exactly what a key holder sealed: fetching it again
                    // cannot mend it.
                    state.seen.push(name);
                    store.report.objects_refused += 1;
                }
            }
        }
        for plain in joins {
            match JoinAsk::open(&plain, group) {
                Ok(ask) => puts.push(Opened::Join(ask)),
                Err(_) => store.report.objects_refused += 1,
            }
        }

        // 3. Take it in: join requests, then group documents, then the rest. What came from the mailbox is in the
        // mailbox already: it counts as put (this phone relays only what reached it some other way).
        if !puts.is_empty() {
            let before = self.read(|tx, _| Ok((holdings(tx, group)?, newest_message(tx, group)?)))?;
            let declarations = self.take_in(group, &mut state, &mut store.report, puts)?;
            let after = self.read(|tx, _| Ok((holdings(tx, group)?, newest_message(tx, group)?)))?;
            keep_declarations(&mut state, &me, declarations, &after.0);
            state.published_from_mailbox(&before.0, &after.0);
            if state.bodies_mark >= before.1 {
                state.bodies_mark = after.1;
            }
        }
        if let Standing::Joining(_) = standing
            && store.report.joined
        {
            standing = Standing::Member;
            // It has put nothing but its requests to join: they are done with.
            for (_, name, _) in state.puts.clone() {
                store.delete(&name)?;
                state.puts.retain(|(_, n, _)| *n != name);
            }
        }
        // A round that found nothing new writes nothing.
        if state.encode()? != loaded {
            self.write(|ctx| state.save(ctx.tx, group))?;
        }

        // 4. Put.
        match standing {
            Standing::Joining(code) => self.ask_to_join(group, &prefix, &code, &mut state, &mut store)?,
            Standing::Member => self.put_round(group, &prefix, &mut state, &mut store)?,
        }

        // 5. Tidy the store.
        self.delete_read(group, &mut state, &mut store)?;
        Ok(store.report)
    }

    /// Whether to keep an epoch this phone was handed: made by a member of the group (by this phone's view; anyone,
    /// while it is joining and knows no members yet, as whatever the epoch opens is checked on ingest), sealed to it.
    fn accept_epoch(
        &self,
        group: &GroupId,
        standing: &Standing,
        epoch: &EpochKey,
        header: &[u8],
        me: &MemberId,
    ) -> Result<Option<EpochHeader>> {
        let Ok(header) = EpochHeader::open(header, group, &epoch.0, &epoch.1) else { return Ok(None) };
        if !header.members.contains(me.as_bytes()) {
            return Ok(None);
        }
        let made_by = MemberId::from_bytes(header.made_by);
        let accepted = self.read(|tx, _| {
            Ok(match group_store::group_ref(tx, group)? {
                Some(group_ref) => group_store::standing(tx, group_ref, &made_by)?.is_some_and(|s| !s.removed),
                None => matches!(standing, Standing::Joining(_)),
            })
        })?;
        Ok(accepted.then_some(header))
    }

    /// Takes in what opened; returns the puts of active members, whose declarations are to be kept
    /// ([`keep_declarations`]).
    fn take_in(
        &self,
        group: &GroupId,
        state: &mut MailboxState,
        report: &mut RelayReport,
        opened: Vec<Opened>,
    ) -> Result<Vec<Put>> {
        let mut puts = Vec::new();
        for item in opened {
            match item {
                Opened::Join(ask) => self.answer_join(group, state, report, ask)?,
                Opened::Data(put) => puts.push(put),
            }
        }
        crate::sorting::sort_by_u64_key(&mut puts, |p| p.seq);
        // Group documents first (they say who may write the rest), from writers not known here to be removed: asked
        // again before each put, as the group documents of one may remove the writer of the next.
        let mut refused = vec![false; puts.len()];
        for (i, put) in puts.iter().enumerate() {
            let removed = self.read(|tx, _| {
                let Some(group_ref) = group_store::group_ref(tx, group)? else { return Ok(false) };
                Ok(group_store::standing(tx, group_ref, &MemberId::from_bytes(put.writer))?.is_some_and(|s| s.removed))
            })?;
            if removed {
                if let Some(r) = refused.get_mut(i) {
                    *r = true;
                }
                continue;
            }
            for delta in put.docs.iter().filter(|d| d.place.kind == crate::sync::wire::PlaceKind::Group) {
                if !self.take_delta(group, delta.clone(), report)?
                    && let Some(r) = refused.get_mut(i)
                {
                    *r = true;
                }
            }
        }
        // The rest only from writers who are members now, once the group documents are in (nothing else changes who
        // is): someone else holding a group key (a removed member, keys a member handed out) neither writes nor takes
        // a declaration's place (each kept declaration is room a phone keeps).
        let active: HashSet<[u8; 32]> = self
            .read(|tx, _| match group_store::group_ref(tx, group)? {
                Some(_) => active_members(tx, group),
                None => Ok(Vec::new()),
            })?
            .into_iter()
            .collect();
        let mut declarations = Vec::new();
        for (i, put) in puts.into_iter().enumerate() {
            if !active.contains(&put.writer) {
                report.objects_refused += 1;
                continue;
            }
            let mut whole = !refused.get(i).copied().unwrap_or(true);
            for delta in put.docs.iter().filter(|d| d.place.kind != crate::sync::wire::PlaceKind::Group) {
                whole &= self.take_delta(group, delta.clone(), report)?;
            }
            let bodies: Vec<Vec<u8>> =
                put.bodies.iter().filter(|b| crate::bodies::Body::decode(b).is_ok()).cloned().collect();
            // An active member's: this phone holds the group.
            if !bodies.is_empty() {
                report.bodies += self.write(|ctx| crate::bodies::receive(ctx, group, &bodies))?;
            }
            if whole {
                report.objects_taken += 1;
            } else {
                report.objects_refused += 1;
            }
            state.owe_ack |= put.carries_data();
            declarations.push(put);
        }
        Ok(declarations)
    }

    /// Ingests one document's changes from an object; `false` if the trust rules refused them (nothing of them was
    /// kept: a member whose holdings then lack them is sent them again).
    fn take_delta(&self, group: &GroupId, delta: Delta, report: &mut RelayReport) -> Result<bool> {
        if delta.place.group != *group.as_bytes() {
            return Ok(false);
        }
        let doc = delta.place.doc();
        let batch = (|| {
            let changes = if delta.snapshot.is_empty() {
                parse_changes(&doc, delta.changes)?
            } else {
                let loaded = am::load_peer(&doc, &delta.snapshot)?;
                am::guarded_peer("reading a mailbox snapshot", || Ok(loaded.get_changes(&[])))?
            };
            let (heads, certificates) = delta.vouchers.into_parts()?;
            Ok(DocBatch { doc, place: delta.place.to_doc_place()?, changes, heads, certificates, live: true })
        })();
        let result = batch.and_then(|batch| self.write(|ctx| ingest_from_peer(ctx, &batch)));
        match result.and_then(|(ingested, joined)| Ok((ingested.into_result()?, joined))) {
            Ok((ingested, joined)) => {
                report.applied += ingested.applied;
                report.joined |= joined;
                Ok(true)
            }
            Err(e) if e.refusal().is_some() => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// A join request sealed to this phone: admitted with the checks of an admission in person; the newcomer is
    /// then owed the group's history.
    fn answer_join(
        &self,
        group: &GroupId,
        state: &mut MailboxState,
        report: &mut RelayReport,
        ask: JoinAsk,
    ) -> Result<()> {
        let joiner = MemberId::from_bytes(ask.joiner);
        let Ok(invitation) = Invitation::from_bytes(&ask.request.invitation) else {
            report.objects_refused += 1;
            return Ok(());
        };
        let proof: [u8; 64] = ask.request.proof.as_slice().try_into().unwrap_or([0; 64]);
        if invitation.group_id != *group {
            report.objects_refused += 1;
            return Ok(());
        }
        let admitted =
            self.write(|ctx| crate::membership::admit(ctx, &invitation, &proof, &joiner, &ask.request.display_name));
        match admitted {
            Ok(newly) => {
                if newly {
                    report.admitted.push(joiner);
                }
                // Whether just admitted or admitted before (its request put again): it holds nothing of the group
                // until it is sent the history, which the next put carries.
                let last_put = state.last_put;
                if let Some(peer) = state.peer_mut(&ask.joiner)
                    && peer.latest == 0
                {
                    peer.acked = last_put;
                    peer.clocks = Vec::new();
                    peer.resent_for = [0xff; 32];
                }
                report.objects_taken += 1;
            }
            Err(e) if e.refusal().is_some() => report.objects_refused += 1,
            Err(other) => return Err(other),
        }
        Ok(())
    }

    /// A joining phone puts its request to the inviter, again every [`JOIN_REQUEST_EVERY_MS`] until admitted.
    fn ask_to_join(
        &self,
        group: &GroupId,
        prefix: &str,
        code: &InviteCode,
        state: &mut MailboxState,
        store: &mut Counted<'_>,
    ) -> Result<()> {
        let now = now_ms();
        if state.asked_to_join_at > 0 && now - state.asked_to_join_at < JOIN_REQUEST_EVERY_MS {
            return Ok(());
        }
        let me = self.with_identity(|i| i.member_id());
        let (request, seq) = self.write(|ctx| {
            let display_name = crate::storage::profile::load(ctx.tx)?.display_name;
            let request =
                JoinRequest { invitation: code.invitation().to_bytes(), proof: code.prove(&me).to_vec(), display_name };
            let seq = state.take_seq();
            state.save(ctx.tx, group)?;
            Ok((request, seq))
        })?;
        let ask = self.with_identity(|identity| JoinAsk::signed(identity, group, request))?;
        let inviter = crate::sealed::key_of(&code.inviter)?;
        let bytes = envelope::seal_join(group, &inviter, &ask)?;
        let names_key = crate::vault::prf(group.as_bytes(), b"kindred/relay/join-names/v1");
        let name = object_name(prefix, &names_key, b"j", me.as_bytes(), seq);
        store.put(&name, &bytes)?;
        state.asked_to_join_at = now;
        state.puts.push((seq, name, now));
        self.write(|ctx| state.save(ctx.tx, group))
    }

    /// A member's put: a new epoch first if the active members changed, then one data object if there is anything
    /// to say.
    fn put_round(
        &self,
        group: &GroupId,
        prefix: &str,
        state: &mut MailboxState,
        store: &mut Counted<'_>,
    ) -> Result<()> {
        let me = self.with_identity(|i| i.member_id());
        let active = self.read(|tx, _| active_members(tx, group))?;
        let epoch = match state.epoch_for(&active) {
            Some(epoch) => epoch.clone(),
            None => {
                let mut id = [0u8; 16];
                let mut key = [0u8; 32];
                rand::fill(&mut id);
                rand::fill(&mut key);
                let epoch =
                    Epoch { id, key, members: active.clone(), made_at: now_ms(), mine: true, key_objects: Vec::new() };
                state.add_epoch(epoch.clone());
                self.write(|ctx| state.save(ctx.tx, group))?;
                epoch
            }
        };
        if epoch.mine && epoch.key_objects.is_empty() {
            let header =
                self.with_identity(|i| EpochHeader::new(i, group, epoch.id, &epoch.key, epoch.members.clone()))?;
            // A key that is no curve point belongs to no phone that could open a slot (nor sign): it gets none.
            let recipients: Vec<[u8; 32]> =
                epoch.members.iter().filter_map(|m| crate::sealed::key_of(&MemberId::from_bytes(*m)).ok()).collect();
            // One key object per MAX_SLOTS members, so a reader tries a bounded number of slots in any object.
            let mut names = Vec::new();
            for (i, chunk) in recipients.chunks(envelope::MAX_SLOTS).enumerate() {
                let name = object_name(prefix, &epoch.key, b"k", me.as_bytes(), i as u64);
                let bytes = envelope::seal_key_object(group, &(epoch.id, epoch.key), chunk, &name, &header.encode()?)?;
                store.put(&name, &bytes)?;
                names.push(name);
            }
            let now = now_ms();
            state.puts.extend(names.iter().map(|n| (0, n.clone(), now)));
            if let Some(e) = state.epochs.iter_mut().find(|e| e.id == epoch.id) {
                e.key_objects = names;
            }
            self.write(|ctx| state.save(ctx.tx, group))?;
        }

        let Some(prepared) = self.write(|ctx| prepare_put(ctx, group, state))? else { return Ok(()) };
        let put_bytes = self.with_identity(|identity| prepared.put.seal(identity))?;
        let name = object_name(prefix, &epoch.key, b"d", me.as_bytes(), prepared.put.seq);
        let bytes = envelope::seal_data(&epoch.key, &name, &put_bytes)?;
        store.put(&name, &bytes)?;
        // Put: what it carried counts as published, and the declarations it answered as answered.
        state.last_put = prepared.put.seq;
        state.published = prepared.put.clocks;
        state.bodies_mark = prepared.bodies_mark;
        state.owe_ack = false;
        state.puts.push((prepared.put.seq, name, now_ms()));
        for peer in &mut state.peers {
            peer.latest_at_put = peer.latest;
        }
        for (member, resent_for) in prepared.answered {
            if let Some(peer) = state.peer_mut(&member) {
                peer.answered = peer.latest;
                if let Some(hash) = resent_for {
                    peer.resent_for = hash;
                }
            }
        }
        self.write(|ctx| state.save(ctx.tx, group))
    }

    /// Deletes this phone's objects that every active member has read, and any older than [`RETENTION_MS`].
    fn delete_read(&self, group: &GroupId, state: &mut MailboxState, store: &mut Counted<'_>) -> Result<()> {
        let me = *self.with_identity(|i| i.member_id()).as_bytes();
        // A phone still joining holds no group, and has only its requests to join in the store.
        let active = self.read(|tx, _| match group_store::group_ref(tx, group)? {
            Some(_) => active_members(tx, group).map(Some),
            None => Ok(None),
        })?;
        let Some(active) = active else { return Ok(()) };
        // Declarations of members no longer active are room kept for nothing.
        let peers = state.peers.len();
        state.peers.retain(|p| active.contains(&p.member));
        let forgot = state.peers.len() != peers;
        let now = now_ms();
        // The key object of the epoch in use stays: a member back after a long time needs it.
        let in_use = state.epoch_for(&active).map(|e| e.key_objects.clone()).unwrap_or_default();
        let read_by_all = |seq: u64| {
            active.iter().filter(|m| **m != me).all(|m| state.peers.iter().any(|p| &p.member == m && p.acked >= seq))
        };
        let due: Vec<String> = state
            .puts
            .iter()
            .filter(|(seq, name, at)| match seq {
                0 => now - at > RETENTION_MS && !in_use.contains(name),
                _ => now - at > RETENTION_MS || read_by_all(*seq),
            })
            .map(|(_, name, _)| name.clone())
            .collect();
        if due.is_empty() && !forgot {
            return Ok(());
        }
        for name in &due {
            store.delete(name)?;
            state.puts.retain(|(_, n, _)| n != name);
        }
        self.write(|ctx| state.save(ctx.tx, group))
    }
}

/// Keeps each member's newest declaration, within bounds, as what a member declares is kept until its next put: the
/// clocks of documents this phone holds (`held`, the only ones it compares), at most [`MAX_ACTORS_DECLARED`] writers
/// each, and at most [`MAX_WANTED`] bodies asked for.
fn keep_declarations(state: &mut MailboxState, me: &MemberId, declarations: Vec<Put>, held: &DocClocks) {
    let held: HashSet<&[u8; 16]> = held.iter().map(|(doc, _)| doc).collect();
    for mut put in declarations {
        let Some(peer) = state.peer_mut(&put.writer) else { continue };
        if put.seq <= peer.latest {
            continue;
        }
        put.clocks.retain(|(doc, _)| held.contains(doc));
        for (_, entries) in &mut put.clocks {
            entries.truncate(MAX_ACTORS_DECLARED);
        }
        put.wanted.truncate(MAX_WANTED);
        peer.latest = put.seq;
        peer.acked = put.acks.iter().find(|(m, _)| m == me.as_bytes()).map_or(0, |(_, s)| *s);
        peer.clocks = put.clocks;
        peer.wanted = put.wanted;
    }
}

/// What a put will carry, made in one transaction.
struct Prepared {
    put: Put,
    bodies_mark: i64,
    /// Members whose declarations it answers, with their holdings' hash when it sends them what those lack.
    answered: Vec<([u8; 32], Option<[u8; 32]>)>,
}

/// Builds this phone's put, or `None` when there is nothing to say (no new changes or bodies, nothing asked for,
/// no acknowledgement owed).
fn prepare_put(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, state: &mut MailboxState) -> Result<Option<Prepared>> {
    let group_ref = group_store::require(ctx.tx, group)?;
    if !state.started {
        // A phone new to the mailbox does not put the history it holds: members who lack some of it say so in their
        // declarations and are sent it. Its first put is a declaration (`owe_ack` starts true), so that they can.
        state.published = holdings(ctx.tx, group)?;
        state.bodies_mark = newest_message(ctx.tx, group)?;
        state.started = true;
    }
    let me = ctx.me();
    let standings = group_store::standings(ctx.tx, group_ref)?;
    let active = |m: &[u8; 32]| standings.get(&MemberId::from_bytes(*m)).is_some_and(|s| !s.removed);
    // Members who have read everything this phone put (or have put twice since its last put without reading it) and
    // still lack some of it (a dropped object, a refused one, a newcomer), and whose holdings changed since they were
    // last sent what they lacked.
    let lagging: Vec<(usize, [u8; 32])> = state
        .peers
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            active(&p.member)
                && p.member != *me.as_bytes()
                && (p.acked >= state.last_put || p.latest >= p.latest_at_put + 2)
        })
        .filter(|(_, p)| p.resent_for == [0xff; 32] || lacks(&p.clocks, &state.published))
        .map(|(i, p)| (i, clocks_hash(&p.clocks)))
        .filter(|(i, hash)| state.peers.get(*i).is_some_and(|p| p.resent_for != *hash))
        .collect();
    let actor = ctx.identity.actor().clone();
    let mut docs = Vec::new();
    let mut clocks = Vec::new();
    let mut bodies = Vec::new();
    let mut shared = documents::shared_documents(ctx.tx, group)?;
    crate::sorting::sort_by_u64_key(&mut shared, |(_, place)| u64::from(place.kind != DocKind::Group));
    for (doc_id, place) in shared {
        let now = documents::clock(ctx.tx, &doc_id)?;
        let published = clock_of(&state.published, &doc_id);
        let mut bases: Vec<PeerClock> = Vec::new();
        if !same_clock(&now, published) {
            bases.push(peer_clock(published));
        }
        for (i, _) in &lagging {
            let Some(peer) = state.peers.get(*i) else { continue };
            let theirs = clock_of(&peer.clocks, &doc_id);
            if !same_clock(&now, theirs) {
                if theirs.is_empty()
                    && let (DocKind::Segment, Some(author)) = (place.kind, place.author)
                {
                    bodies.extend(crate::storage::messages::segment_bodies(ctx.tx, group_ref, &author, place.segment)?);
                }
                bases.push(peer_clock(theirs));
            }
        }
        clocks.push((*doc_id.as_bytes(), now));
        if bases.is_empty() {
            continue;
        }
        let Some(doc) = ctx.cache.get(ctx.tx, &doc_id, &actor)? else { continue };
        if bases.iter().any(HashMap::is_empty) {
            // A member lacks the whole document: its snapshot (Automerge's columnar save) is a fraction of the
            // changes one by one, and holds every one of them.
            let snapshot = am::guarded(&doc_id, "saving", || Ok(doc.save()))?;
            let vouchers = vouchers_for(ctx.tx, &doc_id, &doc.get_changes(&[]))?;
            docs.push(Delta { place: Place::new(&doc_id, &place), changes: Vec::new(), vouchers, snapshot });
            continue;
        }
        let mut wanted = HashSet::new();
        for base in &bases {
            wanted.extend(missing_for(doc, base).0.iter().map(|c| c.hash()));
        }
        let changes: Vec<automerge::Change> =
            doc.get_changes(&[]).into_iter().filter(|c| wanted.contains(&c.hash())).collect();
        if changes.is_empty() {
            continue;
        }
        let vouchers = vouchers_for(ctx.tx, &doc_id, &changes)?;
        docs.push(Delta {
            place: Place::new(&doc_id, &place),
            changes: changes.iter().map(|c| c.raw_bytes().to_vec()).collect(),
            vouchers,
            snapshot: Vec::new(),
        });
    }
    bodies.extend(crate::storage::relay::bodies_after(ctx.tx, group_ref, state.bodies_mark)?);
    let bodies_mark = crate::storage::relay::newest_message(ctx.tx, group_ref)?;
    let mut answered: Vec<([u8; 32], Option<[u8; 32]>)> =
        lagging.iter().filter_map(|(i, hash)| state.peers.get(*i).map(|p| (p.member, Some(*hash)))).collect();
    for peer in state.peers.iter().filter(|p| active(&p.member) && p.latest > p.answered && !p.wanted.is_empty()) {
        let tags: Vec<[u8; 8]> = peer.wanted.iter().take(MAX_WANTED).copied().collect();
        bodies.extend(crate::bodies::answer(ctx.tx, &MemberId::from_bytes(peer.member), group, &tags)?);
        answered.push((peer.member, None));
    }
    // The same body may come from several sources (new, asked for, a whole segment resent): once each.
    crate::sorting::sort_by_u64_key(&mut bodies, |b| {
        let hash = crate::sealed::hash_of(b);
        u64::from_be_bytes([hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7]])
    });
    bodies.dedup();
    if docs.is_empty() && bodies.is_empty() && !state.owe_ack {
        return Ok(None);
    }
    let mut wanted = crate::bodies::wanted_tags(ctx.tx, group_ref)?;
    wanted.truncate(MAX_WANTED);
    let put = Put {
        group: *group.as_bytes(),
        writer: *me.as_bytes(),
        seq: state.take_seq(),
        acks: state.peers.iter().filter(|p| p.latest > 0).map(|p| (p.member, p.latest)).collect(),
        clocks,
        wanted,
        docs,
        bodies,
    };
    state.save(ctx.tx, group)?;
    Ok(Some(Prepared { put, bodies_mark, answered }))
}

/// What this phone holds of each of the group's documents that travel (none while it does not hold the group).
fn holdings(tx: &rusqlite::Transaction<'_>, group: &GroupId) -> Result<DocClocks> {
    if group_store::group_ref(tx, group)?.is_none() {
        return Ok(Vec::new());
    }
    documents::shared_documents(tx, group)?
        .into_iter()
        .map(|(doc, _)| Ok((*doc.as_bytes(), documents::clock(tx, &doc)?)))
        .collect()
}

/// The newest local message row of the group (0 while it does not hold the group).
fn newest_message(tx: &rusqlite::Transaction<'_>, group: &GroupId) -> Result<i64> {
    match group_store::group_ref(tx, group)? {
        Some(group_ref) => crate::storage::relay::newest_message(tx, group_ref),
        None => Ok(0),
    }
}

/// What this phone is to `group`: `None` if neither a member nor invited.
fn standing_in(tx: &rusqlite::Transaction<'_>, group: &GroupId, me: &MemberId) -> Result<Option<Standing>> {
    if let Some(group_ref) = group_store::group_ref(tx, group)?
        && group_store::standing(tx, group_ref, me)?.is_some_and(|s| !s.removed)
    {
        return Ok(Some(Standing::Member));
    }
    let join = joins::all(tx)?.into_iter().find(|j| j.group_id == *group);
    Ok(join.and_then(|j| InviteCode::parse(&j.code).ok()).map(Standing::Joining))
}

/// The group's active members, sorted.
fn active_members(tx: &rusqlite::Transaction<'_>, group: &GroupId) -> Result<Vec<[u8; 32]>> {
    let group_ref = group_store::require(tx, group)?;
    let mut members: Vec<[u8; 32]> = group_store::standings(tx, group_ref)?
        .into_iter()
        .filter(|(_, s)| !s.removed)
        .map(|(m, _)| *m.as_bytes())
        .collect();
    crate::sorting::sort_by_u64_key(&mut members, |m| {
        u64::from_be_bytes([m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]])
    });
    Ok(members)
}

/// Every page of the mailbox's listing, up to [`MAX_LIST_PAGES`]; whether it got to the end. Names out of order or
/// outside the prefix are dropped: a store cannot make a round loop or look elsewhere.
fn list_all(store: &mut Counted<'_>, prefix: &str) -> Result<(Vec<StoredObject>, bool)> {
    let mut all: Vec<StoredObject> = Vec::new();
    for _ in 0..MAX_LIST_PAGES {
        let after = all.last().map(|o| o.name.clone());
        let page = store.list(prefix, after.as_deref())?;
        let before = all.len();
        for object in page.objects {
            // After the last name kept, which is where this page was asked to start.
            if object.name.starts_with(prefix) && all.last().is_none_or(|last| object.name > last.name) {
                all.push(object);
            }
        }
        if !page.more {
            return Ok((all, true));
        }
        if all.len() == before {
            break;
        }
    }
    Ok((all, false))
}

/// The size the listing gave for `name`.
fn listed_size(listed: &[StoredObject], name: &str) -> u64 {
    listed.iter().find(|o| o.name == name).map_or(0, |o| o.size)
}

fn clock_of<'a>(clocks: &'a DocClocks, doc: &DocId) -> &'a [documents::ClockEntry] {
    clocks.iter().find(|(d, _)| d == doc.as_bytes()).map_or(&[], |(_, c)| c.as_slice())
}

fn same_clock(a: &[documents::ClockEntry], b: &[documents::ClockEntry]) -> bool {
    a.len() == b.len() && a.iter().all(|entry| b.contains(entry))
}

fn peer_clock(entries: &[documents::ClockEntry]) -> PeerClock {
    entries.iter().map(|(actor, seq, hash)| (actor.clone(), (*seq, *hash))).collect()
}

/// Whether `theirs` lacks any change `published` holds.
fn lacks(theirs: &DocClocks, published: &DocClocks) -> bool {
    published.iter().any(|(doc, entries)| {
        let their = theirs.iter().find(|(d, _)| d == doc).map_or(&[][..], |(_, c)| c.as_slice());
        entries.iter().any(|(actor, seq, _)| their.iter().find(|(a, ..)| a == actor).is_none_or(|(_, s, _)| s < seq))
    })
}

fn clocks_hash(clocks: &DocClocks) -> [u8; 32] {
    Sha256::digest(postcard::to_stdvec(clocks).unwrap_or_default()).into()
}

#[cfg(test)]
mod tests_support {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    /// A bucket in memory.
    #[derive(Default)]
    pub(super) struct Bucket(Mutex<BTreeMap<String, Vec<u8>>>);

    impl Mailbox for Bucket {
        fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
            self.0.lock().unwrap().insert(name.to_owned(), bytes.to_vec());
            Ok(())
        }
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.0.lock().unwrap().get(name).cloned())
        }
        fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError> {
            let objects = self
                .0
                .lock()
                .unwrap()
                .iter()
                .filter(|(n, _)| n.starts_with(prefix) && after.is_none_or(|a| n.as_str() > a))
                .map(|(name, bytes)| StoredObject { name: name.clone(), size: bytes.len() as u64 })
                .collect();
            Ok(StoreListing { objects, more: false })
        }
        fn delete(&self, name: &str) -> Result<(), StoreError> {
            self.0.lock().unwrap().remove(name);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    //! Hand-made objects: correctly sealed under the group's key (as a member, or someone holding an old key, could
    //! make them) but altered, signed by someone else than they claim, or moved to another name. Each is refused and
    //! costs nothing; the honest objects around them still arrive.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::tests_support::Bucket;
    use super::*;
    use crate::{NewGroup, NewMessage};

    fn post(k: &Kindred, group: &GroupId, text: &str) {
        k.post(group, NewMessage { text: text.into(), ..Default::default() }).unwrap();
    }

    fn texts(k: &Kindred, group: &GroupId) -> Vec<String> {
        k.messages(group, 100, None).unwrap().into_iter().map(|m| m.text).collect()
    }

    /// The data objects `writer` has in the bucket, opened: (name, epoch key, put).
    fn puts_of(writer: &Kindred, group: &GroupId, bucket: &Bucket) -> Vec<(String, [u8; 32], Put)> {
        let state = writer.read(|tx, _| MailboxState::load(tx, group)).unwrap();
        let keys = state.keys();
        let mut out = Vec::new();
        for (seq, name, _) in state.puts.iter().filter(|(seq, ..)| *seq > 0) {
            let Some(bytes) = bucket.get(name).unwrap() else { continue };
            let (epoch, plain) = envelope::open_data(&keys, name, &bytes).unwrap();
            let key = keys.iter().find(|(id, _)| *id == epoch).unwrap().1;
            let put = Put::open(&plain).unwrap();
            assert_eq!(put.seq, *seq);
            out.push((name.clone(), key, put));
        }
        out
    }

    /// Seals `signed` (already signed and compressed) as `writer`'s object `seq` under `key`, as a key holder can.
    fn plant(bucket: &Bucket, group: &GroupId, key: &[u8; 32], writer: &[u8; 32], seq: u64, signed: &[u8]) {
        let name = object_name(&mailbox(group), key, b"d", writer, seq);
        bucket.put(&name, &envelope::seal_data(key, &name, signed).unwrap()).unwrap();
    }

    /// Alice's group with Bob and Mallory, all through the mailbox, after Alice has put one post there.
    struct Circle {
        _dirs: Vec<tempfile::TempDir>,
        alice: Kindred,
        bob: Kindred,
        mallory: Kindred,
        group: GroupId,
        bucket: Bucket,
    }

    fn circle() -> Circle {
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let alice = Kindred::create(dirs[0].path(), "Alice").unwrap();
        let bob = Kindred::create(dirs[1].path(), "Bob").unwrap();
        let mallory = Kindred::create(dirs[2].path(), "Mallory").unwrap();
        let group = alice.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
        let bucket = Bucket::default();
        for joiner in [&bob, &mallory] {
            joiner.join_group(&alice.create_invite(&group, 3_600_000).unwrap()).unwrap();
        }
        for _ in 0..3 {
            for k in [&bob, &mallory, &alice] {
                k.relay_sync(&group, &bucket).unwrap();
            }
        }
        post(&alice, &group, "an honest post");
        alice.relay_sync(&group, &bucket).unwrap();
        Circle { _dirs: dirs, alice, bob, mallory, group, bucket }
    }

    #[test]
    fn altered_misattributed_and_moved_objects_are_refused() {
        let Circle { _dirs: _held, alice, bob, mallory, group, bucket } = circle();
        // Bob takes it, and is done with what setting up left him (join requests sealed to Alice are junk to him).
        for _ in 0..3 {
            bob.relay_sync(&group, &bucket).unwrap();
        }
        assert_eq!(texts(&bob, &group), ["an honest post"]);
        let (name, key, honest) = puts_of(&alice, &group, &bucket).pop().unwrap();
        assert!(!honest.docs.is_empty());
        let alice_key = *alice.with_identity(|i| i.member_id()).as_bytes();

        // 1. Altered after signing: acknowledgements rewritten, the signature kept (re-sealed under the key).
        let mut altered = honest.clone();
        altered.seq += 100;
        altered.acks.clear();
        let signed = alice.with_identity(|i| honest.seal(i)).unwrap();
        let inflated = crate::sync::codec::inflate_bounded(&signed, 1 << 20).unwrap();
        let mut wrapper: (Vec<u8>, Vec<u8>) = postcard::from_bytes(&inflated).unwrap();
        wrapper.0 = postcard::to_stdvec(&altered).unwrap();
        let forged = crate::sync::codec::deflate(&postcard::to_stdvec(&wrapper).unwrap()).unwrap();
        plant(&bucket, &group, &key, &alice_key, altered.seq, &forged);

        // 2. Mallory, a member holding the key, signs a put claiming to be Alice's.
        let mut claimed = honest.clone();
        claimed.seq += 200;
        let by_mallory = mallory.with_identity(|i| claimed.seal(i)).unwrap();
        plant(&bucket, &group, &key, &alice_key, claimed.seq, &by_mallory);

        // 3. Alice's honest object copied under another name.
        let moved = format!("{}{}", mailbox(&group), "0".repeat(32));
        bucket.put(&moved, &bucket.get(&name).unwrap().unwrap()).unwrap();

        let mut refused = 0;
        for _ in 0..3 {
            refused += bob.relay_sync(&group, &bucket).unwrap().objects_refused;
        }
        assert_eq!(refused, 2 + 3, "two forged puts, and the moved copy on each of its three tries");
        assert_eq!(texts(&bob, &group), ["an honest post"], "nothing forged was taken");
        let state = bob.read(|tx, _| MailboxState::load(tx, &group)).unwrap();
        let from_alice = state.peers.iter().find(|p| p.member == alice_key).unwrap();
        assert_eq!(from_alice.latest, honest.seq, "no forged object number was taken as Alice's");
    }

    /// A member's declaration is kept until its next put, so a member who declares without measure (clocks of
    /// thousands of documents, thousands of writers, bodies asked for by the thousand) leaves only what the rules
    /// keep; keys that are not members' (someone a group key reached, signing puts under 300 keys of their own) take
    /// no room at all, and the members' declarations are still taken.
    #[test]
    fn declarations_are_kept_within_bounds_and_only_members_take_room() {
        let Circle { _dirs: _held, alice, bob, mallory, group, bucket } = circle();
        let (_, key, honest) = puts_of(&alice, &group, &bucket).pop().unwrap();
        let held = bob.read(|tx, _| holdings(tx, &group)).unwrap();
        assert!(!held.is_empty());

        // Mallory, a member, declares 5,000 documents nobody holds, 5,000 writers of one that is held, and asks for
        // 10,000 bodies.
        let mallory_key = *mallory.with_identity(|i| i.member_id()).as_bytes();
        let mut boundless = honest.clone();
        boundless.writer = mallory_key;
        boundless.seq = 1_000;
        boundless.docs.clear();
        boundless.bodies.clear();
        boundless.clocks =
            (0..5_000u32).map(|i| ([(i % 251) as u8; 16], vec![(i.to_be_bytes().to_vec(), 1, [0; 32])])).collect();
        boundless.clocks.push((held[0].0, (0..5_000u32).map(|i| (i.to_be_bytes().to_vec(), 1, [1; 32])).collect()));
        boundless.wanted = (0..10_000u64).map(u64::to_be_bytes).collect();
        let sealed = mallory.with_identity(|i| boundless.seal(i)).unwrap();
        plant(&bucket, &group, &key, &mallory_key, boundless.seq, &sealed);

        // 300 keys that are no member's, each signing its own put under the group's key.
        for _ in 0..300 {
            let outsider = crate::identity::LocalIdentity::generate();
            let mut put = honest.clone();
            put.writer = *outsider.member_id().as_bytes();
            put.seq = 1;
            plant(&bucket, &group, &key, &put.writer, put.seq, &put.seal(&outsider).unwrap());
        }

        let mut refused = 0;
        for _ in 0..4 {
            refused += bob.relay_sync(&group, &bucket).unwrap().objects_refused;
        }
        assert_eq!(refused, 300, "every outsider's put, and nothing else");
        let state = bob.read(|tx, _| MailboxState::load(tx, &group)).unwrap();
        let alice_key = *alice.with_identity(|i| i.member_id()).as_bytes();
        assert!(state.peers.iter().all(|p| p.member == alice_key || p.member == mallory_key), "only members");
        let from_mallory = state.peers.iter().find(|p| p.member == mallory_key).unwrap();
        assert_eq!(from_mallory.latest, boundless.seq, "her declaration was taken");
        assert!(from_mallory.clocks.iter().all(|(doc, _)| held.iter().any(|(d, _)| d == doc)), "only held documents");
        assert!(from_mallory.clocks.iter().all(|(_, entries)| entries.len() <= MAX_ACTORS_DECLARED));
        assert_eq!(from_mallory.wanted.len(), MAX_WANTED);
        let kept = state.encode().unwrap().len();
        assert!(kept < 100_000, "the mailbox state is {kept} bytes");
    }
}

#[cfg(test)]
mod join_requests {
    //! Hand-made join requests, correctly signed and sealed to the inviter: one borrowing another invitee's
    //! invitation and proof under the sender's own key, one claiming to come from the invitee but signed by someone
    //! else. Neither admits anyone; the invitee's own request still does.
    #![allow(clippy::unwrap_used)]

    use super::tests_support::Bucket;
    use super::*;
    use crate::NewGroup;

    fn plant(bucket: &Bucket, group: &GroupId, inviter: &MemberId, name: &str, ask: &[u8]) {
        let sealed = envelope::seal_join(group, &crate::sealed::key_of(inviter).unwrap(), ask).unwrap();
        bucket.put(&format!("{}{name}", mailbox(group)), &sealed).unwrap();
    }

    #[test]
    fn a_join_request_admits_only_the_key_that_holds_the_invitation_and_signed_it() {
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let alice = Kindred::create(dirs[0].path(), "Alice").unwrap();
        let bob = Kindred::create(dirs[1].path(), "Bob").unwrap();
        let mallory = Kindred::create(dirs[2].path(), "Mallory").unwrap();
        let group = alice.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
        let alice_id = alice.with_identity(|i| i.member_id());
        let bob_id = bob.with_identity(|i| i.member_id());
        let code = InviteCode::parse(&alice.create_invite(&group, 3_600_000).unwrap()).unwrap();
        let bobs_request = JoinRequest {
            invitation: code.invitation().to_bytes(),
            proof: code.prove(&bob_id).to_vec(),
            display_name: "Bob".into(),
        };
        // Mallory, who saw Bob's request, sends it as her own (her key, her signature).
        let borrowed = mallory.with_identity(|i| JoinAsk::signed(i, &group, bobs_request.clone())).unwrap();
        let bucket = Bucket::default();
        plant(&bucket, &group, &alice_id, &"1".repeat(32), &borrowed);
        // And Bob's request with Bob named as the joiner, but signed by Mallory.
        let mut misattributed: JoinAsk =
            postcard::from_bytes(&mallory.with_identity(|i| JoinAsk::signed(i, &group, bobs_request.clone())).unwrap())
                .unwrap();
        misattributed.joiner = *bob_id.as_bytes();
        plant(&bucket, &group, &alice_id, &"2".repeat(32), &postcard::to_stdvec(&misattributed).unwrap());

        let report = alice.relay_sync(&group, &bucket).unwrap();
        assert!(report.admitted.is_empty(), "{report:?}");
        assert_eq!(report.objects_refused, 2, "{report:?}");
        assert_eq!(alice.group(&group).unwrap().members.len(), 1, "nobody was admitted");

        // Bob's own request admits Bob.
        let genuine = bob.with_identity(|i| JoinAsk::signed(i, &group, bobs_request)).unwrap();
        plant(&bucket, &group, &alice_id, &"3".repeat(32), &genuine);
        assert_eq!(alice.relay_sync(&group, &bucket).unwrap().admitted, [bob_id]);
    }
}

#[cfg(test)]
mod large_groups {
    #![allow(clippy::unwrap_used)]

    use super::tests_support::Bucket;
    use super::*;
    use crate::identity::LocalIdentity;
    use crate::{NewGroup, Role};

    /// A group of more members than a key object has slots for: the epoch goes out in several key objects, and a
    /// newcomer finds its slot in whichever holds it.
    #[test]
    fn an_epoch_for_more_members_than_one_key_object_holds_reaches_each() {
        let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
        let alice = Kindred::create(dirs[0].path(), "Alice").unwrap();
        let bob = Kindred::create(dirs[1].path(), "Bob").unwrap();
        let group = alice.create_group(NewGroup { name: "Big".into(), ..Default::default() }).unwrap().id;
        for i in 0..envelope::MAX_SLOTS + 5 {
            let member = LocalIdentity::generate().member_id();
            alice.add_member(&group, &member, &format!("Member {i}"), Role::Member).unwrap();
        }
        bob.join_group(&alice.create_invite(&group, 3_600_000).unwrap()).unwrap();
        let bucket = Bucket::default();
        for _ in 0..2 {
            for k in [&bob, &alice] {
                k.relay_sync(&group, &bucket).unwrap();
            }
        }
        assert!(bob.group(&group).is_ok(), "bob joined");
        let state = alice.read(|tx, _| MailboxState::load(tx, &group)).unwrap();
        let epoch = state.epochs.iter().find(|e| e.members.len() == envelope::MAX_SLOTS + 7).unwrap();
        assert_eq!(epoch.key_objects.len(), 2);
    }
}
