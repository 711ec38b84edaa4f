//! `init`, `whoami`, `maintain`, `profile ...`, `wipe` and `export-mine`: creating a profile (encrypted in the data
//! directory's vault, or explicitly plain), the vault's other profiles, showing who it is, its housekeeping, the panic
//! wipe and the export of one's own data.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use kindred_core::{Kindred, ListedProfile, ProfileInfo};
use serde::Serialize;

use crate::context::{CliError, Ctx, Outcome, PASSPHRASE_VAR, env_passphrase, read_passphrase};
use crate::output::{date, push_line};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The pseudonym others see in groups.
    #[arg(long)]
    pub name: String,
    /// Keep this profile without encryption (for tests that scan its bytes; never for real data).
    #[arg(long, conflicts_with_all = ["hidden", "label"])]
    pub unencrypted: bool,
    /// Keep the profile out of `kindred profile list`: it opens with its passphrase alone.
    #[arg(long)]
    pub hidden: bool,
    /// The label `kindred profile list` shows [default: "Profile N"; the listing is readable without a passphrase,
    /// so the default names nothing of the person].
    #[arg(long)]
    pub label: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// The profiles listed in the data directory (hidden ones never appear).
    List,
    /// Create another encrypted profile, opened by --passphrase-file (or KINDRED_PASSPHRASE).
    Create(InitArgs),
    /// Open the profile the passphrase opens and show who it is.
    Open,
    /// Take the profile the passphrase opens out of the listing.
    Hide,
    /// List the profile the passphrase opens, under a label.
    Show {
        /// The label to list it under.
        #[arg(long)]
        label: String,
    },
    /// Set a duress passphrase: typed instead of the real one, it opens an ordinary-looking, empty decoy profile.
    /// The duress passphrase comes from --duress-file, or else from --passphrase-file, the profile's own passphrase
    /// then coming from KINDRED_PASSPHRASE.
    SetDuress {
        /// A file holding the duress passphrase.
        #[arg(long, value_name = "FILE")]
        duress_file: Option<PathBuf>,
    },
    /// Move the data directory's unencrypted profile (`init --unencrypted`) into its vault, encrypted under the
    /// passphrase; the unencrypted files are deleted.
    Adopt {
        /// The label `kindred profile list` shows (default: hidden).
        #[arg(long)]
        label: Option<String>,
    },
    /// Change the passphrase: the key is wrapped anew, the data is not rewritten.
    ChangePassphrase {
        /// A file holding the new passphrase.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct WipeArgs {
    /// Yes, destroy it now: nothing of it can be recovered.
    #[arg(long)]
    pub yes: bool,
    /// Every profile in the data directory, hidden ones included (no passphrase needed).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ExportMineArgs {
    /// A new or empty directory to write the export into.
    pub dir: PathBuf,
}

/// The profile and where it lives.
#[derive(Debug, Serialize)]
struct Whoami<'a> {
    #[serde(flatten)]
    profile: ProfileInfo,
    data_dir: &'a Path,
}

/// Creates a profile: encrypted with the passphrase, or plain with `--unencrypted`; without either it refuses.
pub fn init(ctx: &Ctx, args: InitArgs) -> Outcome {
    let kindred = match (ctx.passphrase()?, args.unencrypted) {
        (Some(_), true) => return Err(CliError::input("--unencrypted takes no passphrase")),
        (None, true) => Kindred::create(&ctx.data_dir, &args.name)?,
        (Some(secret), false) => {
            let vault = ctx.vault()?;
            let label = match (args.hidden, args.label) {
                (true, _) => None,
                (false, Some(label)) => Some(label),
                (false, None) => Some(format!("Profile {}", vault.list()?.len() + 1)),
            };
            vault.create(&secret, &args.name, label.as_deref())?
        }
        (None, false) => {
            return Err(CliError::input(
                "give --passphrase-file FILE (or set KINDRED_PASSPHRASE) for an encrypted profile, or --unencrypted",
            ));
        }
    };
    let me = Whoami { profile: kindred.profile(), data_dir: kindred.dir() };
    ctx.render(&me, |me| {
        let mut out = String::new();
        push_line(&mut out, format!("Created a profile for {} in {}", me.profile.display_name, me.data_dir.display()));
        push_line(&mut out, format!("Member id: {}", me.profile.member_id));
        out
    })
}

pub fn whoami(ctx: &Ctx) -> Outcome {
    let kindred = ctx.open()?;
    let me = Whoami { profile: kindred.profile(), data_dir: kindred.dir() };
    ctx.render(&me, |me| {
        let mut out = String::new();
        push_line(&mut out, &me.profile.display_name);
        push_line(&mut out, format!("Member id: {}", me.profile.member_id));
        push_line(&mut out, format!("Since:     {}", date(me.profile.created_at)));
        push_line(&mut out, format!("Data dir:  {}", me.data_dir.display()));
        out
    })
}

/// What `maintain` did.
#[derive(Debug, Serialize)]
struct Maintained {
    compacted: u32,
}

/// The housekeeping an app runs when idle (posts leave it for later): folds stored changes into snapshots where that
/// is due and checkpoints the database's log.
pub fn maintain(ctx: &Ctx) -> Outcome {
    let kindred = ctx.open()?;
    let done = Maintained { compacted: kindred.maintain()? };
    ctx.render(&done, |done| {
        let mut out = String::new();
        push_line(
            &mut out,
            match done.compacted {
                0 => "Nothing to compact.".to_owned(),
                1 => "Compacted 1 document.".to_owned(),
                n => format!("Compacted {n} documents."),
            },
        );
        out
    })
}

pub fn profile(ctx: &Ctx, command: ProfileCommand) -> Outcome {
    let secret =
        || ctx.passphrase()?.ok_or_else(|| CliError::input("give --passphrase-file FILE or set KINDRED_PASSPHRASE"));
    let done = |text: &str| ctx.render(&serde_json::json!({ "done": text }), |_| format!("{text}\n"));
    match command {
        ProfileCommand::List => {
            let listed = ctx.vault()?.list()?;
            ctx.render(&listed, |listed: &Vec<ListedProfile>| {
                let mut out = String::new();
                for p in listed {
                    push_line(&mut out, format!("{}  {}", p.id, p.label));
                }
                if listed.is_empty() {
                    push_line(&mut out, "No listed profiles.");
                }
                out
            })
        }
        ProfileCommand::Create(args) => init(ctx, args),
        ProfileCommand::Open => whoami(ctx),
        ProfileCommand::Hide => {
            ctx.vault()?.set_listed_as(&secret()?, None)?;
            done("Hidden: it opens with its passphrase alone.")
        }
        ProfileCommand::Show { label } => {
            ctx.vault()?.set_listed_as(&secret()?, Some(&label))?;
            done("Listed.")
        }
        ProfileCommand::SetDuress { duress_file } => {
            let (real, duress) = match duress_file {
                Some(file) => (secret()?, read_passphrase(&file)?),
                None => {
                    let duress = secret()?;
                    let real = env_passphrase().filter(|_| ctx.passphrase_file.is_some()).ok_or_else(|| {
                        CliError::input(format!(
                            "set {PASSPHRASE_VAR} to the profile's passphrase and give the duress one with \
                             --passphrase-file (or give it with --duress-file)"
                        ))
                    })?;
                    (real, duress)
                }
            };
            ctx.vault()?.set_duress(&real, &duress)?;
            done("Duress passphrase set: it opens a decoy profile.")
        }
        ProfileCommand::Adopt { label } => {
            let kindred = ctx.vault()?.adopt(&ctx.data_dir, &secret()?, label.as_deref())?;
            drop(kindred);
            done("Encrypted: the profile now opens with its passphrase; the unencrypted files are gone.")
        }
        ProfileCommand::ChangePassphrase { new_passphrase_file } => {
            let new = read_passphrase(&new_passphrase_file)?;
            ctx.vault()?.change_secret(&secret()?, &new)?;
            done("Passphrase changed.")
        }
    }
}

/// The panic wipe: the profile the passphrase opens (or the plain one), or with `--all` every profile.
pub fn wipe(ctx: &Ctx, args: WipeArgs) -> Outcome {
    if !args.yes {
        return Err(CliError::input("this destroys the profile for good: add --yes"));
    }
    if args.all {
        ctx.vault()?.wipe_all()?;
        if Kindred::exists(&ctx.data_dir) {
            Kindred::open(&ctx.data_dir)?.wipe()?;
        }
    } else {
        ctx.open()?.wipe()?;
    }
    ctx.render(&serde_json::json!({ "wiped": true }), |_| "Wiped.\n".to_owned())
}

/// Everything the person wrote or recorded, as JSON and CSV files in a new directory.
pub fn export_mine(ctx: &Ctx, args: ExportMineArgs) -> Outcome {
    let summary = ctx.open()?.export_mine(&args.dir)?;
    ctx.render(&summary, |summary| {
        let mut out = String::new();
        push_line(&mut out, format!("Exported your data to {}", args.dir.display()));
        for file in &summary.files {
            push_line(&mut out, format!("  {file}"));
        }
        out
    })
}
