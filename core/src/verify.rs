//! Authenticity of changes that come from other phones: every change must be covered by a signature of its own
//! author, made with the member key its actor is certified for.
//!
//! An actor's changes form a hash chain, so a signature on an actor's newest change vouches for every earlier change
//! of that actor it descends from. A change is accepted only if it is, or is an ancestor of, a signed change **by the
//! same actor**: another member's signature over a descendant must not vouch for it, or a member could forge a
//! change under someone else's actor and slip it in under their own signature. Which member an actor writes for is
//! taken only from certificates that member signed. Authorisation (was that member allowed to write this, then?) is
//! a separate step that needs the group's membership; this module answers only "who wrote it".

use std::collections::{HashMap, HashSet};

use automerge::{ActorId, Change, ChangeHash};

use crate::error::{Error, Refusal, Result};
use crate::identity::{verify_actor_certificate, verify_change_signature};
use crate::ids::{DocId, MemberId};
use crate::storage::documents::{self, SignedHead};

/// A claim that `actor` writes for `member`, signed by the member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActorCertificate {
    pub actor: ActorId,
    pub member: MemberId,
    pub signature: Vec<u8>,
}

/// Checks that every change in `changes` (one document's batch) is covered by a valid signed head of its own actor,
/// and returns which member wrote each actor's changes. A sender sends every change the receiver lacks, so each
/// actor's newest change, the one its signed head names, is always in the batch.
pub(crate) fn authors_of(
    doc: &DocId,
    changes: &[Change],
    heads: &[SignedHead],
    certificates: &[ActorCertificate],
) -> Result<HashMap<ActorId, MemberId>> {
    let by_hash: HashMap<ChangeHash, &Change> = changes.iter().map(|c| (c.hash(), c)).collect();
    let mut members: HashMap<ActorId, MemberId> = HashMap::new();
    for cert in certificates {
        verify_actor_certificate(&cert.actor, &cert.member, &cert.signature)
            .map_err(|_| Refusal::Forged.because(format!("a forged certificate for actor {}", cert.actor)))?;
        if let Some(previous) = members.insert(cert.actor.clone(), cert.member)
            && previous != cert.member
        {
            return Err(
                Refusal::Equivocation.because(format!("actor {} is certified for two different members", cert.actor))
            );
        }
    }
    let mut covered: HashSet<ChangeHash> = HashSet::new();
    for head in heads {
        let Some(change) = by_hash.get(&head.hash) else {
            return Err(Refusal::Malformed.because(format!("a signature for change {} that was not sent", head.hash)));
        };
        if change.actor_id() != &head.actor || change.seq() != head.seq {
            return Err(Refusal::Malformed
                .because(format!("signed head {} does not match its change's actor and sequence", head.hash)));
        }
        let member = members.get(&head.actor).ok_or_else(|| {
            Refusal::NotAMember.because(format!("changes by actor {}, which no member has certified", head.actor))
        })?;
        verify_change_signature(doc, &head.hash, member, &head.signature)
            .map_err(|_| Refusal::Forged.because(format!("a forged signature on change {}", head.hash)))?;
        // Walk the batch's ancestry from the signed change; changes of the same actor met on the way are covered.
        let mut stack = vec![head.hash];
        let mut seen: HashSet<ChangeHash> = HashSet::new();
        while let Some(hash) = stack.pop() {
            if !seen.insert(hash) {
                continue;
            }
            let Some(change) = by_hash.get(&hash) else { continue };
            if change.actor_id() == &head.actor {
                covered.insert(hash);
            }
            stack.extend(change.deps().iter().copied());
        }
    }
    for change in changes {
        if !covered.contains(&change.hash()) {
            return Err(Refusal::Forged.because(format!(
                "change {} (actor {}, seq {}) is not covered by its author's signature",
                change.hash(),
                change.actor_id(),
                change.seq()
            )));
        }
    }
    Ok(members)
}

/// What vouches for `changes` of `doc` as this profile holds them: the stored signed head and the certificate of
/// each of their actors (the head is that actor's newest change here, which a sender always includes). Sessions,
/// bundles and the test exchange all send changes with these.
pub(crate) fn stored_vouchers(
    conn: &rusqlite::Connection,
    doc: &DocId,
    changes: &[Change],
) -> Result<(Vec<SignedHead>, Vec<ActorCertificate>)> {
    let mut heads = Vec::new();
    let mut certificates = Vec::new();
    for newest in newest_per_actor(changes) {
        let head = documents::signed_head(conn, doc, newest.actor_id())?
            .ok_or_else(|| Error::internal(format!("no signed head stored for an actor of {doc}")))?;
        heads.push(head);
        let (member, signature) = documents::actor_certificate(conn, newest.actor_id())?
            .ok_or_else(|| Error::internal("no certificate stored for an actor"))?;
        certificates.push(ActorCertificate {
            actor: newest.actor_id().clone(),
            member: MemberId::from_bytes(member),
            signature,
        });
    }
    Ok((heads, certificates))
}

/// The newest change of each actor in a batch: the heads a sender must sign for.
fn newest_per_actor(changes: &[Change]) -> Vec<&Change> {
    let mut newest: HashMap<&ActorId, &Change> = HashMap::new();
    for change in changes {
        let slot = newest.entry(change.actor_id()).or_insert(change);
        if change.seq() > slot.seq() {
            *slot = change;
        }
    }
    newest.into_values().collect()
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};

    use super::*;
    use crate::error::ErrorKind;
    use crate::identity::LocalIdentity;

    fn write(doc: &mut Automerge, key: &str) -> Change {
        let mut tx = doc.transaction();
        tx.put(ROOT, key, "v").unwrap();
        tx.commit();
        doc.get_last_local_change().unwrap()
    }

    fn cert(id: &LocalIdentity) -> ActorCertificate {
        ActorCertificate {
            actor: id.actor().clone(),
            member: id.member_id(),
            signature: id.actor_certificate().to_vec(),
        }
    }

    fn head(id: &LocalIdentity, doc: &DocId, c: &Change) -> SignedHead {
        SignedHead {
            actor: c.actor_id().clone(),
            seq: c.seq(),
            hash: c.hash(),
            signature: id.sign_change(doc, &c.hash()),
        }
    }

    #[test]
    fn one_signature_covers_a_run_and_forgeries_are_refused() {
        let doc_id = DocId::from_bytes([3; 16]);
        let alice = LocalIdentity::generate();
        let mallory = LocalIdentity::generate();
        let mut a = Automerge::new().with_actor(alice.actor().clone());
        let run: Vec<Change> = (0..5).map(|i| write(&mut a, &format!("k{i}"))).collect();
        let last = run.last().unwrap();
        let authors = authors_of(&doc_id, &run, &[head(&alice, &doc_id, last)], &[cert(&alice)]).unwrap();
        assert_eq!(authors.get(alice.actor()), Some(&alice.member_id()));

        // Signed by the wrong member.
        let forged =
            SignedHead { signature: mallory.sign_change(&doc_id, &last.hash()), ..head(&alice, &doc_id, last) };
        assert!(matches!(
            authors_of(&doc_id, &run, &[forged], &[cert(&alice)]).as_ref().map_err(Error::kind),
            Err(ErrorKind::Rejected { kind: Refusal::Forged, .. })
        ));
        // Signed for another document.
        let elsewhere = head(&alice, &DocId::from_bytes([4; 16]), last);
        assert!(authors_of(&doc_id, &run, &[SignedHead { hash: last.hash(), ..elsewhere }], &[cert(&alice)]).is_err());
        // No certificate for the actor.
        assert!(authors_of(&doc_id, &run, &[head(&alice, &doc_id, last)], &[]).is_err());
        // A certificate claiming alice's actor for mallory does not verify.
        let stolen = ActorCertificate { member: mallory.member_id(), ..cert(&alice) };
        assert!(authors_of(&doc_id, &run, &[head(&alice, &doc_id, last)], &[stolen]).is_err());
        // Only the first three signed: the last two are uncovered.
        assert!(authors_of(&doc_id, &run, &[head(&alice, &doc_id, &run[2])], &[cert(&alice)]).is_err());
    }

    #[test]
    fn another_members_signature_does_not_vouch_for_a_forged_change() {
        let doc_id = DocId::from_bytes([5; 16]);
        let alice = LocalIdentity::generate();
        let mallory = LocalIdentity::generate();
        // Mallory makes a change under alice's actor, then one of her own on top, and signs only her own.
        let mut m = Automerge::new().with_actor(alice.actor().clone());
        let fake = write(&mut m, "fake");
        m.set_actor(mallory.actor().clone());
        let own = write(&mut m, "own");
        let batch = vec![fake, own.clone()];
        let result = authors_of(&doc_id, &batch, &[head(&mallory, &doc_id, &own)], &[cert(&alice), cert(&mallory)]);
        assert!(
            matches!(result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { kind: Refusal::Forged, reason }) if reason.contains("not covered"))
        );
    }
}
