//! Authority: what a group *is* (who holds which role, who was removed, which invitation admitted whom, the group's
//! own fields), worked out from every change of its group document by rules that every phone applies identically,
//! in any delivery order. The read model shows this, never Automerge's merged view of the document.
//!
//! [`super::authorize`] refuses at ingest what no honest app ever writes (a plain member renaming the group, an
//! admission without a proof of possession). What it lets through can still be without effect here, because rights
//! are judged against the whole history, not against the view the author chose to build on:
//!
//! - **Rights come from grants in the change's causal past.** Member rights come from an admission, a direct add or
//!   a restore; moderator rights from the owner's promotion (or a direct add as moderator). The creator is the owner,
//!   for good. Anything the author chooses (timestamps, which dependencies a change names) grants nothing by itself.
//! - **Strong removal and demotion** (the rule p2panda-auth ships by default): a removal or demotion of X takes the
//!   right away from every change by X that is not in its causal past, even a change that points its dependencies at
//!   an old state, unless a later grant in that change's past re-admits X. Whatever rested on a change without effect
//!   (an admission X made, the admitted key's own writes) is without effect too.
//! - **Seniority**: the owner acts on anyone but themselves; moderators on plain members only; members on their own
//!   display name and goals, and admit holders of a valid invitation. Only the owner makes or unmakes moderators.
//! - **Entries are never replaced or deleted**: an admission or add only makes an entry for a key without one; a
//!   removed member returns only by an explicit restore by someone senior to them.
//! - **One invitation admits one key**: of several admissions with one invitation, the first in the canonical order
//!   counts (a causally earlier one always comes first; between concurrent ones, the lower change hash).
//! - **Resource directories**: only the owner marks publishers trusted (or no longer); moderators and the owner
//!   publish a signed directory whose publisher is the owner or was marked trusted in the change's causal past. Of
//!   each publisher's files, the highest version counts (equal versions: the lower content hash); a publisher the
//!   owner no longer trusts has no directory in effect.
//! - **Moderation**: an entry of the moderation log (hide or restore a message) has effect when its author is a
//!   moderator (or the owner) at the change, signs it as themselves, and acts on someone junior to them (the
//!   message's author, as the entry names them: never the owner or themselves; a moderator only on plain members).
//!   So a moderator demoted or removed concurrently loses the actions the demotion overrides, on every phone alike.
//!
//! How: the changes are put in one canonical order (topological, ties broken by change hash) and replayed, each
//! judged by its author's grants in its causal past and by the removals and demotions known; since a removal found
//! later in the order can take effect on earlier concurrent changes, the replay repeats with the removals found until
//! they no longer change (in practice two or three passes; at most [`MAX_PASSES`]). The result is a function of the
//! set of changes alone, so every phone holding the same changes shows the same group.
//!
//! How a change reads as actions (its writes, decoded from its operations) is in `actions`.

// Indices below come from enumerating the same change list they index, so they are always in bounds.
#![allow(clippy::indexing_slicing)]

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use automerge::{ActorId, Automerge, Change, ChangeHash, ReadDoc, ScalarValue};

use crate::crisis::directory::{self, MAX_GROUP_DIRECTORIES};
use crate::error::{Error, Result};
use crate::ids::{GroupId, MemberId, MessageId};
use crate::invite::Invitation;
use crate::model::{ModerationKind, Role};
use crate::schema::group::{Cutoff, PublishedDirectory, Removal, StoredGroup, StoredInvite, StoredMember};
use crate::schema::moderation::{ModerationDetails, StoredModeration};

mod actions;

use actions::{Action, Write, actions_of, bytes_of, put, str_of, time_of, writes_of};

/// Replays at most this many times; the result is deterministic whether or not the removals settled.
pub(crate) const MAX_PASSES: usize = 6;

/// The group as the rules make it, and which changes had no effect.
#[derive(Debug, Clone)]
pub(crate) struct Resolution {
    pub group: StoredGroup,
    /// Per author, how many of their changes are without effect (what a removed member could make a phone keep).
    pub without_effect_by: HashMap<MemberId, usize>,
}

impl Resolution {
    /// The role of an active member.
    pub(crate) fn role_of(&self, member: &MemberId) -> Option<Role> {
        self.group.members.iter().find(|m| &m.member == member && m.removal.is_none()).map(|m| m.role)
    }
}

/// Causal order facts: per change, how far each actor had written in its causal past.
struct Dag {
    actor_index: Vec<usize>,
    seq: Vec<u64>,
    clocks: Vec<Vec<u64>>,
}

impl Dag {
    /// Whether change `a` is in the causal past of change `b` (strictly).
    fn before(&self, a: usize, b: usize) -> bool {
        a != b && self.clocks[b].get(self.actor_index[a]).is_some_and(|&s| s >= self.seq[a])
    }
}

/// The canonical order: topological, ties broken by the lower change hash.
fn canonical_order(changes: &[&Change]) -> Vec<usize> {
    let index: HashMap<ChangeHash, usize> = changes.iter().enumerate().map(|(i, c)| (c.hash(), i)).collect();
    let mut waiting: Vec<usize> = vec![0; changes.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); changes.len()];
    for (i, c) in changes.iter().enumerate() {
        for d in c.deps() {
            if let Some(&p) = index.get(d) {
                waiting[i] += 1;
                children[p].push(i);
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<(ChangeHash, usize)>> =
        (0..changes.len()).filter(|&i| waiting[i] == 0).map(|i| Reverse((changes[i].hash(), i))).collect();
    let mut order = Vec::with_capacity(changes.len());
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &child in &children[i] {
            waiting[child] -= 1;
            if waiting[child] == 0 {
                ready.push(Reverse((changes[child].hash(), child)));
            }
        }
    }
    order
}

fn build_dag(changes: &[&Change], order: &[usize]) -> Dag {
    let index: HashMap<ChangeHash, usize> = changes.iter().enumerate().map(|(i, c)| (c.hash(), i)).collect();
    let mut actors: HashMap<&ActorId, usize> = HashMap::new();
    let actor_index: Vec<usize> = changes
        .iter()
        .map(|c| {
            let next = actors.len();
            *actors.entry(c.actor_id()).or_insert(next)
        })
        .collect();
    let width = actors.len();
    let mut clocks: Vec<Vec<u64>> = vec![Vec::new(); changes.len()];
    for &i in order {
        let mut clock = vec![0u64; width];
        for d in changes[i].deps() {
            if let Some(&p) = index.get(d) {
                for (mine, theirs) in clock.iter_mut().zip(&clocks[p]) {
                    *mine = (*mine).max(*theirs);
                }
            }
        }
        clock[actor_index[i]] = changes[i].seq();
        clocks[i] = clock;
    }
    Dag { actor_index, seq: changes.iter().map(|c| c.seq()).collect(), clocks }
}

/// One member entry as the replay builds it.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    role: Role,
    added_at: i64,
    added_by: MemberId,
    removal: Option<Removal>,
}

/// An invitation as the replay knows it.
#[derive(Debug, Clone, Default)]
struct InviteRecord {
    by: Option<MemberId>,
    expires_at: i64,
    group_name: String,
    key: Option<[u8; 32]>,
    signature: Option<[u8; 64]>,
    used_by: Option<MemberId>,
}

/// Grants and revocations of one right for one member: change indices, in canonical order.
#[derive(Debug, Clone, Default)]
struct Events {
    grants: Vec<usize>,
    revocations: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Level {
    Member,
    Moderator,
}

/// The state one pass of the replay builds.
#[derive(Default)]
struct Pass {
    name: String,
    description: String,
    guidelines: String,
    created_at: i64,
    created_by: Option<MemberId>,
    nonce: [u8; 16],
    members: BTreeMap<MemberId, Entry>,
    invites: BTreeMap<String, InviteRecord>,
    events: HashMap<(MemberId, Level), Events>,
    effective: Vec<bool>,
    /// Directory publishers as the owner last marked them (true: trusted), and the changes that marked them trusted.
    trust: BTreeMap<MemberId, bool>,
    trust_grants: HashMap<MemberId, Vec<usize>>,
    /// Each publisher's best directory published with effect, and how many files were published with effect.
    directories: BTreeMap<MemberId, PublishedDirectory>,
    published: usize,
    /// The moderation log's entries with effect, in the canonical order.
    moderation: Vec<StoredModeration>,
}

/// Works out the group from every change of its document. `author_of` names the member each actor writes for (from
/// the certificates this phone holds); a change whose author is unknown is without effect. Also returns the path of
/// every object the document's changes made, so [`Cache`] can classify later changes without replaying the history.
fn resolve(
    doc: &Automerge,
    group: &GroupId,
    author_of: &dyn Fn(&ActorId) -> Option<MemberId>,
) -> Result<(Resolution, HashMap<String, Vec<String>>)> {
    let owned = doc.get_changes(&[]);
    let changes: Vec<&Change> = owned.iter().collect();
    let order = canonical_order(&changes);
    let dag = build_dag(&changes, &order);
    let mut objects: HashMap<String, Vec<String>> = HashMap::new();
    let mut decoded: Vec<Option<Vec<Write>>> = vec![None; changes.len()];
    for &i in &order {
        decoded[i] = writes_of(changes[i], &mut objects);
    }
    let authors: Vec<Option<MemberId>> = changes.iter().map(|c| author_of(c.actor_id())).collect();

    let mut known_revocations: HashMap<(MemberId, Level), Vec<usize>> = HashMap::new();
    let mut pass = Pass::default();
    for _ in 0..MAX_PASSES {
        pass = replay(group, &changes, &order, &dag, &decoded, &authors, &known_revocations);
        let found: HashMap<(MemberId, Level), Vec<usize>> = pass
            .events
            .iter()
            .filter(|(_, e)| !e.revocations.is_empty())
            .map(|(k, e)| (*k, e.revocations.clone()))
            .collect();
        if found == known_revocations {
            break;
        }
        known_revocations = found;
    }
    let creator =
        pass.created_by.ok_or_else(|| Error::document(group.doc_id(), "the group has no valid first change"))?;
    let mut without_effect_by: HashMap<MemberId, usize> = HashMap::new();
    for (i, effective) in pass.effective.iter().enumerate() {
        if !effective && let Some(author) = authors[i] {
            *without_effect_by.entry(author).or_default() += 1;
        }
    }
    let members = pass
        .members
        .into_iter()
        .map(|(member, e)| StoredMember {
            member,
            name: e.name,
            role: e.role,
            added_at: e.added_at,
            added_by: e.added_by,
            removal: e.removal,
        })
        .collect();
    let trusted_publishers: Vec<MemberId> = pass.trust.iter().filter(|(_, t)| **t).map(|(p, _)| *p).collect();
    let directories = pass
        .directories
        .into_values()
        .filter(|d| d.publisher == creator || trusted_publishers.contains(&d.publisher))
        .collect();
    let invites = pass
        .invites
        .into_iter()
        .filter_map(|(key, i)| Some(StoredInvite { key, by: i.by?, expires_at: i.expires_at, used_by: i.used_by }))
        .collect();
    let resolution = Resolution {
        group: StoredGroup {
            name: pass.name,
            description: pass.description,
            guidelines: pass.guidelines,
            created_at: pass.created_at,
            created_by: creator,
            nonce: pass.nonce,
            members,
            invites,
            trusted_publishers,
            directories,
            moderation: pass.moderation,
        },
        without_effect_by,
    };
    Ok((resolution, objects))
}

/// The last resolutions worked out, per group, so that a change that touches only goals (a progress entry: the
/// commonest write to a group document, and one that changes nobody's rights) does not replay the whole history.
/// Anything else (a membership, role, invitation or details change, or an unclassifiable one) resolves afresh.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    entries: Vec<(GroupId, Cached)>,
}

#[derive(Debug)]
struct Cached {
    heads: Vec<ChangeHash>,
    objects: HashMap<String, Vec<String>>,
    resolution: Resolution,
}

/// Groups whose resolution is kept (a phone's user is in a few groups at most at once).
const CACHED_GROUPS: usize = 4;

impl Cache {
    /// Forgets everything (after a failed write, whose changes never reached the disk).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// The group's resolution for `doc` as it is now.
    pub(crate) fn resolve(
        &mut self,
        doc: &Automerge,
        group: &GroupId,
        author_of: &dyn Fn(&ActorId) -> Option<MemberId>,
    ) -> Result<Resolution> {
        let heads = doc.get_heads();
        if let Some(index) = self.entries.iter().position(|(g, _)| g == group) {
            let (_, mut cached) = self.entries.remove(index);
            if cached.heads == heads || Self::only_goals_since(doc, &mut cached) {
                cached.heads = heads;
                let resolution = cached.resolution.clone();
                self.entries.insert(0, (*group, cached));
                return Ok(resolution);
            }
        }
        let (resolution, objects) = resolve(doc, group, author_of)?;
        self.entries.insert(0, (*group, Cached { heads, objects, resolution: resolution.clone() }));
        self.entries.truncate(CACHED_GROUPS);
        Ok(resolution)
    }

    /// Whether every change since the cached heads writes only under `goals` (then nobody's standing changed).
    fn only_goals_since(doc: &Automerge, cached: &mut Cached) -> bool {
        if cached.heads.iter().any(|h| doc.get_change_by_hash(h).is_none()) {
            return false;
        }
        let mut objects = cached.objects.clone();
        let fresh = doc.get_changes(&cached.heads);
        let goals_only = fresh.iter().all(|change| {
            !change.deps().is_empty()
                && writes_of(change, &mut objects)
                    .is_some_and(|writes| writes.iter().all(|w| w.path.first().is_some_and(|p| p == "goals")))
        });
        if goals_only {
            cached.objects = objects;
        }
        goals_only
    }
}

/// One pass: every change in canonical order, judged by grants found so far in its causal past and by the
/// revocations `known` (from the previous pass) together with those found so far.
fn replay(
    group: &GroupId,
    changes: &[&Change],
    order: &[usize],
    dag: &Dag,
    decoded: &[Option<Vec<Write>>],
    authors: &[Option<MemberId>],
    known: &HashMap<(MemberId, Level), Vec<usize>>,
) -> Pass {
    let mut pass = Pass { effective: vec![false; changes.len()], ..Default::default() };
    for &i in order {
        let (Some(writes), Some(author)) = (&decoded[i], authors[i]) else { continue };
        let is_first = changes[i].deps().is_empty();
        if is_first != pass.created_by.is_none() {
            continue;
        }
        let actions = actions_of(writes, is_first);
        let ok = actions.iter().all(|a| allowed(&pass, group, dag, known, i, &author, a, writes));
        if ok && !actions.is_empty() {
            pass.effective[i] = true;
            for action in &actions {
                apply(&mut pass, i, &author, action, writes);
            }
        }
    }
    pass
}

/// Whether `member` holds `level` at change `at`: a grant in its causal past that no revocation since (or
/// concurrent, or after without `at` in its past) has taken away.
fn holds(
    pass: &Pass,
    dag: &Dag,
    known: &HashMap<(MemberId, Level), Vec<usize>>,
    member: &MemberId,
    level: Level,
    at: usize,
) -> bool {
    if Some(*member) == pass.created_by {
        return true;
    }
    if level == Level::Moderator && !holds(pass, dag, known, member, Level::Member, at) {
        return false;
    }
    let empty = Events::default();
    let events = pass.events.get(&(*member, level)).unwrap_or(&empty);
    let earlier = known.get(&(*member, level)).map(Vec::as_slice).unwrap_or_default();
    events
        .grants
        .iter()
        .filter(|&&g| dag.before(g, at))
        .any(|&g| events.revocations.iter().chain(earlier).all(|&d| d == g || dag.before(d, g) || dag.before(at, d)))
}

#[allow(clippy::too_many_arguments)]
fn allowed(
    pass: &Pass,
    group: &GroupId,
    dag: &Dag,
    known: &HashMap<(MemberId, Level), Vec<usize>>,
    at: usize,
    author: &MemberId,
    action: &Action,
    writes: &[Write],
) -> bool {
    let owner = pass.created_by;
    let member = |m: &MemberId| holds(pass, dag, known, m, Level::Member, at);
    let moderator = |m: &MemberId| holds(pass, dag, known, m, Level::Moderator, at);
    let is_owner = Some(*author) == owner;
    // Someone the author may act on: never the owner or themselves; a moderator only on plain members.
    let junior = |target: &MemberId| {
        Some(*target) != owner
            && target != author
            && (is_owner || pass.members.get(target).is_some_and(|e| e.role == Role::Member))
    };
    match action {
        Action::Create => {
            let created_by = bytes_of(put(writes, &["created_by"]));
            let nonce = bytes_of(put(writes, &["nonce"])).and_then(|n| <[u8; 16]>::try_from(n).ok());
            matches!((created_by, nonce), (Some(c), Some(n)) if c == author.as_bytes() && GroupId::derive(author, &n) == *group)
        }
        Action::Details => moderator(author),
        Action::Goal => member(author),
        Action::OwnName => {
            member(author)
                && writes
                    .iter()
                    .all(|w| w.path.first().is_none_or(|p| p != "members") || w.path.get(1) == Some(&author.to_hex()))
        }
        Action::Invite { key } => {
            moderator(author)
                && invitation(pass, group, key, writes)
                    .is_some_and(|inv| inv.inviter == *author && inv.verify().is_ok())
        }
        Action::Admit { invitee, key } => {
            let Some(inv) = invitation(pass, group, key, writes) else { return false };
            let proof = bytes_of(put(writes, &["invites", key, "proof"])).unwrap_or_default();
            let used_by = pass.invites.get(key).and_then(|r| r.used_by);
            // The same person admitted twice with the same invitation (they met two members): the later is a no-op.
            let again = used_by == Some(*invitee) && pass.members.contains_key(invitee);
            let fresh = used_by.is_none()
                && !pass.members.contains_key(invitee)
                && moderator(&inv.inviter)
                && put(writes, &["members", &invitee.to_hex(), "role"]).and_then(|r| str_of(Some(r))) == Some("member");
            member(author) && inv.verify().is_ok() && inv.verify_proof(invitee, proof).is_ok() && (again || fresh)
        }
        Action::Add { member: target, role } => {
            moderator(author)
                && !pass.members.contains_key(target)
                && *role != Role::Owner
                && (is_owner || *role == Role::Member)
        }
        Action::SetRole { member: target, role } => {
            is_owner && *role != Role::Owner && Some(*target) != owner && pass.members.contains_key(target)
        }
        Action::Remove { member: target } => {
            // A moderator removing someone junior, or a member (not the owner) leaving. (Whether the leaver is a member
            // is their entry as applied so far, not `member`: that one already counts this very removal against them.)
            let leaving = target == author && Some(*author) != owner;
            (leaving || (moderator(author) && junior(target)))
                && pass.members.get(target).is_some_and(|e| e.removal.is_none())
        }
        Action::Restore { member: target } => {
            moderator(author) && junior(target) && pass.members.get(target).is_some_and(|e| e.removal.is_some())
        }
        Action::Publishers => {
            is_owner
                && writes
                    .iter()
                    .filter_map(|w| w.path.get(1).filter(|_| w.path.first().is_some_and(|p| p == "publishers")))
                    .all(|key| key.parse::<MemberId>().is_ok())
        }
        Action::Directories => {
            let files = published_files(writes);
            moderator(author)
                && pass.published + files.len() <= MAX_GROUP_DIRECTORIES
                && files.iter().all(|file| {
                    file.as_ref().is_some_and(|d| {
                        Some(d.publisher) == owner
                            || pass
                                .trust_grants
                                .get(&d.publisher)
                                .is_some_and(|grants| grants.iter().any(|&g| dag.before(g, at)))
                    })
                })
        }
        Action::Moderate { key } if key.is_empty() => moderator(author),
        Action::Moderate { key } => {
            moderator(author)
                && moderation_entry(key, writes).is_some_and(|entry| {
                    let target_ok = match entry.kind {
                        // Group-wide: the author names themselves.
                        ModerationKind::Rules | ModerationKind::Policy => entry.member == *author,
                        // A lift lifts a suspension of the same member that has effect.
                        ModerationKind::Lift => {
                            junior(&entry.member)
                                && pass.moderation.iter().any(|s| {
                                    s.kind == ModerationKind::Suspend
                                        && Some(*s.id.as_bytes()) == entry.details.of
                                        && s.member == entry.member
                                })
                        }
                        _ => junior(&entry.member),
                    };
                    entry.by == *author && target_ok && !pass.moderation.iter().any(|e| e.id == entry.id)
                })
        }
        Action::Unknown => false,
    }
}

/// The moderation log entry `key` a change writes, whole (every field, well formed), or `None`.
fn moderation_entry(key: &str, writes: &[Write]) -> Option<StoredModeration> {
    let field = |f: &str| put(writes, &["modlog", key, f]);
    let member = |f: &str| bytes_of(field(f)).and_then(|b| <[u8; 32]>::try_from(b).ok()).map(MemberId::from_bytes);
    let entry = StoredModeration {
        id: key.parse().ok()?,
        by: member("by")?,
        at: time_of(field("at"))?,
        kind: str_of(field("kind"))?.parse().ok()?,
        message: bytes_of(field("message")).and_then(|b| <[u8; 16]>::try_from(b).ok()).map(MessageId::from_bytes),
        member: member("member")?,
        why: str_of(field("why"))?.to_owned(),
        details: ModerationDetails {
            cutoff: bytes_of(field("cutoff")).and_then(|b| postcard::from_bytes::<Cutoff>(b).ok()),
            until: time_of(field("until")),
            of: bytes_of(field("of")).and_then(|b| <[u8; 16]>::try_from(b).ok()),
            text: str_of(field("text")).map(str::to_owned),
            premod: match field("premod") {
                Some(ScalarValue::Int(n)) => Some(*n),
                _ => None,
            },
            exempt: bytes_of(field("exempt"))
                .map(|b| b.chunks_exact(32).filter_map(|c| <[u8; 32]>::try_from(c).ok()).collect())
                .unwrap_or_default(),
            threshold: match field("threshold") {
                Some(ScalarValue::Int(n)) => Some(*n),
                _ => None,
            },
            rate: match field("rate") {
                Some(ScalarValue::Int(n)) => Some(*n),
                _ => None,
            },
            rate_cutoff: bytes_of(field("rate_cutoff")).and_then(|b| postcard::from_bytes::<Cutoff>(b).ok()),
        },
    };
    // Hide, restore and approve name a message; the rest do not. Each kind has what it needs.
    let d = &entry.details;
    let whole = match entry.kind {
        ModerationKind::Hide | ModerationKind::Restore | ModerationKind::Approve | ModerationKind::Erase => {
            entry.message.is_some()
        }
        ModerationKind::Remove | ModerationKind::Readd | ModerationKind::Warn => entry.message.is_none(),
        ModerationKind::Suspend => entry.message.is_none() && d.cutoff.is_some(),
        ModerationKind::Lift => entry.message.is_none() && d.of.is_some(),
        ModerationKind::Rules => entry.message.is_none() && d.text.is_some() && d.cutoff.is_some(),
        ModerationKind::Policy => entry.message.is_none() && d.premod.is_some() && d.cutoff.is_some(),
    };
    whole.then_some(entry)
}

/// The directory files a change publishes (`None` for one that fails [`directory::published_file`]).
fn published_files(writes: &[Write]) -> Vec<Option<PublishedDirectory>> {
    writes
        .iter()
        .filter_map(|w| match w.path.as_slice() {
            [root, key] if root == "directories" => Some(bytes_of(w.value.as_ref()).and_then(|file| {
                let (d, content_hash) = directory::published_file(key, file).ok()?;
                Some(PublishedDirectory {
                    publisher: d.publisher,
                    version: d.version,
                    content_hash,
                    file: file.to_vec(),
                })
            })),
            _ => None,
        })
        .collect()
}

/// The invitation an admission or record names: the group's record of it, completed by what this change writes.
fn invitation(pass: &Pass, group: &GroupId, key: &str, writes: &[Write]) -> Option<Invitation> {
    let record = pass.invites.get(key).cloned().unwrap_or_default();
    let field = |f: &str| put(writes, &["invites", key, f]);
    let by = bytes_of(field("by")).and_then(|b| <[u8; 32]>::try_from(b).ok()).map(MemberId::from_bytes).or(record.by)?;
    let pk = bytes_of(field("pk")).and_then(|b| <[u8; 32]>::try_from(b).ok()).or(record.key)?;
    let signature = bytes_of(field("sig")).and_then(|b| <[u8; 64]>::try_from(b).ok()).or(record.signature)?;
    let group_name = str_of(field("gname")).map(str::to_owned).unwrap_or(record.group_name);
    let expires_at = time_of(field("expires_at")).unwrap_or(record.expires_at);
    let inv = Invitation { group_id: *group, group_name, inviter: by, expires_at, key: pk, signature };
    (inv.record_key() == key).then_some(inv)
}

fn apply(pass: &mut Pass, at: usize, author: &MemberId, action: &Action, writes: &[Write]) {
    let event = |pass: &mut Pass, member: MemberId, level: Level, grant: bool| {
        let e = pass.events.entry((member, level)).or_default();
        if grant { e.grants.push(at) } else { e.revocations.push(at) }
    };
    let new_entry = |target: &MemberId, role: Role| Entry {
        name: str_of(put(writes, &["members", &target.to_hex(), "name"])).unwrap_or_default().to_owned(),
        role,
        added_at: time_of(put(writes, &["members", &target.to_hex(), "added_at"])).unwrap_or_default(),
        added_by: *author,
        removal: None,
    };
    match action {
        Action::Create => {
            pass.name = str_of(put(writes, &["name"])).unwrap_or_default().to_owned();
            pass.description = str_of(put(writes, &["description"])).unwrap_or_default().to_owned();
            pass.guidelines = str_of(put(writes, &["guidelines"])).unwrap_or_default().to_owned();
            pass.created_at = time_of(put(writes, &["created_at"])).unwrap_or_default();
            pass.nonce = bytes_of(put(writes, &["nonce"])).and_then(|n| n.try_into().ok()).unwrap_or_default();
            pass.created_by = Some(*author);
            let mut entry = new_entry(author, Role::Owner);
            entry.added_at = pass.created_at;
            pass.members.insert(*author, entry);
            // A group made with rules carries their first version in its first change.
            let first_rules = writes.iter().find_map(|w| match w.path.as_slice() {
                [root, key] if root == "modlog" && w.makes_map => moderation_entry(key, writes),
                _ => None,
            });
            if let Some(rules) = first_rules.filter(|e| e.kind == ModerationKind::Rules && e.by == *author) {
                pass.moderation.push(rules);
            }
        }
        Action::Details => {
            for (field, slot) in
                [("name", &mut pass.name), ("description", &mut pass.description), ("guidelines", &mut pass.guidelines)]
            {
                if let Some(v) = str_of(put(writes, &[field])) {
                    *slot = v.to_owned();
                }
            }
        }
        Action::Goal => {}
        Action::OwnName => {
            if let (Some(name), Some(entry)) =
                (str_of(put(writes, &["members", &author.to_hex(), "name"])), pass.members.get_mut(author))
            {
                entry.name = name.to_owned();
            }
        }
        Action::Invite { key } | Action::Admit { key, .. } => {
            let record = pass.invites.entry(key.clone()).or_default();
            let field = |f: &str| put(writes, &["invites", key, f]);
            if let Some(by) = bytes_of(field("by")).and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                record.by = Some(MemberId::from_bytes(by));
            }
            if let Some(t) = time_of(field("expires_at")) {
                record.expires_at = t;
            }
            if let Some(n) = str_of(field("gname")) {
                record.group_name = n.to_owned();
            }
            if let Some(pk) = bytes_of(field("pk")).and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                record.key = Some(pk);
            }
            if let Some(sig) = bytes_of(field("sig")).and_then(|b| <[u8; 64]>::try_from(b).ok()) {
                record.signature = Some(sig);
            }
            if let Action::Admit { invitee, .. } = action
                && !pass.members.contains_key(invitee)
            {
                record.used_by = Some(*invitee);
                pass.members.insert(*invitee, new_entry(invitee, Role::Member));
                event(pass, *invitee, Level::Member, true);
            }
        }
        Action::Add { member, role } => {
            pass.members.insert(*member, new_entry(member, *role));
            event(pass, *member, Level::Member, true);
            if *role == Role::Moderator {
                event(pass, *member, Level::Moderator, true);
            }
        }
        Action::SetRole { member, role } => {
            if let Some(entry) = pass.members.get_mut(member) {
                entry.role = *role;
            }
            event(pass, *member, Level::Moderator, *role == Role::Moderator);
        }
        Action::Remove { member } => {
            let hex = member.to_hex();
            let cutoff = bytes_of(put(writes, &["members", &hex, "cutoff"]))
                .and_then(|b| postcard::from_bytes::<Cutoff>(b).ok())
                .unwrap_or_default();
            let at_time = time_of(put(writes, &["members", &hex, "removed_at"])).unwrap_or_default();
            if let Some(entry) = pass.members.get_mut(member) {
                entry.removal = Some(Removal { at: at_time, by: *author, cutoff });
            }
            event(pass, *member, Level::Member, false);
            event(pass, *member, Level::Moderator, false);
        }
        Action::Restore { member } => {
            if let Some(entry) = pass.members.get_mut(member) {
                entry.removal = None;
                entry.role = Role::Member;
            }
            event(pass, *member, Level::Member, true);
        }
        Action::Publishers => {
            for w in writes {
                if let ([root, key, field], Some(automerge::ScalarValue::Boolean(trusted))) =
                    (w.path.as_slice(), &w.value)
                    && root == "publishers"
                    && field == "trusted"
                    && let Ok(publisher) = key.parse::<MemberId>()
                {
                    pass.trust.insert(publisher, *trusted);
                    if *trusted {
                        pass.trust_grants.entry(publisher).or_default().push(at);
                    }
                }
            }
        }
        Action::Directories => {
            for d in published_files(writes).into_iter().flatten() {
                pass.published += 1;
                let better = pass.directories.get(&d.publisher).is_none_or(|held| {
                    directory::supersedes((d.version, d.content_hash), (held.version, held.content_hash))
                });
                if better {
                    pass.directories.insert(d.publisher, d);
                }
            }
        }
        Action::Moderate { key } => {
            if let Some(entry) = moderation_entry(key, writes) {
                if let (ModerationKind::Rules, Some(text)) = (entry.kind, &entry.details.text) {
                    pass.guidelines = text.clone();
                }
                pass.moderation.push(entry);
            }
        }
        Action::Unknown => {}
    }
}
