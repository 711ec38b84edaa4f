//! `relay sync GROUP --endpoint URL --bucket NAME`: one round with a group's end-to-end encrypted mailbox on any
//! S3-compatible store (AWS S3, Garage, MinIO, SeaweedFS, a clinic's or an NGO's own). Credentials come from the
//! environment as S3 tools take them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`); without them the
//! requests are anonymous. The store learns nothing but sizes and timing.

use clap::Subcommand;
use kindred_core::GroupId;
use kindred_core::relay::RelayReport;
use kindred_s3::S3Mailbox;
use serde::Serialize;

use crate::context::{CliError, Ctx, Outcome};
use crate::folder_mailbox::FolderMailbox;
use crate::output::{plural, push_line};

#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// Take in what other members left in the group's mailbox, leave what they lack, delete what all have read.
    /// Also joins a group you hold an invitation to (`group join`), through the mailbox.
    Sync {
        /// The group's id or name (its id, for a group you are joining).
        group: String,
        /// The store's URL, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://localhost:8333`.
        #[arg(long, requires = "bucket", conflicts_with = "folder")]
        endpoint: Option<String>,
        /// The bucket the mailboxes live in.
        #[arg(long, requires = "endpoint")]
        bucket: Option<String>,
        /// Create the bucket first if it does not exist.
        #[arg(long, requires = "endpoint")]
        create_bucket: bool,
        /// Instead of a store: a folder as the bucket (a USB stick, a folder something else keeps in step).
        #[arg(long, required_unless_present = "endpoint")]
        folder: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Serialize)]
struct Synced {
    group_id: GroupId,
    #[serde(flatten)]
    report: RelayReport,
}

pub fn run(ctx: &Ctx, command: RelayCommand) -> Outcome {
    let kindred = ctx.open()?;
    let RelayCommand::Sync { group, endpoint, bucket, create_bucket, folder } = command;
    let id = match kindred.resolve_group(&group) {
        Ok(id) => id,
        // A group being joined is not held yet: its id, or the name its invitation gave.
        Err(err) => kindred
            .pending_joins()?
            .into_iter()
            .find(|j| j.group_id.to_string() == group.trim() || j.group_name == group.trim())
            .map(|j| j.group_id)
            .ok_or(err)?,
    };
    let unavailable =
        |e: kindred_core::relay::StoreError| CliError::Core(kindred_core::ErrorKind::RelayUnavailable(e.0).into());
    let report = match (endpoint, bucket, folder) {
        (Some(endpoint), Some(bucket), _) => {
            let store = S3Mailbox::from_env(&endpoint, &bucket)
                .map_err(|e| CliError::input(e.0))?
                .with_max_object_bytes(kindred_core::relay::MAX_OBJECT_BYTES as u64);
            if create_bucket {
                store.create_bucket_if_missing().map_err(unavailable)?;
            }
            kindred.relay_sync(&id, &store)?
        }
        (_, _, Some(folder)) => kindred.relay_sync(&id, &FolderMailbox::new(&folder).map_err(unavailable)?)?,
        _ => return Err(CliError::input("give --endpoint and --bucket, or --folder")),
    };
    ctx.render(&Synced { group_id: id, report }, |s| {
        let r = &s.report;
        let mut out = String::new();
        push_line(
            &mut out,
            format!(
                "Mailbox round: took in {} ({} applied, {} taken), put {}, deleted {}; {} in {}, {} sent, {} received.",
                plural(u64::from(r.objects_taken), "object"),
                plural(r.applied, "change"),
                plural(r.bodies, "message body"),
                plural(u64::from(r.puts), "object"),
                plural(u64::from(r.deletes), "object"),
                plural(u64::from(r.requests), "request"),
                plural(u64::from(r.lists), "listing"),
                plural(r.bytes_sent, "byte"),
                plural(r.bytes_received, "byte"),
            ),
        );
        if r.objects_refused > 0 {
            push_line(
                &mut out,
                format!("Refused {} (junk, damaged, or not for you).", plural(u64::from(r.objects_refused), "object")),
            );
        }
        for member in &r.admitted {
            push_line(&mut out, format!("Admitted {} from a request in the mailbox.", &member.to_string()[..8]));
        }
        if r.joined {
            push_line(&mut out, "You joined the group through its mailbox.");
        }
        if r.more {
            push_line(&mut out, "More objects are waiting: run it again.");
        }
        out
    })
}
