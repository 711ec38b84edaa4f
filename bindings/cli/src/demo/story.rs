//! The demo's story, chapter by chapter: an owner invites three people, they write apart (and crisis support works on
//! each phone: `crisis.rs`) and meet in pairs, one gets a bundle file, a newcomer joins months of history over a
//! dropping link, an attacker is refused, and at the end every honest phone must show the same group.

use super::*;

impl Demo {
    pub(super) fn story(&mut self) -> Result<DemoReport, CliError> {
        let root = self.root.clone();
        self.line("Kindred demo: five phones, one peer-support group, no server.");
        self.line(format!("(Each phone is a real profile in its own directory under {})", root.display()));
        self.line("Phones meet in pairs over a simulated Bluetooth link: frames of at most 32 KiB, about 20 KB/s,");
        self.line(
            "and it drops every 64 KiB. For each meeting: connections (a drop means reconnecting), bytes and frames",
        );
        self.line("both ways, round trips, seconds at 20 KB/s, and changes applied: → on the phone dialled, ← on the dialler.");

        // ── The group and its first members ──
        self.step("Amara starts a group and invites Bo, Chen and Dee");
        let amara = new_phone(&root, "Amara")?;
        let group = amara
            .kindred
            .create_group(NewGroup {
                name: GROUP_NAME.into(),
                description: "Living with a new diagnosis: a small group from the clinic".into(),
                guidelines: "Speak from your own experience. No medical advice. What is shared here stays here.".into(),
            })?
            .id;
        amara.say(&group, "Welcome, everyone. This is our space between Tuesdays.")?;
        let mut phones = vec![];
        let mut code_len = 0;
        for name in ["Bo", "Chen", "Dee"] {
            let phone = new_phone(&root, name)?;
            let code = amara.kindred.create_invite(&group, WEEK_MS)?;
            code_len = code.len();
            let pending = phone.kindred.join_group(&code)?;
            self.line(format!(
                "{name} scans Amara's code for \"{}\": waiting to join at the first meeting.",
                pending.group_name
            ));
            phones.push(phone);
        }
        let [bo, chen, dee]: [Phone; 3] = phones.try_into().map_err(|_| CliError::Other("three phones".into()))?;
        self.line(format!("(A code is {code_len} characters, one QR code, single use, valid for a week.)"));

        self.step("At the clinic, each newcomer's phone meets Amara's and joins");
        self.meetings(&[(&bo, &amara), (&chen, &amara), (&dee, &amara)])?;
        let members = amara.kindred.group(&group)?.members;
        self.line(format!(
            "\"{GROUP_NAME}\" now has {} members: {}. Amara's phone checked each code; none can be used again.",
            members.len(),
            members.iter().map(|m| m.display_name.as_str()).collect::<Vec<_>>().join(", ")
        ));
        self.line(
            "(Noise XX handshakes: they did not know each other's keys yet. Phones that know each other use KK.)",
        );
        for phone in [&bo, &chen, &dee] {
            phone.kindred.accept_rules(&group)?;
        }
        self.line(
            "Each reads the group's guidelines on their phone and accepts them: a signed entry every phone checks \
             (a post needs it).",
        );
        self.line("Bo joined first, so his phone has not heard of Chen and Dee yet. Before they leave, Amara's phone");
        self.line("meets Bo's and Chen's once more:");
        self.meetings(&[(&amara, &bo), (&amara, &chen)])?;

        // ── Offline ──
        self.step("A week apart: everyone writes offline");
        bo.say(&group, "Thank you for Tuesday. It helped to hear I'm not the only one who can't sleep.")?;
        chen.say(&group, "Second round of treatment tomorrow. Nervous, but ready.")?;
        dee.say(&group, "Off to my sister's for a while; the signal there is terrible. Thinking of you all.")?;
        amara.say(&group, "Reminder: no advice unless someone asks for it. Just listening is plenty.")?;
        let walk = bo.kindred.create_goal(NewGoal {
            title: "Walk outside".into(),
            cadence: Cadence::new(3, CadencePeriod::Week),
            share_with: Some(group),
        })?;
        bo.kindred.log_progress(&walk.id, 1, Some("around the block"), None)?;
        let lights = chen.kindred.create_goal(NewGoal {
            title: "Lights out by 11".into(),
            cadence: Cadence::new(5, CadencePeriod::Week),
            share_with: Some(group),
        })?;
        chen.kindred.log_progress(&lights.id, 1, None, None)?;
        amara.kindred.create_goal(NewGoal {
            title: "Journal".into(),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: None,
        })?;
        let moods: [(&Phone, &[u8]); 4] = [(&amara, &[3, 4]), (&bo, &[2, 2, 3]), (&chen, &[2]), (&dee, &[4, 3])];
        for (phone, days) in moods {
            for (i, mood) in days.iter().enumerate() {
                let at = chrono::Utc::now().timestamp_millis() - (i as i64 + 1) * DAY_MS;
                phone.kindred.record_checkin(NewCheckin {
                    mood: *mood,
                    at: Some(at),
                    note: Some("private note".into()),
                    ..Default::default()
                })?;
            }
        }
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;
        self.line(
            "Bo and Chen shared a goal with the group; Amara's \"Journal\" is private. Check-ins are private too.",
        );

        let mut crisis = self.publish_directory(&group, &amara)?;

        self.step("They meet in pairs: nobody meets everyone");
        self.meetings(&[(&bo, &chen), (&chen, &amara), (&amara, &bo)])?;
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;
        self.line("Amara, Bo and Chen have each other's news; Dee is still away.");
        self.crisis_checks(&mut crisis, &bo, &chen)?;

        // ── Store and forward ──
        self.step("Dee is away: Bo sends her a bundle file through a chat app");
        let bundle_bytes = bo.kindred.export_bundle(&group)?;
        let bundle_file = root.join("tuesday-circle-from-bo.kindred");
        fs::write(&bundle_file, &bundle_bytes).map_err(|e| CliError::Other(format!("writing the bundle: {e}")))?;
        let documents = Bundle::from_file_bytes(&bundle_bytes)?.documents.len();
        let first = dee.kindred.import_bundle(&bundle_bytes)?;
        let again = dee.kindred.import_bundle(&bundle_bytes)?;
        self.line(format!(
            "Bo exports \"{GROUP_NAME}\": {} bytes, {documents} documents, signed by Bo.",
            count(bundle_bytes.len() as u64)
        ));
        self.line(format!(
            "Dee imports it: {} changes applied, {} already on her phone. Importing it again: {} applied, {} already there.",
            first.report.applied, first.report.duplicates, again.report.applied, again.report.duplicates
        ));
        self.line(format!(
            "Dee now sees {} messages. A bundle is one-way: her own news waits for a meeting.",
            message_count(&dee, &group)
        ));
        let bundle = BundleReport {
            bytes: bundle_bytes.len() as u64,
            documents,
            applied: first.report.applied,
            applied_again: again.report.applied,
            duplicates_again: again.report.duplicates,
        };

        // ── A long history ──
        self.step("Three months of Tuesdays");
        self.line("Every fortnight each of them writes a hundred-odd messages, and their phones meet in turn.");
        let rotation: [[(&Phone, &Phone); 2]; 3] =
            [[(&bo, &amara), (&dee, &chen)], [(&amara, &chen), (&bo, &dee)], [(&chen, &bo), (&dee, &amara)]];
        let authors: [(&Phone, usize); 4] = [(&amara, 140), (&bo, 130), (&chen, 120), (&dee, 100)];
        let mut seed = 7u64;
        let mut written = 0;
        let mut months = Vec::new();
        for fortnight in 0..6 {
            for (phone, n) in authors {
                // About one in five is a reply to something recent on this phone.
                let recent: Vec<_> = phone.kindred.messages(&group, 40, None)?.into_iter().map(|m| m.id).collect();
                let batch: Vec<NewMessage> = (0..n)
                    .map(|i| NewMessage {
                        text: chatter(&mut seed),
                        reply_to: if i % 5 == 4 {
                            recent.get((seed >> 40) as usize % recent.len().max(1)).copied()
                        } else {
                            None
                        },
                        ..Default::default()
                    })
                    .collect();
                phone.kindred.post_many(&group, batch)?;
                written += n;
            }
            for (a, b) in rotation.get(fortnight % rotation.len()).into_iter().flatten() {
                months.push(self.meet(a, b)?);
            }
        }
        self.table(&months);
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;
        self.line(format!("{} messages written; not every phone has all of them yet.", count(written as u64)));
        self.line(
            "Amara creates an invitation for Eli, who starts next week. At the clinic, everyone's phone meets hers:",
        );
        let eli_code = amara.kindred.create_invite(&group, WEEK_MS)?;
        self.meetings(&[(&bo, &amara), (&chen, &amara), (&dee, &amara), (&amara, &bo), (&amara, &chen)])?;
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;

        // ── A newcomer joins the long history over a dropping link ──
        self.step("Eli joins the long history over a link that drops every 64 KiB");
        let eli = new_phone(&root, "Eli")?;
        eli.kindred.join_group(&eli_code)?;
        // A copy of Eli's phone as it is now, to measure the same join over a link that never drops.
        let (eli, control) = clone_to(eli, &root.join("eli-control"), "Eli (control)")?;
        self.line(
            "Eli has Amara's code, but the first member he meets is Chen, whose phone checks it (any member's can).",
        );
        let join = self.meet(&eli, &chen)?;
        let clean = link::connect(&control.kindred, &chen.kindred, None, Link { drop_after_bytes: None, ..LINK })?;
        let control_dir = control.dir.clone();
        drop(control);
        let _ = fs::remove_dir_all(control_dir);
        let resent = join.bytes.saturating_sub(clean.bytes);
        let late_join = LateJoin {
            history_messages: message_count(&chen, &group),
            connections: join.connections,
            bytes: join.bytes,
            clean_bytes: clean.bytes,
            resent_bytes: resent,
            resent_percent: if join.bytes == 0 { 0.0 } else { resent as f64 * 100.0 / join.bytes as f64 },
            largest_frame: clean.largest_frame,
            messages_seen: message_count(&eli, &group),
        };
        self.table(std::slice::from_ref(&join));
        self.line(format!(
            "It took {} connections and {} ({}): each new connection asked only for the rest of the transfer.",
            late_join.connections,
            bytes(late_join.bytes),
            count(late_join.bytes)
        ));
        self.line(format!(
            "The same join over a link that never drops: {} in one connection. Re-sent because of the drops: {} ({}%).",
            bytes(late_join.clean_bytes),
            bytes(late_join.resent_bytes),
            num(late_join.resent_percent)
        ));
        self.line(format!(
            "Eli now sees {} of the group's {} messages; frames were at most {} bytes; about {} s at 20 KB/s.",
            count(late_join.messages_seen as u64),
            count(late_join.history_messages as u64),
            count(late_join.largest_frame),
            num(join.simulated_seconds)
        ));
        eli.kindred.accept_rules(&group)?;
        eli.say(&group, "Hello all, Chen told me about this group. I've just been diagnosed too.")?;

        // ── An attacker ──
        let mut attacks = Attacks::default();
        let mut moderation = ModerationReport::default();
        self.step("Mal, a stranger, connects to Bo");
        let mal = new_phone(&root, "Mal")?;
        let stranger = self.meetings(&[(&mal, &bo)])?;
        attacks.stranger_groups_after = mal.kindred.groups()?.len();
        attacks.stranger_bytes = stranger.first().map_or(0, |m| m.bytes);
        self.line(format!(
            "The session completes, and Mal has {} groups: Bo sends a group's data only to its members. {} bytes crossed.",
            attacks.stranger_groups_after,
            count(attacks.stranger_bytes)
        ));

        self.step("Mal forges bundles");
        let before = message_count(&chen, &group);
        let mut damaged = bundle_bytes.clone();
        if let Some(byte) = damaged.get_mut(bundle_bytes.len() / 2) {
            *byte ^= 0x20;
        }
        attacks.damaged_bundle_refused = chen.kindred.import_bundle(&damaged).err().map(|e| e.to_string());
        let mut tampered = Bundle::from_file_bytes(&bundle_bytes)?;
        if let Some(byte) = tampered.documents.last_mut().and_then(|d| d.snapshot.last_mut()) {
            *byte ^= 0x01;
        }
        attacks.tampered_bundle_refused =
            chen.kindred.import_bundle(&tampered.to_file_bytes()?).err().map(|e| e.to_string());
        self.line("A copy of Bo's bundle with one byte flipped, given to Chen:");
        self.line(format!("  {}", attacks.damaged_bundle_refused.as_deref().unwrap_or("ACCEPTED (this is a bug)")));
        self.line("The same bundle decoded, one document altered, and re-encoded:");
        self.line(format!("  {}", attacks.tampered_bundle_refused.as_deref().unwrap_or("ACCEPTED (this is a bug)")));
        let after = message_count(&chen, &group);
        self.line(format!(
            "Chen's phone is unchanged: {} messages before, {} after.",
            count(before as u64),
            count(after as u64)
        ));

        self.step("Next Tuesday at the clinic: Eli's first time in person, and a newcomer, Mal");
        let code = amara.kindred.create_invite(&group, WEEK_MS)?;
        mal.kindred.join_group(&code)?;
        self.line("Amara invites Mal too. Everyone's phone meets hers, so everyone hears of Eli and Mal:");
        self.meetings(&[
            (&chen, &amara),
            (&mal, &amara),
            (&bo, &amara),
            (&dee, &amara),
            (&eli, &amara),
            (&amara, &chen),
        ])?;
        mal.kindred.accept_rules(&group)?;
        mal.say(&group, "Hi all, glad to be here.")?;
        self.line("Mal says hello, and his phone meets Amara's again:");
        self.meetings(&[(&mal, &amara)])?;

        self.step("Mal posts something hostile; Dee reports it; Amara, who does not meet Dee, hides it");
        let hostile = mal.say(&group, "Honestly, people like you should stop whining.")?;
        self.meetings(&[(&mal, &dee)])?;
        let report = dee.kindred.report_message(&group, &hostile, ReportReason::Hostile, "Aimed at the newcomers.")?;
        // The demo's clock moves on to Dee's next slot of sealed items (twice a day on a real phone).
        kindred_core::testing::next_sealed_slot(&dee.kindred)?;
        self.line(
            "Dee reports it. Her phone seals the report to the group's moderators, inside one of the fixed-size items \
             every phone sends twice a day (cover when there is nothing to say), so nobody relaying it can tell it \
             from cover or whose it is. Dee's phone meets Bo's, Bo's meets Amara's:",
        );
        self.meetings(&[(&dee, &bo), (&bo, &amara)])?;
        let opened = amara.kindred.reports(&group)?;
        moderation.report_reached_owner = opened.iter().any(|r| r.id == report && r.reporter == dee.id());
        moderation.relay_could_not_read = bo.kindred.reports(&group).is_err();
        self.line(format!(
            "  Amara's phone opened {} ({}), signed by Dee; Bo's phone carried it and {}.",
            crate::output::plural(opened.len() as u64, "report"),
            opened.first().map_or("none", |r| r.reason.as_str()),
            if moderation.relay_could_not_read { "could not read it" } else { "READ IT (NOT AS DESIGNED)" }
        ));
        self.meetings(&[(&mal, &amara)])?;
        amara.kindred.hide_message(&group, &hostile, "Hostile to the group: please speak kindly here.")?;
        self.line(
            "Amara, the owner, hides it with a reason: a signed entry of the group's moderation log, which every phone \
             checks (she may; Mal is junior to her) before it shows the post as hidden.",
        );
        self.meetings(&[(&amara, &bo), (&amara, &mal)])?;
        let seen_by_bo = bo.kindred.message(&group, &hostile)?;
        let help = mal.kindred.hidden_message_help(&group, &hostile)?;
        moderation.hidden_for_bo = seen_by_bo.moderation.is_some() && seen_by_bo.text.is_empty();
        moderation.author_told_why = help.why.starts_with("Hostile");
        self.line(format!(
            "  Bo sees {}; Mal sees his words, why (\"{}\") and {} for his region, not a bare removal.",
            if moderation.hidden_for_bo { "a hidden post, without its words" } else { "THE POST (NOT AS DESIGNED)" },
            help.why,
            crate::output::plural(help.resources.entries.len() as u64, "crisis service")
        ));

        self.step("Mal copies his phone and signs two different histories");
        let (mal, mal2) = clone_to(mal, &root.join("mal-second-phone"), "Mal's 2nd phone")?;
        mal.say(&group, "The Tuesday meeting has moved to Thursday.")?;
        mal2.say(&group, "The Tuesday meeting is cancelled for good.")?;
        mal2.say(&group, "Don't bother coming.")?;
        self.line(
            "Both of Mal's phones hold his key and install id: each signs different messages at the same positions.",
        );
        self.line("Mal's phone meets Bo; his second phone meets Chen. Then Bo and Chen meet:");
        let attack_start = self.meetings.len();
        self.meetings(&[(&mal, &bo), (&mal2, &chen), (&bo, &chen)])?;
        for phone in [&bo, &chen] {
            let (flagged, proofs) = phone.kindred.flagged_members(&group)?;
            match flagged.first() {
                Some((_, why)) => {
                    self.line(format!("  {} flagged Mal ({why}) and keeps {proofs} proof(s).", phone.name))
                }
                None => self.line(format!("  {} flagged no one.", phone.name)),
            }
        }
        self.line("The news spreads as the honest phones meet:");
        self.meetings(&[(&amara, &bo), (&dee, &chen), (&eli, &amara), (&dee, &amara), (&eli, &bo)])?;

        self.step("Amara removes Mal; Mal keeps posting");
        let left = amara.kindred.remove_member(&group, &mal.id())?.members.len();
        self.line(format!("Amara removes Mal from the group ({left} members left)."));
        mal.say(&group, "Don't listen to Amara, message me privately instead.")?;
        self.line("Mal's phone posts after the removal and meets Eli, who has not heard of it yet:");
        self.meetings(&[(&mal, &eli)])?;
        let seen_before = eli.timeline(&group)?.iter().any(|t| t.contains("message me privately"));
        attacks.removed_post_shown_before_removal_arrived = seen_before;
        self.line(format!("  Eli {} Mal's new post.", if seen_before { "sees" } else { "does not see" }));

        self.step("The honest phones meet twice more, each with the next");
        let honest: [&Phone; 5] = [&amara, &bo, &chen, &dee, &eli];
        let mut round = Vec::new();
        for (i, a) in honest.iter().enumerate() {
            if let Some(b) = honest.get((i + 1) % honest.len()) {
                round.push((*a, *b));
            }
        }
        self.meetings(&round)?;
        self.meetings(&round)?;
        let mut hidden_everywhere = true;
        for phone in honest {
            if phone.timeline(&group)?.iter().any(|t| t.contains("message me privately")) {
                hidden_everywhere = false;
                self.line(format!("  {} STILL SHOWS Mal's post from after his removal.", phone.name));
            }
        }
        attacks.removed_post_hidden_on_all_honest_phones = hidden_everywhere;
        if hidden_everywhere {
            self.line("Mal's post from after his removal is hidden on every honest phone, Eli's too (kept for history, never shown).");
        }
        let mut flagged_on = Vec::new();
        for phone in honest {
            let (flagged, proofs) = phone.kindred.flagged_members(&group)?;
            if flagged.iter().any(|(m, _)| *m == mal.id()) {
                flagged_on.push(phone.name.to_owned());
            }
            attacks.equivocation_quarantined += proofs;
        }
        if flagged_on.len() == honest.len() {
            self.line(format!(
                "Every honest phone flagged Mal for equivocating ({} proofs kept in all) and hides both versions.",
                attacks.equivocation_quarantined
            ));
        } else {
            let on = if flagged_on.is_empty() { "no phone".to_owned() } else { flagged_on.join(", ") };
            self.line(format!("NOT AS DESIGNED: Mal's two histories were flagged on {on}, not on every honest phone."));
            let failed = self.meetings.get(attack_start..).unwrap_or_default().iter().filter(|m| !m.completed).count();
            if failed > 0 {
                self.line(format!("  {failed} meetings since Mal's two phones met failed (see FAILED above); the comparison below shows the result."));
            }
        }
        attacks.equivocation_flagged_on = flagged_on;

        // ── The end ──
        self.step("Every honest phone, compared");
        let mut states = Vec::new();
        let reference = (amara.timeline(&group)?, group_state(&amara, &group)?);
        let mut differences = Vec::new();
        for phone in honest {
            let timeline = phone.timeline(&group)?;
            let (members, goals) = group_state(phone, &group)?;
            if timeline != reference.0 {
                differences.push(format!(
                    "{}'s timeline differs from Amara's ({} vs {} messages){}",
                    phone.name,
                    count(timeline.len() as u64),
                    count(reference.0.len() as u64),
                    first_difference(&timeline, &reference.0)
                ));
            }
            if members != reference.1.0 {
                differences.push(format!(
                    "{}'s members differ from Amara's: {:?} vs {:?}",
                    phone.name, members, reference.1.0
                ));
            }
            if goals != reference.1.1 {
                differences.push(format!(
                    "{}'s shared goals differ from Amara's: {:?} vs {:?}",
                    phone.name, goals, reference.1.1
                ));
            }
        }
        for phone in [&amara, &bo, &chen, &dee, &eli, &mal, &mal2] {
            let honest = !phone.name.starts_with("Mal");
            let (members, goals) = group_state(phone, &group).unwrap_or_default();
            states.push(PhoneState {
                name: phone.name.to_owned(),
                honest,
                messages: message_count(phone, &group),
                members: members.len(),
                shared_goals: goals.len(),
                checkins: phone.kindred.recent_checkins(30)?.len(),
                flagged: phone.kindred.flagged_members(&group).map(|(f, _)| f.len()).unwrap_or(0),
            });
        }
        let mut table = Table::new(&[
            ("PHONE", Align::Left),
            ("MESSAGES", Align::Right),
            ("MEMBERS", Align::Right),
            ("SHARED GOALS", Align::Right),
            ("CHECK-INS", Align::Right),
            ("FLAGGED", Align::Right),
        ]);
        for s in &states {
            table.row(vec![
                s.name.clone(),
                count(s.messages as u64),
                s.members.to_string(),
                s.shared_goals.to_string(),
                s.checkins.to_string(),
                s.flagged.to_string(),
            ]);
        }
        self.line(crate::output::indent(&table.render(), "  "));
        let own_checkins =
            [("Amara", 2), ("Bo", 3), ("Chen", 1), ("Dee", 2), ("Eli", 0), ("Mal", 0), ("Mal's 2nd phone", 0)];
        let private = states.iter().all(|s| own_checkins.iter().any(|(name, n)| *name == s.name && *n == s.checkins));
        if private {
            self.line("Check-ins never left their phones: each holds exactly the ones its owner recorded.");
        } else {
            self.line("CHECK-INS TRAVELLED: a phone holds check-ins its owner did not record.");
        }
        let identical = differences.is_empty();
        if identical {
            self.line(format!(
                "Timeline ({} messages), members and shared goals are identical on all {} honest phones.",
                count(reference.0.len() as u64),
                honest.len()
            ));
        } else {
            self.line(format!("The honest phones DIFFER ({} differences):", differences.len()));
            for d in &differences {
                self.line(format!("  {d}"));
            }
        }
        self.directory_reached(&mut crisis, &honest)?;
        let mailbox = self.mailbox_scene(&amara, &chen, &group)?;
        let total: u64 = self.meetings.iter().map(|m| m.bytes).sum();
        let seconds: f64 = self.meetings.iter().map(|m| m.simulated_seconds).sum();
        self.line(format!(
            "{} meetings in all: {} over the air, {} s at 20 KB/s.",
            self.meetings.len(),
            bytes(total),
            num(seconds)
        ));

        Ok(DemoReport {
            data_dir: root.display().to_string(),
            kept: false,
            group_id: group.to_hex(),
            meetings: std::mem::take(&mut self.meetings),
            bundle,
            late_join,
            attacks,
            crisis,
            moderation,
            mailbox,
            phones: states,
            honest_phones: honest.len(),
            identical,
            differences,
        })
    }
}
