//! The demo's mailbox scene: two phones that never meet keep a conversation through an end-to-end encrypted mailbox
//! (here a folder standing in for an S3-compatible bucket: `kindred relay sync --endpoint URL --bucket NAME` runs the
//! same rounds against a real one). A newcomer joins through it with a code sent as a text message.

use kindred_core::relay::{Mailbox, RelayReport};

use super::*;
use crate::folder_mailbox::FolderMailbox;

/// One round of one phone with the mailbox.
#[derive(Debug, Clone, Serialize)]
pub(super) struct MailboxRound {
    phone: String,
    requests: u32,
    bytes: u64,
    objects_taken: u32,
    puts: u32,
}

/// What the scene showed.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct MailboxScene {
    rounds: Vec<MailboxRound>,
    joined: bool,
    conversation_arrived: bool,
    quiet_round_requests: u32,
    bucket_objects: usize,
    bucket_bytes: u64,
    words_in_bucket: bool,
}

impl Demo {
    fn relay_round(
        &mut self,
        scene: &mut MailboxScene,
        phone: &Phone,
        group: &GroupId,
        store: &dyn Mailbox,
    ) -> Result<RelayReport, CliError> {
        let r = phone.kindred.relay_sync(group, store)?;
        let mut what = format!(
            "  {:<7} {}, {} moved, took {}, put {}",
            phone.name,
            plural(u64::from(r.requests), "request"),
            bytes(r.bytes_sent + r.bytes_received),
            plural(u64::from(r.objects_taken), "object"),
            plural(u64::from(r.puts), "object")
        );
        if !r.admitted.is_empty() {
            what.push_str(&format!(" (admitted {})", plural(r.admitted.len() as u64, "newcomer")));
        }
        if r.joined {
            what.push_str(" (joined)");
        }
        self.line(what);
        scene.rounds.push(MailboxRound {
            phone: phone.name.to_owned(),
            requests: r.requests,
            bytes: r.bytes_sent + r.bytes_received,
            objects_taken: r.objects_taken,
            puts: r.puts,
        });
        Ok(r)
    }

    pub(super) fn mailbox_scene(
        &mut self,
        amara: &Phone,
        chen: &Phone,
        group: &GroupId,
    ) -> Result<MailboxScene, CliError> {
        self.step("Fatima lives two towns away: she and Chen never meet, and talk through the clinic's mailbox");
        let mut scene = MailboxScene::default();
        let store = FolderMailbox::new(&self.root.join("mailbox-bucket")).map_err(|e| CliError::Other(e.0))?;
        let fatima = new_phone(&self.root, "Fatima")?;
        let code = amara.kindred.create_invite(group, WEEK_MS)?;
        fatima.kindred.join_group(&code)?;
        self.line("Amara texts Fatima an invitation code. Each round below is one phone with the mailbox, whenever it");
        self.line("has a connection: the bucket sees only padded, encrypted objects under names that say nothing.");
        for phone in [&fatima, amara, &fatima, chen] {
            let r = self.relay_round(&mut scene, phone, group, &store)?;
            scene.joined |= r.joined;
        }
        if scene.joined {
            fatima.kindred.accept_rules(group)?;
        }
        let fatima_line = "Hello from Fatima. I only get to the clinic once a month.";
        let chen_line = "Welcome, Fatima! Tuesdays are easier with more of us, even from afar.";
        fatima.say(group, fatima_line)?;
        self.relay_round(&mut scene, &fatima, group, &store)?;
        self.relay_round(&mut scene, chen, group, &store)?;
        chen.say(group, chen_line)?;
        self.relay_round(&mut scene, chen, group, &store)?;
        self.relay_round(&mut scene, &fatima, group, &store)?;
        let shows =
            |phone: &Phone, text: &str| phone.timeline(group).is_ok_and(|t| t.iter().any(|l| l.ends_with(text)));
        scene.conversation_arrived = shows(chen, fatima_line) && shows(&fatima, chen_line);
        // Until a whole pass puts nothing (acknowledgements are read; they ask for none back).
        for _ in 0..4 {
            let mut quiet = true;
            for phone in [chen, &fatima, amara] {
                quiet &= self.relay_round(&mut scene, phone, group, &store)?.puts == 0;
            }
            if quiet {
                break;
            }
        }
        scene.quiet_round_requests = self.relay_round(&mut scene, &fatima, group, &store)?.requests;
        let mut after = None;
        let mut objects = Vec::new();
        loop {
            let page = store.list("", after.as_deref()).map_err(|e| CliError::Other(e.0))?;
            after = page.objects.last().map(|o| o.name.clone());
            objects.extend(page.objects);
            if !page.more {
                break;
            }
        }
        scene.bucket_objects = objects.len();
        scene.bucket_bytes = objects.iter().map(|o| o.size).sum();
        for object in &objects {
            let body = store.get(&object.name).map_err(|e| CliError::Other(e.0))?.unwrap_or_default();
            scene.words_in_bucket |= [fatima_line, chen_line, "Fatima", GROUP_NAME]
                .iter()
                .any(|w| body.windows(w.len()).any(|x| x == w.as_bytes()) || object.name.contains(w));
        }
        if scene.joined && scene.conversation_arrived {
            self.line(format!(
                "Fatima joined with {} of history and they talk: \"{fatima_line}\" / \"{chen_line}\"",
                plural(message_count(&fatima, group) as u64, "message")
            ));
        } else {
            self.line("NOT AS DESIGNED: Fatima did not join, or the conversation did not arrive, through the mailbox.");
        }
        self.line(format!(
            "A round with nothing new: {} (one listing). The bucket holds {} ({}); {}.",
            plural(u64::from(scene.quiet_round_requests), "request"),
            plural(scene.bucket_objects as u64, "object"),
            bytes(scene.bucket_bytes),
            if scene.words_in_bucket {
                "WORDS OR NAMES ARE READABLE IN IT"
            } else {
                "no word, name or member key is readable in it"
            }
        ));
        Ok(scene)
    }
}
