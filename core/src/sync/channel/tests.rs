//! The channel's tests: handshakes, framing and compression, and every way a peer can spoil a frame.

use std::io::Write as _;

use ed25519_dalek::VerifyingKey;
use flate2::Compression;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::framing::{FLAG_DEFLATE, FLAG_MORE, KNOWN_FLAGS};
use super::handshake::{AEAD_TAG, KK_MSG1, XX_PARAMS};
use super::*;

fn config(max_frame: usize) -> ChannelConfig {
    ChannelConfig { max_frame, ..ChannelConfig::default() }
}

fn is_rejected<T: std::fmt::Debug>(result: &Result<T>) -> bool {
    matches!(result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { .. }))
}

/// Which rule refused it, if it was refused.
fn refusal<T: std::fmt::Debug>(result: &Result<T>) -> Option<Refusal> {
    result.as_ref().err().and_then(Error::refusal)
}

/// Everything that crossed the link while pumping, and what each side reported.
#[derive(Default)]
struct Transcript {
    a_to_b: Vec<Vec<u8>>,
    b_to_a: Vec<Vec<u8>>,
    a_events: Vec<ChannelEvent>,
    b_events: Vec<ChannelEvent>,
}

/// Delivers frames both ways, in order, until both sides are quiet. Every frame must be accepted.
fn pump(a: &mut SecureChannel, b: &mut SecureChannel) -> Transcript {
    let mut t = Transcript::default();
    loop {
        let (from_a, from_b) = (a.take_outgoing(), b.take_outgoing());
        if from_a.is_empty() && from_b.is_empty() {
            return t;
        }
        for frame in from_a {
            t.b_events.extend(b.receive_frame(&frame).expect("b accepts a's frame"));
            t.a_to_b.push(frame);
        }
        for frame in from_b {
            t.a_events.extend(a.receive_frame(&frame).expect("a accepts b's frame"));
            t.b_to_a.push(frame);
        }
    }
}

fn kk_pair(config: ChannelConfig) -> (LocalIdentity, LocalIdentity, SecureChannel, SecureChannel) {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), config).unwrap();
    let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], config).unwrap();
    pump(&mut a, &mut b);
    assert!(a.is_established() && b.is_established());
    (alice, bob, a, b)
}

fn xx_pair(config: ChannelConfig) -> (LocalIdentity, LocalIdentity, SecureChannel, SecureChannel) {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let mut a = SecureChannel::initiator(&alice, None, config).unwrap();
    let mut b = SecureChannel::responder(&bob, config).unwrap();
    pump(&mut a, &mut b);
    assert!(a.is_established() && b.is_established());
    (alice, bob, a, b)
}

/// Encrypts an arbitrary plaintext as the next transport frame, to play a peer that breaks the framing rules.
fn seal_raw(channel: &mut SecureChannel, plaintext: &[u8]) -> Vec<u8> {
    match &mut channel.state {
        State::Open { transport, .. } => seal_frame(transport, plaintext).unwrap(),
        _ => panic!("channel is not open"),
    }
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn random_bytes(rng: &mut StdRng, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rng.fill(&mut bytes[..]);
    bytes
}

fn total(frames: &[Vec<u8>]) -> usize {
    frames.iter().map(Vec::len).sum()
}

#[test]
fn kk_handshake_is_small_and_carries_messages_both_ways() {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
    let mut b =
        SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
    assert!(!a.is_established() && a.peer().is_none());

    let msg1 = a.take_outgoing();
    assert_eq!(msg1.len(), 1);
    assert_eq!(b.receive_frame(&msg1[0]).unwrap(), vec![]);
    // Authenticated, but not yet shown live: message 1 could be a recording.
    assert!(!b.is_established() && b.peer().is_none());
    let msg2 = b.take_outgoing();
    assert_eq!(msg2.len(), 1);
    assert_eq!(a.receive_frame(&msg2[0]).unwrap(), vec![ChannelEvent::Established { peer: bob.member_id() }]);
    assert!(a.is_established());
    assert_eq!(a.peer(), Some(bob.member_id()));

    // Nothing to say yet: the initiator proves liveness with an empty frame.
    let liveness = a.take_outgoing();
    assert_eq!(liveness.len(), 1);
    assert_eq!(b.receive_frame(&liveness[0]).unwrap(), vec![ChannelEvent::Established { peer: alice.member_id() }]);
    assert!(b.is_established());

    let handshake = total(&msg1) + total(&msg2);
    println!(
        "KK handshake: {} + {} = {handshake} bytes, plus a {} byte liveness frame if the initiator has nothing to \
         send; per-frame overhead {FRAME_OVERHEAD} bytes",
        msg1[0].len(),
        msg2[0].len(),
        liveness[0].len()
    );
    assert_eq!((msg1[0].len(), msg2[0].len(), liveness[0].len()), (1 + KK_MSG1, KK_MSG2, AEAD_TAG));
    assert!(handshake <= 128, "KK handshake is {handshake} bytes");
    assert!(handshake + liveness[0].len() <= 128);

    a.send_message(b"hello bob").unwrap();
    b.send_message(b"hello alice").unwrap();
    b.send_message(b"").unwrap();
    let t = pump(&mut a, &mut b);
    assert_eq!(t.b_events, vec![ChannelEvent::Message(b"hello bob".to_vec())]);
    assert_eq!(t.a_events, vec![ChannelEvent::Message(b"hello alice".to_vec()), ChannelEvent::Message(vec![])]);
    assert_eq!(t.a_to_b[0].len(), b"hello bob".len() + FRAME_OVERHEAD);
    assert_eq!(a.bytes_sent(), b.bytes_received());
    assert_eq!(b.bytes_sent(), a.bytes_received());
}

#[test]
fn kk_reconnect_with_a_summary_each_way_needs_no_liveness_frame() {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
    let mut b =
        SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
    // Random, so that it does not compress: a summary of document digests looks like this.
    let summary = random_bytes(&mut StdRng::seed_from_u64(5), 40);
    // The session's usual flow: the initiator sends its summary as soon as the channel is up, which doubles as
    // its proof of liveness; the responder answers once it knows who it is talking to.
    for frame in a.take_outgoing() {
        b.receive_frame(&frame).unwrap();
    }
    for frame in b.take_outgoing() {
        assert_eq!(a.receive_frame(&frame).unwrap().len(), 1);
    }
    a.send_message(&summary).unwrap();
    let mut events = Vec::new();
    for frame in a.take_outgoing() {
        events.extend(b.receive_frame(&frame).unwrap());
    }
    assert_eq!(
        events,
        vec![ChannelEvent::Established { peer: alice.member_id() }, ChannelEvent::Message(summary.to_vec())]
    );
    b.send_message(&summary).unwrap();
    pump(&mut a, &mut b);
    println!("KK reconnect with a 40-byte summary each way: {} bytes in all", a.bytes_sent() + b.bytes_sent());
    assert_eq!(a.bytes_sent() + b.bytes_sent(), 97 + 2 * (40 + FRAME_OVERHEAD as u64));
}

#[test]
fn xx_handshake_authenticates_both_member_keys() {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let mut a = SecureChannel::initiator(&alice, None, ChannelConfig::default()).unwrap();
    let mut b = SecureChannel::responder(&bob, ChannelConfig::default()).unwrap();
    a.send_message(b"queued before the handshake").unwrap();
    b.send_message(b"queued before the first frame").unwrap();
    let t = pump(&mut a, &mut b);
    let sizes: Vec<usize> = [&t.a_to_b[0], &t.b_to_a[0], &t.a_to_b[1]].iter().map(|f| f.len()).collect();
    println!("XX handshake: {sizes:?} = {} bytes", sizes.iter().sum::<usize>());
    assert_eq!(sizes, vec![1 + XX_MSG1, XX_MSG2, XX_MSG3]);
    assert_eq!(
        t.a_events,
        vec![
            ChannelEvent::Established { peer: bob.member_id() },
            ChannelEvent::Message(b"queued before the first frame".to_vec())
        ]
    );
    assert_eq!(
        t.b_events,
        vec![
            ChannelEvent::Established { peer: alice.member_id() },
            ChannelEvent::Message(b"queued before the handshake".to_vec())
        ]
    );
    assert_eq!((a.peer(), b.peer()), (Some(bob.member_id()), Some(alice.member_id())));

    b.send_message(b"and back").unwrap();
    let t = pump(&mut a, &mut b);
    assert_eq!(t.a_events, vec![ChannelEvent::Message(b"and back".to_vec())]);
    assert_eq!(a.bytes_sent(), b.bytes_received());
    assert_eq!(b.bytes_sent(), a.bytes_received());
}

#[test]
fn kk_messages_queued_before_the_handshake_are_delivered() {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
    let mut b =
        SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
    a.send_message(b"early from alice").unwrap();
    b.send_message(b"early from bob").unwrap();
    let t = pump(&mut a, &mut b);
    assert_eq!(
        t.a_events,
        vec![ChannelEvent::Established { peer: bob.member_id() }, ChannelEvent::Message(b"early from bob".to_vec())]
    );
    assert_eq!(
        t.b_events,
        vec![
            ChannelEvent::Established { peer: alice.member_id() },
            ChannelEvent::Message(b"early from alice".to_vec())
        ]
    );
    // The queued message was the liveness proof: no empty frame.
    assert_eq!(t.a_to_b.len(), 2);
}

#[test]
fn large_messages_are_fragmented_within_max_frame() {
    let mut rng = StdRng::seed_from_u64(1);
    for max_frame in [MIN_FRAME, 512, 32 * 1024, MAX_FRAME] {
        let cfg = config(max_frame);
        let chunk = max_frame - FRAME_OVERHEAD;
        let (_, _, mut a, mut b) = if max_frame == 512 { xx_pair(cfg) } else { kk_pair(cfg) };
        for len in [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 7, 200_000, 1 << 20] {
            // Random bytes do not compress, so the frame count is exact.
            let message = random_bytes(&mut rng, len);
            a.send_message(&message).unwrap();
            let frames = a.take_outgoing();
            assert_eq!(frames.len(), len.div_ceil(chunk).max(1), "{len} bytes at max_frame {max_frame}");
            assert!(frames.iter().all(|f| f.len() <= max_frame));
            assert_eq!(total(&frames), len + frames.len() * FRAME_OVERHEAD);
            let mut events = Vec::new();
            for frame in &frames {
                events.extend(b.receive_frame(frame).unwrap());
            }
            assert_eq!(events, vec![ChannelEvent::Message(message)]);
        }
        // The other way, and a compressible message.
        let text = "we walked by the river and talked about the week. ".repeat(40_000).into_bytes();
        b.send_message(&text).unwrap();
        let frames = b.take_outgoing();
        assert!(frames.iter().all(|f| f.len() <= max_frame));
        let mut events = Vec::new();
        for frame in &frames {
            events.extend(a.receive_frame(frame).unwrap());
        }
        assert_eq!(events, vec![ChannelEvent::Message(text)]);
    }
}

#[test]
fn compression_shrinks_repetitive_text_and_skips_noise() {
    let (_, _, mut a, mut b) = kk_pair(ChannelConfig::default());
    let text = "Today I managed a short walk and felt a little calmer afterwards. ".repeat(150).into_bytes();
    a.send_message(&text).unwrap();
    let frames = a.take_outgoing();
    println!("{} bytes of repetitive text took {} bytes on the link", text.len(), total(&frames));
    assert!(total(&frames) * 10 < text.len());
    assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(text)]);

    let noise = random_bytes(&mut StdRng::seed_from_u64(2), 5000);
    a.send_message(&noise).unwrap();
    let frames = a.take_outgoing();
    assert_eq!(total(&frames), noise.len() + FRAME_OVERHEAD);
    assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(noise)]);
}

#[test]
fn kk_to_the_wrong_member_fails_before_the_dialler_reveals_itself() {
    let (alice, bob, carol) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
    let cfg = ChannelConfig::default();
    // Alice expects Carol, but Bob answers (and knows both): Bob cannot read a KK made for Carol, so he asks for
    // XX, and Alice refuses his XX answer because it is not Carol's. She never sent message 3 (her identity).
    let mut a = SecureChannel::initiator(&alice, Some(carol.member_id()), cfg).unwrap();
    let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id(), carol.member_id()], cfg).unwrap();
    b.receive_frame(&a.take_outgoing().remove(0)).unwrap();
    assert_eq!(b.take_outgoing(), vec![vec![TAG_XX]]);
    a.receive_frame(&[TAG_XX]).unwrap();
    let xx_first = a.take_outgoing().remove(0);
    assert_eq!((xx_first[0], xx_first.len()), (TAG_XX, 1 + XX_MSG1));
    b.receive_frame(&xx_first).unwrap();
    let result = a.receive_frame(&b.take_outgoing().remove(0));
    assert!(
        matches!(&result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { kind: Refusal::Forged, reason: r }) if r.contains("not the member this initiator dialled"))
    );
    assert!(a.take_outgoing().is_empty() && a.peer().is_none() && !b.is_established());

    // Alice expects Bob but gets Carol's answer to someone else's KK: refused by Alice.
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
    a.take_outgoing();
    let mut other = SecureChannel::initiator(&alice, Some(carol.member_id()), cfg).unwrap();
    let mut c = SecureChannel::responder_with_known_peers(&carol, &[alice.member_id()], cfg).unwrap();
    c.receive_frame(&other.take_outgoing().remove(0)).unwrap();
    let result = a.receive_frame(&c.take_outgoing().remove(0));
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Forged));
    assert!(!a.is_established() && a.peer().is_none());
}

/// A newcomer dials by KK a member who has not heard of them yet (knows other members, or no one): the channel
/// falls back to XX on the same link, and each side learns the other's exact key.
#[test]
fn kk_to_someone_who_does_not_know_the_dialler_falls_back_to_xx() {
    let (alice, bob, carol) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
    let cfg = ChannelConfig::default();
    for known in [vec![carol.member_id()], vec![]] {
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
        let mut b = SecureChannel::responder_with_known_peers(&bob, &known, cfg).unwrap();
        a.send_message(b"queued before the handshake").unwrap();
        let t = pump(&mut a, &mut b);
        assert!(a.is_established() && b.is_established());
        assert_eq!((a.peer(), b.peer()), (Some(bob.member_id()), Some(alice.member_id())));
        assert_eq!(t.b_events.last(), Some(&ChannelEvent::Message(b"queued before the handshake".to_vec())));
        // KK message 1, then XX's three messages; the request for XX is one byte.
        assert_eq!(t.b_to_a.first(), Some(&vec![TAG_XX]));
        assert_eq!(t.a_to_b.get(1).map(|f| (f[0], f.len())), Some((TAG_XX, 1 + XX_MSG1)));
    }
}

/// The responder asks for XX once per link; and a forged request for XX only costs the initiator a round trip.
#[test]
fn the_request_for_xx_is_bounded_and_cannot_be_abused() {
    let (alice, bob, carol) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
    let cfg = ChannelConfig::default();
    let mut b = SecureChannel::responder_with_known_peers(&bob, &[carol.member_id()], cfg).unwrap();
    let kk = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap().take_outgoing().remove(0);
    b.receive_frame(&kk).unwrap();
    assert_eq!(b.take_outgoing(), vec![vec![TAG_XX]]);
    assert!(is_rejected(&b.receive_frame(&kk)), "a second KK on the same link");
    assert_eq!(refusal(&b.receive_frame(&kk)), Some(Refusal::Protocol), "closed by the second KK");

    // An attacker answers Alice's KK with "start again with XX" although Bob knows her: XX still reaches Bob.
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
    let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
    a.take_outgoing();
    a.receive_frame(&[TAG_XX]).unwrap();
    pump(&mut a, &mut b);
    assert_eq!((a.peer(), b.peer()), (Some(bob.member_id()), Some(alice.member_id())));
    // Once the handshake is under way, a stray request for XX is just a bad frame.
    let (_, _, mut a, _) = kk_pair(cfg);
    let result = a.receive_frame(&[TAG_XX]);
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Malformed));
    let (_, _, mut a, _) = xx_pair(cfg);
    let result = a.receive_frame(&[TAG_XX]);
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Malformed));
}

/// Plays an XX initiator by hand with snow: Alice's static key, but `claimed` in the payload.
fn hand_built_xx_initiator(
    alice: &LocalIdentity,
    claimed: &MemberId,
    bob: &LocalIdentity,
) -> Result<Vec<ChannelEvent>> {
    let secret = alice.x25519_secret();
    let prologue = Pattern::Xx.prologue();
    let mut noise = snow::Builder::new(XX_PARAMS.parse().unwrap())
        .local_private_key(&secret)
        .unwrap()
        .prologue(&prologue)
        .unwrap()
        .build_initiator()
        .unwrap();
    let mut responder = SecureChannel::responder(bob, ChannelConfig::default()).unwrap();
    let mut buf = [0u8; 256];
    let n = noise.write_message(&[], &mut buf).unwrap();
    let mut first = vec![TAG_XX];
    first.extend_from_slice(&buf[..n]);
    assert_eq!(responder.receive_frame(&first).unwrap(), vec![]);
    let msg2 = responder.take_outgoing().remove(0);
    let mut payload = [0u8; 256];
    let n = noise.read_message(&msg2, &mut payload).unwrap();
    assert_eq!(&payload[..n], bob.member_id().as_bytes());
    let n = noise.write_message(claimed.as_bytes(), &mut buf).unwrap();
    responder.receive_frame(&buf[..n])
}

#[test]
fn xx_payload_key_must_match_the_noise_static_key() {
    let (alice, bob, mallory) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
    // Control: the hand-built initiator is accepted when it tells the truth.
    assert_eq!(
        hand_built_xx_initiator(&alice, &alice.member_id(), &bob).unwrap(),
        vec![ChannelEvent::Established { peer: alice.member_id() }]
    );
    // Mallory's static key cannot claim Alice's member key, nor the other way round.
    let result = hand_built_xx_initiator(&mallory, &alice.member_id(), &bob);
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Forged));
    let result = hand_built_xx_initiator(&alice, &mallory.member_id(), &bob);
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Forged));
    // Keys no honest profile has: small-order (all DH outputs zero) and garbage.
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    for unusable in [MemberId::from_bytes(identity_point), MemberId::from_bytes([0xff; 32])] {
        let result = hand_built_xx_initiator(&alice, &unusable, &bob);
        assert!(is_rejected(&result));
        assert_eq!(refusal(&result), Some(Refusal::Malformed));
    }

    // The same check on the initiator's side: a hand-built responder claiming Mallory's key.
    let mut a = SecureChannel::initiator(&alice, None, ChannelConfig::default()).unwrap();
    let secret = bob.x25519_secret();
    let prologue = Pattern::Xx.prologue();
    let mut noise = snow::Builder::new(XX_PARAMS.parse().unwrap())
        .local_private_key(&secret)
        .unwrap()
        .prologue(&prologue)
        .unwrap()
        .build_responder()
        .unwrap();
    let first = a.take_outgoing().remove(0);
    let mut buf = [0u8; 256];
    noise.read_message(&first[1..], &mut buf).unwrap();
    let n = noise.write_message(mallory.member_id().as_bytes(), &mut buf).unwrap();
    let result = a.receive_frame(&buf[..n]);
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Forged));
    assert!(a.take_outgoing().is_empty());
}

#[test]
fn unusable_member_keys_are_refused_or_skipped() {
    let alice = LocalIdentity::generate();
    let key = VerifyingKey::from_bytes(alice.member_id().as_bytes()).unwrap();
    let small_order = VerifyingKey::from_bytes(&[0u8; 32]).unwrap();
    assert!(small_order.is_weak());
    let torsioned = MemberId::from_bytes((key.to_edwards() + small_order.to_edwards()).compress().to_bytes());
    // y = p + 1 = 2^255 - 18, little-endian: a non-canonical encoding (of the identity point).
    let mut non_canonical = [0xffu8; 32];
    non_canonical[31] = 0x7f;
    non_canonical[0] = 0xee;
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    for bad in [
        MemberId::from_bytes([0; 32]),
        MemberId::from_bytes(identity_point),
        torsioned,
        MemberId::from_bytes(non_canonical),
    ] {
        assert!(noise_static_key(&bad).is_none(), "{bad:?}");
        assert!(matches!(
            SecureChannel::initiator(&alice, Some(bad), ChannelConfig::default()).as_ref().map_err(Error::kind),
            Err(ErrorKind::InvalidInput { .. })
        ));
    }
    assert_eq!(noise_static_key(&alice.member_id()), Some(key.to_montgomery().to_bytes()));

    // Bad entries in a member list are skipped, not fatal; too long a list is the caller's mistake.
    let bob = LocalIdentity::generate();
    let known = [MemberId::from_bytes([0; 32]), torsioned, alice.member_id(), alice.member_id()];
    let mut b = SecureChannel::responder_with_known_peers(&bob, &known, ChannelConfig::default()).unwrap();
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
    pump(&mut a, &mut b);
    assert_eq!(b.peer(), Some(alice.member_id()));
    let many = vec![alice.member_id(); MAX_KNOWN_PEERS + 1];
    assert!(matches!(
        SecureChannel::responder_with_known_peers(&bob, &many, ChannelConfig::default()).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
}

#[test]
fn kk_matching_two_known_members_is_refused() {
    // A key and its negation share a Montgomery form, so KK alone cannot tell them apart.
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let key = VerifyingKey::from_bytes(alice.member_id().as_bytes()).unwrap();
    let negated = MemberId::from_bytes((-key.to_edwards()).compress().to_bytes());
    assert_eq!(noise_static_key(&negated), noise_static_key(&alice.member_id()));
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
    let mut b =
        SecureChannel::responder_with_known_peers(&bob, &[negated, alice.member_id()], ChannelConfig::default())
            .unwrap();
    let result = b.receive_frame(&a.take_outgoing().remove(0));
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Protocol));
}

/// A KK pair with a two-frame message from Alice queued at `max_frame` 512, not yet delivered.
fn pair_with_frames() -> (SecureChannel, SecureChannel, Vec<Vec<u8>>) {
    let (_, _, mut a, b) = kk_pair(config(512));
    let message = random_bytes(&mut StdRng::seed_from_u64(3), 700);
    a.send_message(&message).unwrap();
    a.send_message(b"second").unwrap();
    let frames = a.take_outgoing();
    assert_eq!(frames.len(), 3);
    (a, b, frames)
}

#[test]
fn tampered_truncated_oversized_reordered_and_replayed_frames_are_rejected() {
    type Attack = Box<dyn Fn(&[Vec<u8>]) -> Vec<Vec<u8>>>;
    let cases: Vec<(&str, Refusal, Attack)> = vec![
        (
            "flipped first byte",
            Refusal::Forged,
            Box::new(|f| {
                let mut x = f[0].clone();
                x[0] ^= 1;
                vec![x]
            }),
        ),
        (
            "flipped tag byte",
            Refusal::Forged,
            Box::new(|f| {
                let mut x = f[0].clone();
                *x.last_mut().unwrap() ^= 0x80;
                vec![x]
            }),
        ),
        ("truncated by one", Refusal::Forged, Box::new(|f| vec![f[0][..f[0].len() - 1].to_vec()])),
        ("truncated to a tag", Refusal::Forged, Box::new(|f| vec![f[0][..AEAD_TAG].to_vec()])),
        ("too short", Refusal::Malformed, Box::new(|f| vec![f[0][..AEAD_TAG - 1].to_vec()])),
        ("empty", Refusal::Malformed, Box::new(|_| vec![vec![]])),
        (
            "extended",
            // The first frame is a full one: a byte more is over `max_frame`.
            Refusal::Oversized,
            Box::new(|f| {
                let mut x = f[0].clone();
                x.push(0);
                vec![x]
            }),
        ),
        ("oversized", Refusal::Oversized, Box::new(|_| vec![vec![0u8; 513]])),
        ("reordered", Refusal::Forged, Box::new(|f| vec![f[1].clone()])),
        ("dropped", Refusal::Forged, Box::new(|f| vec![f[0].clone(), f[2].clone()])),
        ("replayed", Refusal::Forged, Box::new(|f| vec![f[0].clone(), f[0].clone()])),
    ];
    for (name, kind, attack) in cases {
        let (_, mut b, frames) = pair_with_frames();
        let delivered = attack(&frames);
        let (last, before) = delivered.split_last().unwrap();
        for frame in before {
            assert_eq!(b.receive_frame(frame).unwrap(), vec![], "{name}");
        }
        assert!(is_rejected(&b.receive_frame(last)), "{name}");
        // Closed for good: even the genuine frames are refused now, as the first refusal was.
        let again = b.receive_frame(&frames[0]);
        assert!(is_rejected(&again), "{name}");
        assert_eq!(refusal(&again), Some(kind), "{name}");
        assert!(is_rejected(&b.send_message(b"x")), "{name}");
        assert_eq!(refusal(&b.send_message(b"x")), Some(kind), "{name}");
        assert!(b.take_outgoing().is_empty() && !b.is_established(), "{name}");
        assert!(b.peer().is_some(), "{name}: the peer is still known, to blame it");
    }
}

#[test]
fn tampered_handshake_messages_are_rejected() {
    let mut rng = StdRng::seed_from_u64(4);
    for kk in [true, false] {
        let handshake_frames = if kk { 2 } else { 3 };
        for target in 0..handshake_frames {
            let spoils: [fn(&mut Vec<u8>); 3] = [
                |f| *f.last_mut().unwrap() ^= 1,
                |f| {
                    f.pop();
                },
                |f| f.push(0),
            ];
            for (i, spoil) in spoils.iter().enumerate() {
                let mut spoil_it = |frame: &[u8], _: &mut StdRng| {
                    let mut frame = frame.to_vec();
                    spoil(&mut frame);
                    frame
                };
                let (_, _, result) = session_with_spoiled_frame(&mut rng, kk, target, &mut spoil_it).unwrap();
                // XX message 1 is a bare ephemeral key: changing its bits cannot be noticed, only its length. A
                // KK message 1 with a changed bit authenticates for no known member, so the responder asks for
                // XX (which authenticates everything again).
                if target == 0 && i == 0 {
                    assert_eq!(result.unwrap(), vec![], "kk={kk}");
                } else {
                    assert!(is_rejected(&result), "kk={kk} target={target} spoil={i}");
                }
            }
        }
    }
}

#[test]
fn garbage_first_frames_are_rejected() {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let mut xx_long = vec![TAG_XX];
    xx_long.extend_from_slice(&[0x5a; XX_MSG1 + 1]);
    let garbage: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![TAG_KK],
        vec![TAG_XX],
        vec![0x7f; 49],
        vec![TAG_KK; KK_MSG1],
        vec![TAG_XX; XX_MSG1],
        xx_long,
        b"GET / HTTP/1.1\r\nHost: kindred\r\n\r\n".to_vec(),
        vec![0; 32 * 1024 + 1],
    ];
    for frame in &garbage {
        let mut b =
            SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
        assert!(is_rejected(&b.receive_frame(frame)), "{:?}", &frame[..frame.len().min(8)]);
        assert!(b.take_outgoing().is_empty());
        assert_eq!(b.bytes_received(), frame.len() as u64);
    }
    // A KK message 1 of the right size that no known member made gets the one-byte request for XX, nothing else.
    let mut kk_sized = vec![TAG_KK];
    kk_sized.extend_from_slice(&[0x5a; KK_MSG1]);
    let mut b =
        SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
    assert_eq!(b.receive_frame(&kk_sized).unwrap(), vec![]);
    assert_eq!(b.take_outgoing(), vec![vec![TAG_XX]]);
    assert!(b.peer().is_none() && !b.is_established());
    // A transport-sized frame sent to an initiator waiting for its handshake reply.
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
    let result = a.receive_frame(&[0u8; 100]);
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Malformed));
}

#[test]
fn replayed_kk_first_message_never_establishes() {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let cfg = ChannelConfig::default();
    let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
    let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
    let t = pump(&mut a, &mut b);
    assert!(b.is_established());

    // An eavesdropper replays Alice's first message (and her later frames) to Bob on a new connection.
    let mut replay = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
    assert_eq!(replay.receive_frame(&t.a_to_b[0]).unwrap(), vec![]);
    assert_eq!(replay.take_outgoing().len(), 1, "Bob answers; only the real Alice could read it");
    assert!(!replay.is_established() && replay.peer().is_none());
    let result = replay.receive_frame(&t.a_to_b[1]);
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Forged));
    assert!(replay.peer().is_none());
}

#[test]
fn deflate_bombs_and_broken_streams_are_rejected() {
    let limit = 1 << 20;
    let cfg = ChannelConfig { max_frame: 32 * 1024, max_message: limit };
    // Exactly at the limit is fine, through the normal path.
    let (_, _, mut a, mut b) = kk_pair(cfg);
    a.send_message(&vec![0u8; limit]).unwrap();
    let frames = a.take_outgoing();
    assert_eq!(frames.len(), 1);
    assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(vec![0u8; limit])]);

    let bomb = raw_deflate(&vec![0u8; 16 << 20]);
    println!("deflate bomb: {} bytes inflating to 16 MiB", bomb.len());
    let one_over = raw_deflate(&vec![0u8; limit + 1]);
    let valid = raw_deflate(b"a perfectly fine message, a perfectly fine message");
    let mut trailing = valid.clone();
    trailing.push(0);
    let truncated = valid[..valid.len() - 2].to_vec();
    for (name, kind, body) in [
        ("bomb", Refusal::Oversized, bomb),
        ("one over", Refusal::Oversized, one_over),
        ("trailing", Refusal::Malformed, trailing),
        ("truncated", Refusal::Malformed, truncated),
        ("garbage", Refusal::Malformed, vec![0xff; 64]),
    ] {
        let (_, _, mut a, mut b) = kk_pair(cfg);
        let chunks: Vec<&[u8]> = body.chunks(cfg.max_frame - FRAME_OVERHEAD).collect();
        let mut result = Ok(vec![]);
        for (i, chunk) in chunks.iter().enumerate() {
            let more = if i + 1 < chunks.len() { FLAG_MORE } else { 0 };
            let mut plaintext = vec![FLAG_DEFLATE | more];
            plaintext.extend_from_slice(chunk);
            result = b.receive_frame(&seal_raw(&mut a, &plaintext));
            if i + 1 < chunks.len() {
                assert_eq!(result.as_ref().unwrap(), &vec![]);
            }
        }
        assert!(is_rejected(&result), "{name}");
        assert_eq!(refusal(&result), Some(kind), "{name}");
        assert!(b.inbound.buffer.capacity() <= limit);
    }
    // A genuine compressed message hand-sealed the same way is accepted (the harness is sound).
    let (_, _, mut a, mut b) = kk_pair(cfg);
    let mut plaintext = vec![FLAG_DEFLATE];
    plaintext.extend_from_slice(&valid);
    assert_eq!(
        b.receive_frame(&seal_raw(&mut a, &plaintext)).unwrap(),
        vec![ChannelEvent::Message(b"a perfectly fine message, a perfectly fine message".to_vec())]
    );
}

#[test]
fn fragment_streams_over_max_message_or_breaking_the_rules_are_rejected() {
    let cfg = ChannelConfig { max_frame: 512, max_message: 4096 };
    let (_, _, mut a, mut b) = kk_pair(cfg);
    let slice = vec![0x42u8; 512 - FRAME_OVERHEAD];
    let mut plaintext = vec![FLAG_MORE];
    plaintext.extend_from_slice(&slice);
    for _ in 0..4096 / slice.len() {
        assert_eq!(b.receive_frame(&seal_raw(&mut a, &plaintext)).unwrap(), vec![]);
    }
    assert!(b.inbound.buffer.capacity() <= cfg.max_message);
    // The frame that would cross the limit is refused before the buffer grows.
    let result = b.receive_frame(&seal_raw(&mut a, &plaintext));
    assert!(is_rejected(&result));
    assert_eq!(refusal(&result), Some(Refusal::Oversized));

    // Sending more than max_message is the caller's mistake, and leaves the channel usable.
    let (_, _, mut a, mut b) = kk_pair(cfg);
    assert!(matches!(a.send_message(&[0; 4097]).as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. })));
    a.send_message(&[1; 4096]).unwrap();
    assert_eq!(pump(&mut a, &mut b).b_events, vec![ChannelEvent::Message(vec![1; 4096])]);

    for (name, frames) in [
        ("unknown flag", vec![vec![0x80, 1, 2, 3]]),
        ("empty fragment", vec![vec![FLAG_MORE]]),
        ("compression flag changes midway", vec![vec![FLAG_MORE, 1, 2], vec![FLAG_DEFLATE, 3, 4]]),
    ] {
        let (_, _, mut a, mut b) = kk_pair(cfg);
        let (last, before) = frames.split_last().unwrap();
        for plaintext in before {
            b.receive_frame(&seal_raw(&mut a, plaintext)).unwrap();
        }
        let result = b.receive_frame(&seal_raw(&mut a, last));
        assert!(is_rejected(&result), "{name}");
        assert_eq!(refusal(&result), Some(Refusal::Malformed), "{name}");
    }
}

#[test]
fn tiny_max_message_still_works() {
    let cfg = ChannelConfig { max_frame: MIN_FRAME, max_message: 10 };
    let (_, _, mut a, mut b) = kk_pair(cfg);
    a.send_message(b"aaaaaaaaaa").unwrap();
    let frames = a.take_outgoing();
    assert!(frames[0].len() < 10 + FRAME_OVERHEAD, "compressed");
    assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(b"aaaaaaaaaa".to_vec())]);
}

#[test]
fn config_is_validated() {
    let alice = LocalIdentity::generate();
    for bad in [
        ChannelConfig { max_frame: MIN_FRAME - 1, ..ChannelConfig::default() },
        ChannelConfig { max_frame: MAX_FRAME + 1, ..ChannelConfig::default() },
        ChannelConfig { max_message: 0, ..ChannelConfig::default() },
    ] {
        assert!(matches!(
            SecureChannel::initiator(&alice, None, bad).as_ref().map_err(Error::kind),
            Err(ErrorKind::InvalidInput { .. })
        ));
        assert!(matches!(
            SecureChannel::responder(&alice, bad).as_ref().map_err(Error::kind),
            Err(ErrorKind::InvalidInput { .. })
        ));
    }
}

#[test]
fn channel_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<SecureChannel>();
}

/// The genuine frame, what was delivered instead, and what the receiver said.
type Spoiled = (Vec<u8>, Vec<u8>, Result<Vec<ChannelEvent>>);

/// Runs a KK or XX session and hands the `target`th frame (counting both directions) to `spoil` instead of
/// delivering it. Returns the original frame, the spoiled one and what the receiver said.
fn session_with_spoiled_frame(
    rng: &mut StdRng,
    kk: bool,
    target: usize,
    spoil: &mut dyn FnMut(&[u8], &mut StdRng) -> Vec<u8>,
) -> Option<Spoiled> {
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let cfg = config(MIN_FRAME);
    let mut a = SecureChannel::initiator(&alice, kk.then(|| bob.member_id()), cfg).unwrap();
    let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
    a.send_message(&random_bytes(rng, 600)).unwrap();
    b.send_message(&"fine, thanks. ".repeat(100).into_bytes()).unwrap();
    b.send_message(b"bye").unwrap();
    let mut index = 0;
    loop {
        let mut quiet = true;
        for from_a in [true, false] {
            let (sender, receiver) = if from_a { (&mut a, &mut b) } else { (&mut b, &mut a) };
            for frame in sender.take_outgoing() {
                quiet = false;
                if index == target {
                    let spoiled = spoil(&frame, rng);
                    let result = receiver.receive_frame(&spoiled);
                    return Some((frame, spoiled, result));
                }
                index += 1;
                receiver.receive_frame(&frame).unwrap();
            }
        }
        if quiet {
            return None;
        }
    }
}

fn mutate(rng: &mut StdRng, frame: &[u8]) -> Vec<u8> {
    let mut out = frame.to_vec();
    match rng.random_range(0..6) {
        0 => {
            let bit = rng.random_range(0..out.len() * 8);
            out[bit / 8] ^= 1 << (bit % 8);
        }
        1 => {
            for _ in 0..rng.random_range(1..8) {
                let i = rng.random_range(0..out.len());
                out[i] = rng.random();
            }
        }
        2 => out.truncate(rng.random_range(0..out.len())),
        3 => {
            let len = rng.random_range(1..64);
            out.extend(random_bytes(rng, len));
        }
        4 => rng.fill(&mut out[..]),
        _ => {
            let len = rng.random_range(0..600);
            out = random_bytes(rng, len);
        }
    }
    out
}

#[test]
fn fuzz_random_and_mutated_frames_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x6b_696e_6472_6564);
    let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
    let cfg = config(MIN_FRAME);

    // Random first frames, biased towards the shapes a responder parses.
    for _ in 0..1500 {
        let len = match rng.random_range(0..4) {
            0 => 1 + KK_MSG1,
            1 => 1 + XX_MSG1,
            _ => rng.random_range(0..400),
        };
        let mut frame = random_bytes(&mut rng, len);
        if let Some(tag) = frame.first_mut()
            && rng.random_bool(0.8)
        {
            *tag = rng.random_range(0..4);
        }
        let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
        // A random 32-byte XX ephemeral is a valid first message, and a random KK message 1 gets the request for
        // XX; everything else must be refused.
        match b.receive_frame(&frame) {
            Ok(events) => {
                assert!(events.is_empty());
                let (tag, len) = (frame.first().copied(), frame.len());
                assert!(tag == Some(TAG_XX) && len == 1 + XX_MSG1 || tag == Some(TAG_KK) && len == 1 + KK_MSG1);
            }
            Err(e) => {
                assert!(matches!(&e.kind(), ErrorKind::Rejected { reason: r, .. } if !r.contains("panicked")), "{e}")
            }
        }
    }

    // Mutated frames at every point of live KK and XX sessions (handshake, fragments, compressed messages).
    let mut spoiled_frames = 0;
    for round in 0..1500 {
        let kk = round % 2 == 0;
        // KK sessions here have 7 frames, XX sessions 8.
        let target = rng.random_range(0..if kk { 7 } else { 8 });
        let Some((original, spoiled, result)) =
            session_with_spoiled_frame(&mut rng, kk, target, &mut |f, r| mutate(r, f))
        else {
            continue;
        };
        spoiled_frames += 1;
        // Answered, not refused: an XX message 1 (a bare ephemeral key), a KK message 1 no one known made (the
        // responder asks for XX), and a KK message 2 spoiled into exactly that request (`[TAG_XX]`, which a
        // truncation or random bytes can make): the initiator then runs XX, which still authenticates the responder
        // it expects (`kk_to_the_wrong_member_fails_before_the_dialler_reveals_itself`), so someone on the link can
        // only slow the handshake down.
        let first_kept = target == 0 && spoiled.len() == original.len() && spoiled.first() == original.first();
        let asks_for_xx = kk && target == 1 && spoiled == [TAG_XX];
        if spoiled != original && !first_kept && !asks_for_xx {
            assert!(is_rejected(&result), "kk={kk} target={target}: {result:?}");
        }
        // A panic inside snow or deflate would have been caught and turned into a refusal; make it visible.
        if let Err(e) = &result {
            assert!(!e.to_string().contains("panicked"), "{e}");
        }
    }
    assert_eq!(spoiled_frames, 1500);

    // Authenticated but arbitrary plaintexts, to reach the fragment and deflate parsers.
    let (_, _, mut a, mut b) = kk_pair(cfg);
    let mut fresh = 0;
    for _ in 0..2000 {
        let len = rng.random_range(0..200);
        let mut plaintext = random_bytes(&mut rng, len);
        if let Some(flags) = plaintext.first_mut() {
            *flags &= if rng.random_bool(0.9) { KNOWN_FLAGS } else { 0xff };
            if *flags & FLAG_DEFLATE != 0 && rng.random_bool(0.5) {
                let text = random_bytes(&mut rng, 50).repeat(rng.random_range(1..40));
                let mut deflated = raw_deflate(&text);
                if rng.random_bool(0.5) {
                    let spoiled = mutate(&mut rng, &deflated);
                    deflated = spoiled;
                }
                plaintext.truncate(1);
                plaintext.extend_from_slice(&deflated[..deflated.len().min(MIN_FRAME - FRAME_OVERHEAD)]);
            }
        }
        let frame = seal_raw(&mut a, &plaintext);
        if let Err(e) = b.receive_frame(&frame) {
            assert!(matches!(&e.kind(), ErrorKind::Rejected { reason: r, .. } if !r.contains("panicked")), "{e}");
            (_, _, a, b) = kk_pair(cfg);
            fresh += 1;
        }
    }
    println!("fuzz: {spoiled_frames} spoiled session frames, {fresh} channels refused random plaintexts");
}
