//! A Byzantine property test of the trust rules. Three hostile writers (mallory, a plain member; rex, a moderator
//! the owner removed; sam, a stranger) write random but correctly signed changes to the group document: random
//! operations on members, roles, invitations and the group's details, each built on a random earlier state of the
//! history (a random dependency choice, from a fresh device so it never collides with their own history). Honest
//! phones (alice the owner, bob, carol, and people they invite) receive these in random orders, between random
//! honest syncs, role changes, invitations, posts and moderation (alice, and bob while he moderates, hide and restore
//! plain members' messages; the hostile writers forge moderation log entries as themselves or as alice). After every
//! step each honest phone must show a group in which no key outside those the owner's chain legitimately admitted
//! holds an entry, nobody holds a role the owner did not give, and no message is hidden by anyone but alice or bob;
//! at the end all honest phones agree, hidden messages included.
//!
//! `KINDRED_PROPTEST_SEED` and `KINDRED_PROPTEST_CASES` replay or widen the run (as in `convergence.rs`); CI runs a
//! few cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use automerge::transaction::{Transactable, Transaction};
use automerge::{ChangeHash, ObjType, ROOT, ReadDoc, ScalarValue};
use kindred_core::invite::InviteCode;
use kindred_core::{Bundle, Error, ErrorKind, GroupId, MemberId, MessageId, NewGroup, NewMessage, Role};
use kindred_scenarios::Phone;
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::sync;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

const DAY_MS: i64 = 24 * 3600 * 1000;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn bytes(b: &[u8]) -> ScalarValue {
    ScalarValue::Bytes(b.to_vec())
}

struct World {
    rng: StdRng,
    seed: u64,
    /// Honest phones: alice (owner), bob, carol, then people they invite.
    honest: Vec<Phone>,
    mallory: Phone,
    rex: Phone,
    sam: Phone,
    group: GroupId,
    /// An invitation rex made while he moderated (he keeps its secret).
    rex_code: InviteCode,
    /// Bob's role as alice last set it.
    bob_role: Role,
    /// Keys the hostile writers try to bring in.
    outsiders: Vec<MemberId>,
    log: Vec<String>,
}

impl World {
    fn new(seed: u64) -> Self {
        let alice = Phone::new("alice");
        let bob = Phone::new("bob");
        let carol = Phone::new("carol");
        let mallory = Phone::new("mallory");
        let rex = Phone::new("rex");
        let sam = Phone::new("sam");
        let group = alice.kindred.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
        for p in [&bob, &carol, &mallory] {
            alice.kindred.add_member(&group, &p.id(), p.name, Role::Member).unwrap();
        }
        alice.kindred.add_member(&group, &rex.id(), "rex", Role::Moderator).unwrap();
        for p in [&bob, &carol, &mallory, &rex] {
            kindred_scenarios::exchange(&alice, p, &group);
        }
        let rex_code = InviteCode::parse(&rex.kindred.create_invite(&group, DAY_MS).unwrap()).unwrap();
        sync(&rex, &alice);
        alice.kindred.remove_member(&group, &rex.id()).unwrap();
        for p in [&bob, &carol, &mallory] {
            sync(&alice, p);
        }
        let outsiders = (0..4).map(|_| MemberId::from_bytes(rand::random())).collect();
        Self {
            rng: StdRng::seed_from_u64(seed),
            seed,
            honest: vec![alice, bob, carol],
            mallory,
            rex,
            sam,
            group,
            rex_code,
            bob_role: Role::Member,
            outsiders,
            log: Vec::new(),
        }
    }

    fn fail(&self, what: &str) -> ! {
        let tail: Vec<&String> = self.log.iter().rev().take(25).collect::<Vec<_>>().into_iter().rev().collect();
        panic!(
            "seed {}: {what}\nreplay with KINDRED_PROPTEST_SEED={}\nlast steps:\n  {}",
            self.seed,
            self.seed,
            tail.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
        );
    }

    fn bundle_of(&self, phone: &Phone) -> Bundle {
        forge::unseal(&phone.kindred.export_bundle(&self.group).unwrap())
    }

    /// What every honest phone must show at every moment (`settled`: after everyone met, so bob's role is the one
    /// alice set last; before, a phone may not have heard of it yet, but shows no role alice never gave).
    fn check_invariants(&self, phone: &Phone, settled: bool) {
        let details = phone.kindred.group(&self.group).unwrap();
        if details.name != "Circle" || !details.guidelines.is_empty() {
            self.fail(&format!("{} shows the group's details changed: {:?}", phone.name, details.name));
        }
        let legit: Vec<MemberId> = self.honest.iter().map(|p| p.id()).chain([self.mallory.id()]).collect();
        for m in &details.members {
            if !legit.contains(&m.member_id) {
                self.fail(&format!("{} shows {} ({}) as a member", phone.name, m.display_name, m.member_id));
            }
            let expected = if m.member_id == self.honest[0].id() {
                Role::Owner
            } else if m.member_id == self.honest[1].id() {
                match (settled, m.role) {
                    (true, _) => self.bob_role,
                    (false, Role::Owner) => Role::Moderator,
                    (false, either) => either,
                }
            } else {
                Role::Member
            };
            if m.role != expected {
                self.fail(&format!("{} shows {} as {:?}, not {expected:?}", phone.name, m.display_name, m.role));
            }
        }
        let moderators = [self.honest[0].id(), self.honest[1].id()];
        for m in phone.kindred.messages(&self.group, 500, None).unwrap() {
            if let Some(note) = m.moderation
                && !moderators.contains(&note.by)
            {
                self.fail(&format!("{} shows a message hidden by {}", phone.name, &note.by.to_hex()[..8]));
            }
        }
        for must in [&self.honest[0], &self.mallory] {
            if !details.members.iter().any(|m| m.member_id == must.id()) {
                self.fail(&format!("{} lost {} from the group", phone.name, must.name));
            }
        }
    }

    fn step(&mut self) {
        match self.rng.random_range(0..11) {
            10 => self.moderate_step(),
            0..=4 => self.forge_step(),
            5 | 6 => {
                let (a, b) = self.two_honest();
                self.log.push(format!("{} meets {}", self.honest[a].name, self.honest[b].name));
                let outcome = kindred_scenarios::net::connect(
                    &self.honest[a],
                    &self.honest[b],
                    kindred_scenarios::net::Link::default(),
                );
                if !outcome.completed() {
                    self.fail(&format!("an honest sync failed: {:?}", outcome.ending));
                }
            }
            7 => {
                let role = if self.bob_role == Role::Member { Role::Moderator } else { Role::Member };
                self.log.push(format!("alice makes bob a {role:?}"));
                let (alice, bob) = (&self.honest[0], &self.honest[1]);
                alice.kindred.add_member(&self.group, &bob.id(), "bob", role).unwrap();
                self.bob_role = role;
                // Bob's own phone hears at once, so the invariant holds everywhere alice's word has reached.
                sync(alice, bob);
            }
            8 => {
                let i = self.rng.random_range(0..self.honest.len());
                self.log.push(format!("{} posts", self.honest[i].name));
                self.honest[i]
                    .kindred
                    .post(&self.group, NewMessage { text: "hello".into(), ..Default::default() })
                    .unwrap();
            }
            _ if self.honest.len() < 5 => {
                let name = if self.honest.len() == 3 { "dee" } else { "eli" };
                let newcomer = Phone::new(name);
                let via = self.rng.random_range(0..self.honest.len());
                self.log.push(format!("alice invites {name}, who joins via {}", self.honest[via].name));
                newcomer
                    .kindred
                    .join_group(&self.honest[0].kindred.create_invite(&self.group, DAY_MS).unwrap())
                    .unwrap();
                sync(&self.honest[0], &self.honest[via]);
                sync(&newcomer, &self.honest[via]);
                self.honest.push(newcomer);
            }
            _ => {}
        }
    }

    /// Alice, or bob while he moderates, hides or restores a random plain member's message on their own phone.
    fn moderate_step(&mut self) {
        let i = if self.bob_role == Role::Moderator && self.rng.random_bool(0.5) { 1 } else { 0 };
        let owner = self.honest[0].id();
        let bob = self.honest[1].id();
        let phone = &self.honest[i];
        let plain: Vec<_> = phone
            .kindred
            .messages(&self.group, 500, None)
            .unwrap()
            .into_iter()
            .filter(|m| m.author != owner && m.author != bob && !m.removed)
            .collect();
        let Some(message) = plain.choose(&mut self.rng) else { return };
        let result = if message.moderation.is_some() {
            phone.kindred.restore_message(&self.group, &message.id, "restored")
        } else {
            phone.kindred.hide_message(&self.group, &message.id, "hidden")
        };
        let outcome = result.map(|e| e.kind);
        self.log.push(format!("{} moderates {}: {outcome:?}", phone.name, &message.id.to_hex()[..8]));
    }

    fn two_honest(&mut self) -> (usize, usize) {
        let a = self.rng.random_range(0..self.honest.len());
        let mut b = self.rng.random_range(0..self.honest.len() - 1);
        if b >= a {
            b += 1;
        }
        (a, b)
    }

    /// One hostile change, built on a random earlier state, delivered to a random honest phone.
    fn forge_step(&mut self) {
        let source = self.rng.random_range(0..self.honest.len());
        let target_phone = self.rng.random_range(0..self.honest.len());
        let who = self.rng.random_range(0..3);
        let op = self.rng.random_range(0..11);
        let bundle = self.bundle_of(&self.honest[source]);
        let mut copy = bundle.clone();
        let document = forge::group_document(&mut copy);
        let full = forge::load(document);
        let history: Vec<ChangeHash> = full.get_changes(&[]).iter().map(|c| c.hash()).collect();
        let base = *history.choose(&mut self.rng).unwrap();
        let forger = [&self.mallory, &self.rex, &self.sam][who];
        let writer = Writer::another_device(&forger.kindred);
        let mut old = full.fork_at(&[base]).unwrap().with_actor(writer.actor.clone());
        let everyone: Vec<MemberId> = self
            .honest
            .iter()
            .map(|p| p.id())
            .chain([self.mallory.id(), self.rex.id(), self.sam.id()])
            .chain(self.outsiders.iter().copied())
            .collect();
        let target = *everyone.choose(&mut self.rng).unwrap();
        let outsider = *self.outsiders.choose(&mut self.rng).unwrap();
        let role = *["owner", "moderator", "member"].choose(&mut self.rng).unwrap();
        let by = forger.id();
        let rex_code = self.rex_code.clone();
        // For forged moderation entries: a message by someone other than alice that the source phone holds.
        let owner = self.honest[0].id();
        let victim = self.honest[source]
            .kindred
            .messages(&self.group, 500, None)
            .unwrap()
            .into_iter()
            .filter(|m| m.author != owner)
            .collect::<Vec<_>>()
            .choose(&mut self.rng)
            .map(|m| (m.id, m.author));
        let mut made = false;
        let described = format!(
            "{} forges op {op} on target {} built on change {} of {}'s copy, delivered to {}",
            forger.name,
            &target.to_hex()[..8],
            history.iter().position(|h| *h == base).unwrap(),
            self.honest[source].name,
            self.honest[target_phone].name
        );
        let mut tx = old.transaction();
        let members = tx.get(ROOT, "members").unwrap().map(|(_, id)| id);
        let invites = tx.get(ROOT, "invites").unwrap().map(|(_, id)| id);
        if op >= 9 {
            // A moderation log entry hiding a message, signed as the forger (op 9) or as alice (10).
            if let Some((message, author)) = victim {
                let signer = if op == 9 { by } else { owner };
                made = forge_hide(&mut tx, &mut self.rng, signer, message, author);
            }
        } else if let (Some(members), Some(invites)) = (members, invites) {
            let entry = tx.get(&members, target.to_hex()).unwrap().map(|(_, id)| id);
            made = apply_op(&mut tx, op, &members, &invites, entry, target, outsider, role, by, &rex_code);
        }
        tx.commit();
        self.log.push(described);
        if !made {
            return;
        }
        // (A put of the value already there writes nothing.)
        let Some(change) = old.get_last_local_change().filter(|c| c.actor_id() == &writer.actor) else { return };
        let mut merged = forge::load(document);
        merged.apply_changes([change.clone()]).unwrap();
        forge::vouch(document, &mut merged, &writer, &change);
        let file = forge::seal(copy, &forger.kindred);
        let phone = &self.honest[target_phone];
        match phone.kindred.import_bundle(&file).as_ref().map_err(Error::kind) {
            Ok(_) => self.log.push("  kept (without effect, or harmless)".into()),
            Err(ErrorKind::Rejected { .. }) => self.log.push("  refused".into()),
            Err(other) => self.fail(&format!("importing a hostile bundle gave {other:?}")),
        }
    }
}

/// A whole moderation log entry hiding `message` (by `author`), signed as `by`.
fn forge_hide(tx: &mut Transaction<'_>, rng: &mut StdRng, by: MemberId, message: MessageId, author: MemberId) -> bool {
    let log = match tx.get(ROOT, "modlog").unwrap() {
        Some((_, id)) => id,
        None => tx.put_object(ROOT, "modlog", ObjType::Map).unwrap(),
    };
    let mut key = [0u8; 16];
    rng.fill(&mut key[..]);
    let e = tx.put_object(&log, hex_of(&key), ObjType::Map).unwrap();
    tx.put(&e, "by", bytes(by.as_bytes())).unwrap();
    tx.put(&e, "at", ScalarValue::Timestamp(1_900_000_000_000)).unwrap();
    tx.put(&e, "kind", "hide").unwrap();
    tx.put(&e, "message", bytes(message.as_bytes())).unwrap();
    tx.put(&e, "member", bytes(author.as_bytes())).unwrap();
    tx.put(&e, "why", "forged").is_ok()
}

/// One random hostile operation; returns whether it wrote anything.
#[allow(clippy::too_many_arguments)]
fn apply_op(
    tx: &mut Transaction<'_>,
    op: u32,
    members: &automerge::ObjId,
    invites: &automerge::ObjId,
    entry: Option<automerge::ObjId>,
    target: MemberId,
    outsider: MemberId,
    role: &str,
    by: MemberId,
    rex_code: &InviteCode,
) -> bool {
    let now = ScalarValue::Timestamp(1_900_000_000_000);
    match (op, entry) {
        (0, Some(e)) => tx.put(&e, "role", role).is_ok(),
        (1, Some(e)) => {
            tx.put(&e, "removed_at", now.clone()).unwrap();
            tx.put(&e, "removed_by", bytes(by.as_bytes())).unwrap();
            tx.put(&e, "status", "removed").is_ok()
        }
        (2, Some(e)) => {
            tx.put(&e, "status", "active").unwrap();
            tx.put(&e, "restored_by", bytes(by.as_bytes())).is_ok()
        }
        (3 | 4, _) => {
            // An admission of an outsider with rex's invitation: with its real proof (rex kept the secret), or with
            // a proof made for another key.
            let invitation = rex_code.invitation();
            let proof = if op == 3 { rex_code.prove(&outsider) } else { rex_code.prove(&by) };
            let key = invitation.record_key();
            let record = match tx.get(invites, key.as_str()).unwrap() {
                Some((_, id)) => id,
                None => {
                    let r = tx.put_object(invites, key.as_str(), ObjType::Map).unwrap();
                    tx.put(&r, "by", bytes(invitation.inviter.as_bytes())).unwrap();
                    tx.put(&r, "expires_at", ScalarValue::Timestamp(invitation.expires_at)).unwrap();
                    tx.put(&r, "gname", invitation.group_name.as_str()).unwrap();
                    tx.put(&r, "pk", bytes(&invitation.key)).unwrap();
                    tx.put(&r, "sig", bytes(&invitation.signature)).unwrap();
                    r
                }
            };
            tx.put(&record, "used_by", bytes(outsider.as_bytes())).unwrap();
            tx.put(&record, "used_at", now.clone()).unwrap();
            tx.put(&record, "proof", bytes(&proof)).unwrap();
            let m = tx.put_object(members, outsider.to_hex(), ObjType::Map).unwrap();
            tx.put(&m, "name", "outsider").unwrap();
            tx.put(&m, "role", "member").unwrap();
            tx.put(&m, "status", "active").unwrap();
            tx.put(&m, "added_at", now.clone()).unwrap();
            tx.put(&m, "added_by", bytes(by.as_bytes())).is_ok()
        }
        (5, _) => {
            let m = tx.put_object(members, outsider.to_hex(), ObjType::Map).unwrap();
            tx.put(&m, "name", "outsider").unwrap();
            tx.put(&m, "role", role).unwrap();
            tx.put(&m, "added_at", now.clone()).unwrap();
            tx.put(&m, "added_by", bytes(by.as_bytes())).is_ok()
        }
        (6, _) => tx.put(ROOT, "name", "Taken over").is_ok(),
        (7, _) => {
            let r = tx.put_object(invites, hex_of(&outsider.as_bytes()[..16]), ObjType::Map).unwrap();
            tx.put(&r, "by", bytes(by.as_bytes())).unwrap();
            tx.put(&r, "expires_at", now).is_ok()
        }
        (8, Some(_)) => tx.delete(members, target.to_hex()).is_ok(),
        _ => false,
    }
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn run_case(seed: u64) {
    let mut world = World::new(seed);
    let steps = env_number("KINDRED_PROPTEST_STEPS").unwrap_or(40);
    for _ in 0..steps {
        world.step();
        for phone in &world.honest {
            world.check_invariants(phone, false);
        }
    }
    // Everyone honest meets everyone (mallory too, whose own phone stays honest): they agree, and nobody is wedged.
    let mut all: Vec<&Phone> = world.honest.iter().collect();
    all.push(&world.mallory);
    kindred_scenarios::net::sync_all(&all);
    let first = world.honest[0].view(&world.group);
    for phone in &world.honest {
        world.check_invariants(phone, true);
        let view = phone.view(&world.group);
        if view.members != first.members || view.messages != first.messages {
            world.fail(&format!("{} and alice disagree after meeting", phone.name));
        }
    }
    let kept = world.log.iter().filter(|l| l.contains("kept")).count();
    let refused = world.log.iter().filter(|l| l.contains("refused")).count();
    eprintln!("seed {seed}: {kept} hostile changes kept without effect, {refused} refused");
    assert!(kept + refused > 0, "seed {seed}: the case forged nothing");
    let members: BTreeMap<MemberId, Role> = first.members.iter().map(|m| (m.0, m.2)).collect();
    assert!(!members.contains_key(&world.rex.id()) && !members.contains_key(&world.sam.id()));
}

#[test]
fn hostile_members_removed_members_and_strangers_never_gain_a_right() {
    let (first, cases) = match (env_number("KINDRED_PROPTEST_SEED"), env_number("KINDRED_PROPTEST_CASES")) {
        (Some(seed), cases) => (seed, cases.unwrap_or(1)),
        (None, cases) => (0x6279_7a61, cases.unwrap_or(3)),
    };
    for case in 0..cases {
        run_case(first + case);
    }
}
