//! Fuzz-style robustness: random and mutated bytes fed to every parser that sees a peer's bytes, on stable Rust
//! under `cargo test`.
//!
//! Targets: the sync message parser ([`Message::decode`]); bundle files ([`Bundle::from_file_bytes`], at the file,
//! the decompressed and the Automerge level, the latter re-signed by a member so that mutated documents get past the
//! signatures into `import_bundle`'s loading, authorisation and storage); invitation codes ([`InviteCode::parse`],
//! [`Kindred::join_group`]); and sync sessions (a fresh listener and a dialler fed random frames, and real sessions
//! whose frames are damaged, dropped, duplicated or reordered in flight). Every call must return (a typed error or a
//! value), never panic, and the profiles must still sync with a good peer afterwards.
//!
//! Automerge chunks carry a checksum; the mutator recomputes it (as Automerge's own fuzz target does) so that mutated
//! documents reach Automerge's parser, where the research found panics on 0.72% of inputs.
//!
//! Modes:
//! - default: a fixed seed and a budget of a few seconds in a debug build (CI);
//! - `KINDRED_LONG_FUZZ=1`: 100 times the inputs and a fresh seed per run (printed), for minutes;
//! - `KINDRED_FUZZ_ITERATIONS=N`: exactly N inputs per target (each target scales it to its cost);
//! - `KINDRED_FUZZ_SEED=S`: replays a run (the seed is printed with any failure).
//!
//! For example: `KINDRED_LONG_FUZZ=1 cargo test --release -p kindred-scenarios --test fuzz -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{ActorId, Automerge, Change};
use kindred_core::invite::InviteCode;
use kindred_core::sync::bundle::BundleDocument;
use kindred_core::sync::wire::{DocClock, Form, JoinRequest, Message, PlaceKind, Vouchers, WireHead};
use kindred_core::{Bundle, DocId, Error, ErrorKind, GroupId, Kindred, SyncOptions};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{Direction, Ending, assert_still_syncs, connect_tampered, sync, sync_all};
use kindred_scenarios::{Phone, group_with};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

/// One target's random source and budget.
struct Fuzz {
    target: &'static str,
    seed: u64,
    iterations: usize,
    rng: StdRng,
}

impl Fuzz {
    /// `default` inputs per run (scaled by the long mode or replaced by `KINDRED_FUZZ_ITERATIONS` divided by `cost`).
    fn new(target: &'static str, default: usize, cost: usize) -> Self {
        let long = std::env::var("KINDRED_LONG_FUZZ").is_ok_and(|v| v == "1");
        let seed = match std::env::var("KINDRED_FUZZ_SEED").ok().and_then(|s| s.parse().ok()) {
            Some(seed) => seed,
            None if long => rand::random(),
            None => 0x006b_696e_6472_6564,
        };
        let iterations = match std::env::var("KINDRED_FUZZ_ITERATIONS").ok().and_then(|s| s.parse::<usize>().ok()) {
            Some(n) => (n / cost).max(1),
            None if long => default * 100,
            None => default,
        };
        eprintln!("fuzz {target}: seed {seed}, {iterations} inputs");
        Self { target, seed, iterations, rng: StdRng::seed_from_u64(seed ^ target.len() as u64) }
    }

    /// Runs `f` on `input`, failing the test (with everything needed to reproduce) if it panics.
    fn call<T>(&self, i: usize, input: &[u8], f: impl FnOnce() -> T) -> T {
        catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned());
            let shown: String = input.iter().take(256).map(|b| format!("{b:02x}")).collect();
            panic!(
                "{}: input {i} panicked ({why:?}); replay with KINDRED_FUZZ_SEED={}; input ({} bytes) starts {shown}",
                self.target,
                self.seed,
                input.len()
            )
        })
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.rng.random_range(0..=max);
        (0..len).map(|_| self.rng.random()).collect()
    }

    /// One to four mutations of `input`: bit flips, interesting bytes, inserted, deleted, duplicated or spliced
    /// ranges, truncation, and huge length prefixes.
    fn mutate(&mut self, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
        let rounds = self.rng.random_range(1..=4);
        self.mutate_times(input, corpus, rounds)
    }

    /// Exactly `rounds` mutations (one keeps most Automerge chunks loadable, so the core's later checks get fuzzed).
    fn mutate_times(&mut self, input: &[u8], corpus: &[Vec<u8>], rounds: usize) -> Vec<u8> {
        let mut out = input.to_vec();
        for _ in 0..rounds {
            let len = out.len();
            let at = if len == 0 { 0 } else { self.rng.random_range(0..len) };
            match self.rng.random_range(0..9) {
                0 if len > 0 => out[at] ^= 1 << self.rng.random_range(0..8),
                1 if len > 0 => out[at] = *[0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff].choose(&mut self.rng).unwrap(),
                2 => {
                    let extra = self.bytes(16);
                    out.splice(at..at, extra);
                }
                3 if len > 0 => {
                    let end = (at + self.rng.random_range(1..=64)).min(len);
                    out.drain(at..end);
                }
                4 if len > 0 => {
                    let end = (at + self.rng.random_range(1..=64)).min(len);
                    let copy = out[at..end].to_vec();
                    out.splice(at..at, copy);
                }
                5 => out.truncate(at),
                6 => {
                    out.splice(at..at, [0xff, 0xff, 0xff, 0xff, 0x0f]);
                }
                7 if !corpus.is_empty() => {
                    let other = corpus.choose(&mut self.rng).unwrap();
                    let from = self.rng.random_range(0..=other.len());
                    let take = self.rng.random_range(0..=other.len() - from);
                    out.splice(at..at, other[from..from + take].iter().copied());
                }
                _ if len > 0 => {
                    let v: u8 = self.rng.random();
                    out[at] = v;
                }
                _ => out.push(self.rng.random()),
            }
        }
        out
    }
}

/// alice (owner), carol and mallory, with a little of everything in their group, all in sync.
struct World {
    alice: Phone,
    carol: Phone,
    mallory: Phone,
    group: GroupId,
    /// This process's peak resident memory once the world is built (KiB).
    baseline_kb: u64,
}

/// This process's peak resident memory so far (KiB), from /proc (0 where there is none).
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().trim_end_matches("kB").trim().to_owned()))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The memory budget a run is held to (MiB above the world's baseline), when run as a child of
/// [`peer_paths_stay_within_the_memory_budget`].
fn memory_budget_mb() -> Option<u64> {
    std::env::var("KINDRED_MEMORY_BUDGET_MB").ok().and_then(|v| v.parse().ok())
}

impl World {
    fn new() -> Self {
        let alice = Phone::new("alice");
        let carol = Phone::new("carol");
        let mallory = Phone::new("mallory");
        let group = group_with(&alice, "Circle", &[&carol, &mallory]).id;
        for p in [&alice, &carol, &mallory] {
            for i in 0..3 {
                p.say(&group, &format!("{} says {i}", p.name));
            }
        }
        sync_all(&[&alice, &carol, &mallory]);
        let first = alice.kindred.messages(&group, 1, None).unwrap()[0].id;
        mallory.kindred.react(&group, &first, Some("🌱")).unwrap();
        sync_all(&[&alice, &carol, &mallory]);
        Self { alice, carol, mallory, group, baseline_kb: peak_kb() }
    }

    fn bundle(&self, phone: &Phone) -> Bundle {
        forge::unseal(&phone.kindred.export_bundle(&self.group).unwrap())
    }

    /// After a fuzz run: the profiles still work and honest sync still converges (and, under a memory budget, the
    /// run's peak stayed within it).
    fn still_fine(&self) {
        let growth_mb = peak_kb().saturating_sub(self.baseline_kb) / 1024;
        eprintln!("memory: the run peaked {growth_mb} MiB above the world's baseline");
        if let Some(budget) = memory_budget_mb() {
            assert!(growth_mb <= budget, "the run peaked {growth_mb} MiB above the baseline (budget {budget} MiB)");
        }
        for p in [&self.alice, &self.carol, &self.mallory] {
            p.kindred.check_integrity().unwrap();
            p.view(&self.group);
        }
        assert_still_syncs(&self.alice, &self.carol, &self.group);
        assert_still_syncs(&self.carol, &self.alice, &self.group);
        let (mut alice, mut carol) = (self.alice.view(&self.group), self.carol.view(&self.group));
        // Mallory re-signs whatever the mutator made of her history, which can be a second change at a position she
        // already wrote: carol then rightly flags her and hides her messages, and alice, who never saw both, does not
        // (proofs do not travel; see the adversarial suite). Everyone else's part must be identical.
        let (flagged, _) = self.carol.kindred.flagged_members(&self.group).unwrap();
        if flagged.iter().any(|(m, _)| *m == self.mallory.id()) {
            eprintln!("mallory was flagged for equivocation on carol during the run");
            for view in [&mut alice, &mut carol] {
                view.messages.retain(|m| m.author != self.mallory.id());
            }
        }
        assert_eq!(alice, carol);
    }
}

fn is_typed_refusal(error: &Error) -> bool {
    matches!(error.kind(), ErrorKind::Rejected { .. } | ErrorKind::Document { .. } | ErrorKind::InvalidInput { .. })
}

/// How a refusal is counted in the outcome tables: its kind.
fn refusal_kind(error: &Error) -> String {
    match error.kind() {
        ErrorKind::Rejected { kind, .. } => format!("refused: {kind}"),
        ErrorKind::Document { .. } => "a damaged document".to_owned(),
        ErrorKind::InvalidInput { field, .. } => format!("invalid {field}"),
        other => format!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------------------------

/// Valid messages of every kind, with real contents (an invitation, a document's clock, real changes, vouchers).
fn sample_messages(w: &World) -> Vec<Message> {
    let code =
        kindred_core::invite::InviteCode::parse(&w.alice.kindred.create_invite(&w.group, 3_600_000).unwrap()).unwrap();
    let join = JoinRequest {
        invitation: code.invitation().to_bytes(),
        proof: code.prove(&w.mallory.id()).to_vec(),
        display_name: "dana".into(),
    };
    let bundle = w.bundle(&w.mallory);
    let segment = bundle.documents.iter().find(|d| d.place.kind == PlaceKind::Segment).unwrap();
    let changes: Vec<Vec<u8>> = forge::load(segment).get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();
    vec![
        Message::Hello { version: 4, digest: [7; 16], joins: vec![join] },
        Message::Groups { groups: vec![(bundle.group, [1; 16]), ([2; 16], [3; 16])] },
        Message::Clocks {
            groups: vec![bundle.group],
            docs: vec![DocClock { place: segment.place, actors: vec![(vec![1; 16], 4, [7; 32])] }],
            partial: vec![],
            sealed: vec![(bundle.group, vec![[1, 2, 3, 4]])],
            lacking_bodies: vec![segment.place.doc],
        },
        Message::Sealed { group: bundle.group, item: vec![5; kindred_core::sealed::ITEM_LEN] },
        Message::WantBodies { group: bundle.group, tags: vec![[1; 8], [2; 8]] },
        Message::Bodies { group: bundle.group, bodies: vec![vec![0; 20]] },
        Message::Changes { place: segment.place, changes, vouchers: segment.vouchers.clone() },
        Message::Offer {
            place: segment.place,
            form: Form::Snapshot,
            hash: [9; 32],
            len: 12_345,
            vouchers: segment.vouchers.clone(),
        },
        Message::Want { hash: [9; 32], offset: 4096 },
        Message::Chunk { hash: [9; 32], offset: 4096, bytes: segment.snapshot.clone() },
        Message::JoinResult { group: bundle.group, admitted: false, reason: "expired".into() },
        Message::Done,
    ]
}

#[test]
fn sync_message_parser() {
    let w = World::new();
    let samples: Vec<Vec<u8>> = sample_messages(&w).iter().map(|m| m.encode().unwrap()).collect();
    let mut fuzz = Fuzz::new("sync messages", 20_000, 1);
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..fuzz.iterations {
        let sample = samples.choose(&mut fuzz.rng).unwrap();
        let input = if i % 4 == 0 { fuzz.bytes(300) } else { fuzz.mutate(sample, &samples) };
        match fuzz.call(i, &input, || Message::decode(&input)).map_err(Error::into_kind) {
            Ok(message) => {
                accepted += 1;
                // Whatever parses must encode back to something that parses to the same message.
                let again = fuzz.call(i, &input, || Message::decode(&message.encode().unwrap()));
                assert_eq!(again.ok().as_ref(), Some(&message), "input {i} does not round-trip");
            }
            Err(ErrorKind::Rejected { .. }) => refused += 1,
            Err(other) => panic!("input {i}: not a refusal: {other}"),
        }
    }
    eprintln!("sync messages: {accepted} parsed, {refused} refused");
    assert!(refused > 0 && accepted > 0, "the mutator should produce both");
}

// ---------------------------------------------------------------------------------------------------------------

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::DeflateEncoder::new(bytes, flate2::Compression::fast()).read_to_end(&mut out).unwrap();
    out
}

const MAGIC: &[u8] = b"KINDRED-BUNDLE-2\n";

#[test]
fn bundle_files() {
    let w = World::new();
    let file = w.alice.kindred.export_bundle(&w.group).unwrap();
    let bundle = forge::unseal(&file);
    let postcard_bytes = postcard::to_stdvec(&bundle).unwrap();
    let corpus = vec![file.clone(), postcard_bytes.clone()];
    let mut fuzz = Fuzz::new("bundle files", 1_500, 1);
    let mut parsed = 0;
    for i in 0..fuzz.iterations {
        let input = match i % 4 {
            // The file as it travels: mostly refused by the decompressor or the signature.
            0 => fuzz.mutate(&file, &corpus),
            // Behind the decompressor: mutated postcard, recompressed, so the parser sees it.
            1 | 2 => [MAGIC, &deflate(&fuzz.mutate(&postcard_bytes, &corpus))].concat(),
            _ => [MAGIC, &deflate(&fuzz.bytes(2_000))].concat(),
        };
        match fuzz.call(i, &input, || Bundle::from_file_bytes(&input)).as_ref().map_err(Error::kind) {
            Ok(_) => parsed += 1,
            Err(ErrorKind::Rejected { .. }) => {}
            Err(other) => panic!("input {i}: not a refusal: {other}"),
        }
    }
    eprintln!("bundle files: {parsed} of {} parsed with a valid signature", fuzz.iterations);
}

/// Mutates an Automerge snapshot: usually inside its first chunk with the checksum recomputed (so it reaches the
/// parser), sometimes raw, sometimes with a mutated copy of a real change appended as a further chunk.
fn mutate_snapshot(fuzz: &mut Fuzz, snapshot: &[u8], changes: &[Vec<u8>]) -> Vec<u8> {
    match fuzz.rng.random_range(0..10) {
        0 => fuzz.mutate(snapshot, changes),
        1..=4 => {
            let change = changes.choose(&mut fuzz.rng).unwrap();
            let (kind, data) = forge::chunk_parts(change).unwrap_or((1, change));
            let mutated = fuzz.mutate_times(data, changes, 1);
            [snapshot, &forge::chunk(kind, &mutated)].concat()
        }
        5 => {
            // A change chunk alone, mutated.
            let change = changes.choose(&mut fuzz.rng).unwrap();
            let (kind, data) = forge::chunk_parts(change).unwrap_or((1, change));
            forge::chunk(kind, &fuzz.mutate(data, changes))
        }
        _ => match forge::chunk_parts(snapshot) {
            Some((kind, data)) => {
                let data = data.to_vec();
                forge::chunk(kind, &fuzz.mutate_times(&data, changes, 1))
            }
            None => fuzz.mutate(snapshot, changes),
        },
    }
}

/// Signed heads and certificates for every actor of `changes`: by the matching writer of `signer`'s where there is
/// one (what a member would send to get mutated changes past the signature checks), otherwise a claim by `signer`
/// that receivers must refuse.
fn vouch_all(signer: &Kindred, writers: &[Writer<'_>], doc: &DocId, changes: &[Change]) -> Vouchers {
    let mut newest: std::collections::HashMap<ActorId, &Change> = std::collections::HashMap::new();
    for change in changes {
        let slot = newest.entry(change.actor_id().clone()).or_insert(change);
        if change.seq() > slot.seq() {
            *slot = change;
        }
    }
    let mut vouchers = Vouchers::default();
    for (actor, change) in newest {
        let writer =
            writers.iter().find(|w| w.actor == actor).cloned().unwrap_or_else(|| Writer::claiming(signer, actor));
        let head: WireHead = writer.head(doc, change);
        vouchers.heads.push(head);
        vouchers.certificates.push(writer.certificate());
    }
    vouchers
}

#[test]
fn bundle_imports_of_mutated_documents() {
    let w = World::new();
    let bundle = w.bundle(&w.mallory);
    let documents: Vec<BundleDocument> = bundle.documents.clone();
    let changes: Vec<Vec<u8>> = documents
        .iter()
        .flat_map(|d| forge::load(d).get_changes(&[]).into_iter().map(|c| c.raw_bytes().to_vec()))
        .collect();
    let mallory_writers = [Writer::of(&w.mallory.kindred)];
    let mut fuzz = Fuzz::new("bundle imports", 250, 20);
    let (mut loaded, mut applied, mut outcomes) = (0, 0, std::collections::BTreeMap::<String, usize>::new());
    for i in 0..fuzz.iterations {
        // Mostly mallory's own messages (she can vouch for every change in them), sometimes the group document.
        let mallory_only = fuzz.rng.random_range(0..4) != 0;
        let candidates: Vec<&BundleDocument> =
            documents.iter().filter(|d| !mallory_only || d.place.author == *w.mallory.id().as_bytes()).collect();
        let mut document = (*candidates.choose(&mut fuzz.rng).unwrap()).clone();
        document.snapshot = mutate_snapshot(&mut fuzz, &document.snapshot, &changes);
        // If Automerge can read it at all (a panic here is Automerge's, which the core must contain), re-sign it.
        let doc_id = DocId::from_bytes(document.place.doc);
        let bounded = kindred_core::testing::snapshot_within_bounds(&document.snapshot);
        if bounded && let Ok(Ok(doc)) = catch_unwind(AssertUnwindSafe(|| Automerge::load(&document.snapshot))) {
            loaded += 1;
            if let Ok(changes) = catch_unwind(AssertUnwindSafe(|| doc.get_changes(&[]))) {
                document.vouchers = vouch_all(&w.mallory.kindred, &mallory_writers, &doc_id, &changes);
            }
        }
        let file = forge::seal(Bundle { documents: vec![document], ..bundle.clone() }, &w.mallory.kindred);
        let result = fuzz.call(i, &file, || w.carol.kindred.import_bundle(&file));
        let outcome = match &result {
            Ok(r) => {
                applied += r.report.applied;
                "imported".to_owned()
            }
            Err(e) if is_typed_refusal(e) => refusal_kind(e),
            Err(other) => panic!("input {i}: not a refusal: {other:?}"),
        };
        *outcomes.entry(outcome).or_default() += 1;
        // Whatever was accepted must leave carol's view readable.
        fuzz.call(i, &file, || w.carol.view(&w.group));
    }
    eprintln!("bundle imports: {loaded} mutated documents loaded, {applied} changes applied; outcomes {outcomes:#?}");
    w.still_fine();
}

// ---------------------------------------------------------------------------------------------------------------

#[test]
fn invite_codes() {
    let w = World::new();
    let codes: Vec<String> = (0..4).map(|_| w.alice.kindred.create_invite(&w.group, 3_600_000).unwrap()).collect();
    let originals: Vec<InviteCode> = codes.iter().map(|c| InviteCode::parse(c).unwrap()).collect();
    let corpus: Vec<Vec<u8>> = codes.iter().map(|c| c.as_bytes().to_vec()).collect();
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcxyz0189 :\n\té€😀\u{0}".chars().collect();
    let mut fuzz = Fuzz::new("invite codes", 20_000, 1);
    let mut joins = 0;
    for i in 0..fuzz.iterations {
        let text = match i % 5 {
            // Random text over the code alphabet and a few troublemakers.
            0 => {
                let len = fuzz.rng.random_range(0..450);
                let body: String = (0..len).map(|_| *alphabet.choose(&mut fuzz.rng).unwrap()).collect();
                if fuzz.rng.random_bool(0.5) { format!("KINDRED:{body}") } else { body }
            }
            // Well-formed base32 of random bytes around the binary layout's length: reaches the binary parser.
            1 => {
                let len = fuzz.rng.random_range(120..180);
                let mut bytes: Vec<u8> = (0..len).map(|_| fuzz.rng.random::<u8>()).collect();
                if let Some(first) = bytes.first_mut() {
                    *first = 1;
                }
                format!("KINDRED:{}", base32(&bytes))
            }
            // Mutated real codes, as bytes (may not be UTF-8) or by character.
            _ => {
                let code = corpus.choose(&mut fuzz.rng).unwrap();
                let mutated = fuzz.mutate(code, &corpus);
                String::from_utf8_lossy(&mutated).into_owned()
            }
        };
        let parsed = fuzz.call(i, text.as_bytes(), || InviteCode::parse(&text));
        match parsed.map_err(Error::into_kind) {
            // A damaged code may still parse only if it is one of the real codes (case and spacing do not matter).
            Ok(code) => assert!(originals.contains(&code), "input {i}: {text:?} parsed as a code nobody made"),
            Err(ErrorKind::InvalidInput { .. }) => {}
            Err(other) => panic!("input {i}: not an invalid-input error: {other}"),
        }
        if i % 40 == 0 {
            joins += 1;
            let joined = fuzz.call(i, text.as_bytes(), || w.mallory.kindred.join_group(&text));
            assert!(
                matches!(joined.as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. }))
                    || originals.iter().any(|c| c.group_id == w.group),
                "{joined:?}"
            );
        }
    }
    eprintln!("invite codes: {} inputs, {joins} also tried as joins", fuzz.iterations);
    assert!(w.mallory.kindred.pending_joins().unwrap().is_empty(), "a damaged code was recorded as a pending join");
    w.still_fine();
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((acc >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------

#[test]
fn session_frames() {
    let w = World::new();
    let mut fuzz = Fuzz::new("session frames", 1_500, 1);
    let frame_sizes = [256usize, 512, 4096, 32 * 1024];
    let carol_id = w.carol.id();

    // A fresh listener, and a dialler that has sent its first frame, fed random frames.
    for i in 0..fuzz.iterations {
        let max_frame = *frame_sizes.choose(&mut fuzz.rng).unwrap();
        let options = SyncOptions { max_frame };
        let (mut session, profile) = if i % 3 == 0 {
            let peer = if fuzz.rng.random_bool(0.5) { Some(carol_id) } else { None };
            let mut dialler = w.alice.kindred.connect_sync(peer, options).unwrap();
            dialler.take_outgoing();
            (dialler, &w.alice)
        } else {
            (w.carol.kindred.accept_sync(options).unwrap(), &w.carol)
        };
        for _ in 0..fuzz.rng.random_range(1..=3) {
            let max = *[40, 140, 600].choose(&mut fuzz.rng).unwrap();
            let mut frame = fuzz.bytes(max);
            if let Some(tag) = frame.first_mut() {
                *tag = *[0x01, 0x02, *tag].choose(&mut fuzz.rng).unwrap();
            }
            let result = fuzz.call(i, &frame, || session.receive(&profile.kindred, &frame));
            match result.as_ref().map_err(Error::kind) {
                Ok(()) => {
                    fuzz.call(i, &frame, || session.take_outgoing());
                }
                Err(ErrorKind::Rejected { .. }) => break,
                Err(other) => panic!("input {i}: not a refusal: {other}"),
            }
        }
        assert!(!session.is_finished() && session.peer().is_none(), "input {i}: random frames authenticated a peer");
    }

    // Real sessions with something to carry, each frame at risk of damage, loss, duplication or reordering.
    let sessions = (fuzz.iterations / 25).max(8);
    let mut failed = 0;
    for i in 0..sessions {
        if fuzz.rng.random_bool(0.7) {
            w.alice.say(&w.group, &format!("news {i}"));
        }
        if fuzz.rng.random_bool(0.3) {
            w.carol.say(&w.group, &format!("reply {i}"));
        }
        let max_frame = *frame_sizes.choose(&mut fuzz.rng).unwrap();
        let victim = fuzz.rng.random_range(1..12);
        let fate = fuzz.rng.random_range(0..6);
        let seed: u64 = fuzz.rng.random();
        let mut local = StdRng::seed_from_u64(seed);
        let mut held: Option<Vec<u8>> = None;
        let (a, b) = if i % 2 == 0 { (&w.alice, &w.carol) } else { (&w.carol, &w.alice) };
        let result = fuzz.call(i, &seed.to_be_bytes(), || {
            connect_tampered(a, b, max_frame, |_: Direction, n, mut frame| {
                let mut out = Vec::new();
                if let Some(h) = held.take() {
                    out.push(frame);
                    out.push(h);
                    return out;
                }
                if n != victim {
                    return vec![frame];
                }
                match fate {
                    0 if !frame.is_empty() => {
                        let at = local.random_range(0..frame.len());
                        frame[at] ^= 1 << local.random_range(0..8);
                        vec![frame]
                    }
                    1 => vec![],
                    2 => vec![frame.clone(), frame],
                    3 => {
                        held = Some(frame);
                        vec![]
                    }
                    4 => {
                        let keep = local.random_range(0..=frame.len());
                        frame.truncate(keep);
                        vec![frame]
                    }
                    _ => {
                        let len = local.random_range(0..=max_frame);
                        vec![(0..len).map(|_| local.random()).collect()]
                    }
                }
            })
        });
        if let Err((ending, _)) = result {
            failed += 1;
            assert!(matches!(ending, Ending::Refused { .. } | Ending::Stalled), "session {i}: {ending:?}");
        }
    }
    eprintln!(
        "session frames: {} random-frame sessions; {sessions} damaged real sessions, {failed} of them refused",
        fuzz.iterations
    );
    sync(&w.alice, &w.carol);
    w.still_fine();
}

// ---------------------------------------------------------------------------------------------------------------

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One random but well-formed operation on `tx`: the shapes Kindred writes, and many it never would.
fn random_op(fuzz: &mut Fuzz, tx: &mut automerge::transaction::Transaction<'_>, known: &[String]) {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT, ReadDoc, ScalarValue, Value};
    let fresh_id = hex(&fuzz.rng.random::<[u8; 16]>());
    let key = match fuzz.rng.random_range(0..8) {
        0 | 1 => fresh_id,
        2 => format!("r{}", known.choose(&mut fuzz.rng).cloned().unwrap_or(fresh_id)),
        3 => known.choose(&mut fuzz.rng).cloned().unwrap_or(fresh_id),
        4 => (*["by", "at", "text", "re", "cw", "edited", "removed", "emoji", "react"].choose(&mut fuzz.rng).unwrap())
            .to_owned(),
        _ => String::from_utf8_lossy(&fuzz.bytes(6)).into_owned(),
    };
    // Where: the root, or a map already there (a message or a reaction entry).
    let mut obj = ROOT;
    if fuzz.rng.random_bool(0.6)
        && let Some(parent) = known.choose(&mut fuzz.rng)
        && let Ok(Some((Value::Object(ObjType::Map), id))) = tx.get(ROOT, parent.as_str())
    {
        obj = id;
    }
    // Half the time, the type Kindred uses for that field; otherwise anything.
    let typed = match key.as_str() {
        "text" | "cw" | "emoji" => Some(ScalarValue::Str(String::from_utf8_lossy(&fuzz.bytes(40)).into_owned().into())),
        "at" | "edited" => Some(ScalarValue::Timestamp(fuzz.rng.random_range(0..2_000_000_000_000))),
        "removed" => Some(ScalarValue::Boolean(fuzz.rng.random())),
        "re" => Some(ScalarValue::Bytes(fuzz.bytes(20))),
        _ => None,
    };
    let scalar = match (typed, fuzz.rng.random_bool(0.5)) {
        (Some(value), true) => value,
        _ => match fuzz.rng.random_range(0..9) {
            0 => ScalarValue::Str(String::from_utf8_lossy(&fuzz.bytes(40)).into_owned().into()),
            1 => ScalarValue::Int(fuzz.rng.random()),
            2 => ScalarValue::Uint(fuzz.rng.random()),
            3 => ScalarValue::F64(f64::from_bits(fuzz.rng.random())),
            4 => ScalarValue::Boolean(fuzz.rng.random()),
            5 => ScalarValue::Bytes(fuzz.bytes(40)),
            6 => ScalarValue::Timestamp(fuzz.rng.random()),
            7 => ScalarValue::Counter(fuzz.rng.random::<i64>().into()),
            _ => ScalarValue::Null,
        },
    };
    let _ = match fuzz.rng.random_range(0..7) {
        0 => tx.put_object(&obj, key.as_str(), ObjType::Map).map(drop),
        1 => tx
            .put_object(&obj, key.as_str(), *[ObjType::List, ObjType::Text].choose(&mut fuzz.rng).unwrap())
            .and_then(|list| tx.insert(&list, 0, scalar.clone()).or_else(|_| tx.splice_text(&list, 0, 0, "x"))),
        2 => tx.delete(&obj, key.as_str()),
        3 => tx.increment(&obj, key.as_str(), 1),
        _ => tx.put(&obj, key.as_str(), scalar),
    };
}

#[test]
fn random_well_formed_changes_from_a_member() {
    let w = World::new();
    let mallory_id = w.mallory.id();
    let bundle = w.bundle(&w.mallory);
    let known: Vec<String> = {
        let segment = bundle.documents.iter().find(|d| d.place.author == *mallory_id.as_bytes()).unwrap();
        automerge::ReadDoc::keys(&forge::load(segment), automerge::ROOT).collect()
    };
    let mut fuzz = Fuzz::new("well-formed changes", 200, 20);
    let (mut imported, mut outcomes) = (0, std::collections::BTreeMap::<String, usize>::new());
    // Eight devices of mallory's, each writing on top of what carol holds (so an accepted change is never followed by
    // another at the same actor and sequence number, and the number of actors stays that of a real member).
    let devices: Vec<Writer<'_>> = (0..8).map(|_| Writer::another_device(&w.mallory.kindred)).collect();
    for i in 0..fuzz.iterations {
        let device = devices.choose(&mut fuzz.rng).unwrap();
        let group_doc = fuzz.rng.random_range(0..5) == 0;
        let mut copy = if i == 0 { bundle.clone() } else { w.bundle(&w.carol) };
        let document =
            if group_doc { forge::group_document(&mut copy) } else { forge::segment_of(&mut copy, &mallory_id) };
        let ops = fuzz.rng.random_range(0..=3);
        let author = mallory_id;
        let start = fuzz.rng.random_range(0..3);
        let id = hex(&fuzz.rng.random::<[u8; 16]>());
        let key = if start == 0 { id } else { format!("r{}", known.choose(&mut fuzz.rng).cloned().unwrap_or(id)) };
        forge::forge(document, device, |tx| {
            use automerge::transaction::Transactable;
            use automerge::{ObjType, ROOT, ScalarValue};
            // Often a well-formed message or reaction first, so that some changes pass and the random part is what
            // decides.
            if !group_doc && start < 2 {
                let entry = tx.put_object(ROOT, key.as_str(), ObjType::Map).unwrap();
                if start == 0 {
                    tx.put(&entry, "by", ScalarValue::Bytes(author.as_bytes().to_vec())).unwrap();
                    tx.put(&entry, "text", "well formed").unwrap();
                } else {
                    tx.put(&entry, "emoji", "🌱").unwrap();
                }
                tx.put(&entry, "at", ScalarValue::Timestamp(1_800_000_000_000)).unwrap();
            }
            for _ in 0..ops {
                random_op(&mut fuzz, tx, &known);
            }
            if automerge::transaction::Transactable::pending_ops(tx) == 0 {
                automerge::transaction::Transactable::put(tx, automerge::ROOT, "anything", 1).unwrap();
            }
        });
        let file = forge::seal(copy, &w.mallory.kindred);
        let result = fuzz.call(i, &file, || w.carol.kindred.import_bundle(&file));
        let outcome = match &result {
            Ok(_) => {
                imported += 1;
                "imported".to_owned()
            }
            Err(e) if is_typed_refusal(e) => refusal_kind(e),
            Err(other) => panic!("input {i}: not a refusal: {other:?}"),
        };
        *outcomes.entry(outcome).or_default() += 1;
        fuzz.call(i, &file, || w.carol.view(&w.group));
    }
    eprintln!("well-formed changes: {imported} of {} imported; outcomes {outcomes:#?}", fuzz.iterations);
    // Whatever carol accepted, alice must accept from her and show the same.
    w.still_fine();
}

/// The peer paths under a memory limit: each target that feeds a phone a peer's bytes (mutated bundles and
/// snapshots, damaged sessions, well-formed but hostile changes) runs again in a child process of this test binary,
/// under a hard limit on its data segment (`prlimit`, 1 GiB: a runaway allocation aborts the child and fails the
/// test), and is held to peaking at most 64 MiB above its world's baseline. Prints the worst growth seen. (The
/// harness itself loads mutated snapshots only within the same bounds the core applies.)
#[test]
fn peer_paths_stay_within_the_memory_budget() {
    if memory_budget_mb().is_some() {
        return; // a child runs only the targets it was given
    }
    if std::process::Command::new("prlimit").arg("--version").output().is_err() {
        eprintln!("skipped: prlimit is not installed");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut worst = (0u64, "");
    for target in ["bundle_imports_of_mutated_documents", "session_frames", "random_well_formed_changes_from_a_member"]
    {
        let out = std::process::Command::new("prlimit")
            .arg("--data=1073741824")
            .arg("--")
            .arg(&exe)
            .args([target, "--exact", "--test-threads=1", "--nocapture"])
            .env("KINDRED_MEMORY_BUDGET_MB", "64")
            // A caught panic inside Automerge must not make the test harness symbolise a backtrace (it reads the
            // binary's debug information, about 100 MB, which is the harness's cost, not the phone's).
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{target} under the memory limit: {}",
            err.lines().rev().take(15).collect::<Vec<_>>().join("\n")
        );
        let growth: u64 = err
            .lines()
            .find_map(|l| l.strip_prefix("memory: the run peaked ")?.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("{target}: no memory report"));
        if growth >= worst.0 {
            worst = (growth, target);
        }
    }
    eprintln!("worst peak above the baseline under the memory limit: {} MiB ({})", worst.0, worst.1);
}
