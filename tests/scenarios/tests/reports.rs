//! Reports that never reveal the reporter, and warnings only their member reads: sealed to moderators (or to the
//! member warned), relayed by members who cannot open them, made at a steady rate with cover so that an ordinary
//! member's phone holds and sees the same whether or not anyone reported anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use kindred_core::sealed::ITEM_LEN;
use kindred_core::testing::{next_sealed_slot, sealed_items};
use kindred_core::{Error, ErrorKind, GroupId, MessageId, ModerationKind, NewMessage, ReportReason, Role};
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::{Phone, group_with};

fn post(phone: &Phone, group: &GroupId, text: &str) -> MessageId {
    phone.kindred.post(group, NewMessage { text: text.into(), ..Default::default() }).unwrap().id
}

struct Circle {
    alice: Phone,
    mo: Phone,
    bob: Phone,
    carol: Phone,
    dee: Phone,
    group: GroupId,
}

impl Circle {
    fn all(&self) -> [&Phone; 5] {
        [&self.alice, &self.mo, &self.bob, &self.carol, &self.dee]
    }
}

/// Alice owns the group, Mo moderates it, Bob, Carol and Dee are members; everyone has synced.
fn circle() -> Circle {
    let (alice, mo, bob, carol, dee) =
        (Phone::new("alice"), Phone::new("mo"), Phone::new("bob"), Phone::new("carol"), Phone::new("dee"));
    let group = group_with(&alice, "Circle", &[&mo, &bob, &carol, &dee]).id;
    alice.kindred.add_member(&group, &mo.id(), "mo", Role::Moderator).unwrap();
    let c = Circle { alice, mo, bob, carol, dee, group };
    sync_all(&c.all());
    c
}

#[test]
fn a_report_reaches_a_moderator_through_a_member_who_cannot_read_it() {
    let c = circle();
    let hostile = post(&c.bob, &c.group, "nobody here cares about you");
    sync_all(&c.all());

    let report = c.carol.kindred.report_message(&c.group, &hostile, ReportReason::Hostile, "aimed at Dee").unwrap();
    // Carol never meets a moderator: her next items reach Dee, and Dee's phone meets Mo's.
    next_sealed_slot(&c.carol.kindred).unwrap();
    sync(&c.carol, &c.dee);
    sync(&c.dee, &c.mo);
    let reports = c.mo.kindred.reports(&c.group).unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!((r.id, r.reporter, r.message_id, r.member), (report, c.carol.id(), Some(hostile), c.bob.id()));
    assert_eq!((r.reason, r.note.as_str(), r.dismissed), (ReportReason::Hostile, "aimed at Dee", false));
    // Ordinary members read no reports; Dee relayed an item she cannot open and cannot tell from cover.
    assert!(matches!(c.dee.kindred.reports(&c.group).as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));
    assert!(c.dee.kindred.warnings(&c.group).unwrap().is_empty());
    assert!(sealed_items(&c.dee.kindred, &c.group).unwrap().iter().all(|i| i.len() == ITEM_LEN));
    // The owner's phone opens its own copy once it arrives.
    sync(&c.dee, &c.alice);
    assert_eq!(c.alice.kindred.reports(&c.group).unwrap().len(), 1);

    // Dismissed: it stays listed, and counts against its reporter.
    c.mo.kindred.dismiss_report(&c.group, &report).unwrap();
    let r = &c.mo.kindred.reports(&c.group).unwrap()[0];
    assert!(r.dismissed && r.reporter_dismissed == 1);
    assert!(matches!(
        c.bob.kindred.dismiss_report(&c.group, &report).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
}

#[test]
fn enough_members_reports_hide_a_message_pending_review_on_every_phone() {
    let c = circle();
    c.alice.kindred.set_report_threshold(&c.group, 2).unwrap();
    assert_eq!(c.alice.kindred.report_threshold(&c.group).unwrap(), 2);
    let hostile = post(&c.bob, &c.group, "you are all pathetic");
    sync_all(&c.all());
    for reporter in [&c.carol, &c.dee] {
        reporter.kindred.report_message(&c.group, &hostile, ReportReason::Harassment, "").unwrap();
        next_sealed_slot(&reporter.kindred).unwrap();
    }
    sync(&c.carol, &c.dee);
    sync(&c.dee, &c.mo);
    // Mo's phone signed the hide pending review; every phone checks it like any other hide.
    let log = c.mo.kindred.moderation_log(&c.group, 10).unwrap();
    assert_eq!(log[0].kind, ModerationKind::Hide);
    assert!(log[0].why.contains("reported by 2 members"), "{}", log[0].why);
    sync_all(&c.all());
    for p in [&c.bob, &c.carol, &c.dee] {
        let m = p.kindred.message(&c.group, &hostile).unwrap();
        let hidden_from_me = p.name != "bob";
        assert!(m.moderation.is_some() && m.text.is_empty() == hidden_from_me, "{}", p.name);
    }
    assert!(c.alice.kindred.message(&c.group, &hostile).unwrap().moderation.is_some());
}

#[test]
fn a_muted_reporter_counts_for_nothing_and_reports_are_capped_per_phone() {
    let c = circle();
    let words = post(&c.bob, &c.group, "an ordinary message");
    sync_all(&c.all());
    c.mo.kindred.mute_reporter(&c.group, &c.carol.id(), true).unwrap();
    c.alice.kindred.mute_reporter(&c.group, &c.carol.id(), true).unwrap();
    c.mo.kindred.set_report_threshold(&c.group, 1).unwrap();
    sync_all(&c.all());
    c.carol.kindred.report_message(&c.group, &words, ReportReason::Spam, "").unwrap();
    next_sealed_slot(&c.carol.kindred).unwrap();
    sync(&c.carol, &c.mo);
    let r = &c.mo.kindred.reports(&c.group).unwrap()[0];
    assert!(r.reporter_muted);
    assert!(c.mo.kindred.message(&c.group, &words).unwrap().moderation.is_none(), "a muted reporter hides nothing");

    // A phone queues a bounded number of reports (two moderators here: two sealed payloads each); more is a clear
    // error, and what was queued stays queued.
    let queued = (0..20)
        .take_while(|_| c.dee.kindred.report_member(&c.group, &c.bob.id(), ReportReason::Spam, "").is_ok())
        .count();
    assert_eq!(queued, kindred_core::reports::MAX_QUEUED as usize / 2);
    let refused = c.dee.kindred.report_member(&c.group, &c.bob.id(), ReportReason::Spam, "");
    assert!(matches!(refused.as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. })), "{refused:?}");
    assert!(matches!(
        c.dee.kindred.report_member(&c.group, &c.dee.id(), ReportReason::Spam, "").as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
}

#[test]
fn a_warning_is_read_by_its_member_alone_and_logged_without_its_words() {
    let c = circle();
    let entry = c.mo.kindred.warn_member(&c.group, &c.bob.id(), "Please keep it kind.").unwrap();
    assert_eq!((entry.kind, entry.member), (ModerationKind::Warn, c.bob.id()));
    assert!(!entry.why.contains("kind."));
    assert!(matches!(
        c.carol.kindred.warn_member(&c.group, &c.bob.id(), "x").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    next_sealed_slot(&c.mo.kindred).unwrap();
    sync(&c.mo, &c.carol);
    sync(&c.carol, &c.bob);
    let warnings = c.bob.kindred.warnings(&c.group).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!((warnings[0].by, warnings[0].text.as_str()), (c.mo.id(), "Please keep it kind."));
    assert!(c.carol.kindred.warnings(&c.group).unwrap().is_empty());
    sync_all(&c.all());
    assert_eq!(c.alice.kindred.moderation_log(&c.group, 5).unwrap()[0].kind, ModerationKind::Warn);
}

/// What Dee's phone (an ordinary member) holds and receives, in a run where Carol reports and in one where nobody
/// does, everything else alike: the sizes of the items it holds, and per session the protocol messages each way,
/// the sealed items it took in, and the bytes each way.
#[allow(clippy::type_complexity)]
fn dee_sees(report: bool) -> (Vec<usize>, Vec<(u64, u64, u64)>, Vec<(u64, u64)>) {
    let c = circle();
    let hostile = post(&c.bob, &c.group, "hostile words");
    sync_all(&c.all());
    if report {
        c.carol.kindred.report_message(&c.group, &hostile, ReportReason::Hostile, "please look").unwrap();
    }
    for phone in c.all() {
        next_sealed_slot(&phone.kindred).unwrap();
    }
    let (mut sessions, mut bytes) = (Vec::new(), Vec::new());
    for (a, b) in [(&c.carol, &c.dee), (&c.bob, &c.dee), (&c.dee, &c.mo), (&c.alice, &c.dee)] {
        let outcome = sync(a, b);
        let dee = if a.name == "dee" { &outcome.dialler } else { &outcome.listener };
        sessions.push((dee.messages_sent, dee.messages_received, dee.sealed_items));
        bytes.push((dee.bytes_sent, dee.bytes_received));
    }
    let held = sealed_items(&c.dee.kindred, &c.group).unwrap().iter().map(Vec::len).collect();
    (held, sessions, bytes)
}

#[test]
fn an_ordinary_members_phone_holds_and_receives_the_same_with_and_without_a_report() {
    let (held_with, sessions_with, bytes_with) = dee_sees(true);
    let (held_without, sessions_without, bytes_without) = dee_sees(false);
    assert_eq!(held_with, held_without, "the same number of items, all of one size");
    assert!(held_with.iter().all(|len| *len == ITEM_LEN) && !held_with.is_empty());
    assert_eq!(sessions_with, sessions_without, "the same messages and items in every session");
    // Bytes on the link: equal up to compression's few bytes of noise over the random ids and signatures both runs
    // carry (a report or a cover item is one incompressible item of one size either way).
    for ((sent_a, got_a), (sent_b, got_b)) in bytes_with.iter().zip(&bytes_without) {
        assert!(sent_a.abs_diff(*sent_b) <= 32 && got_a.abs_diff(*got_b) <= 32, "{bytes_with:?} {bytes_without:?}");
    }
}
