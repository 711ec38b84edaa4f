//! `resources list [--region CC] [--language LL] | import FILE | publish GROUP FILE | directories | remove PUBLISHER |
//! region [CC]`: crisis resource directories. A directory is a signed file (an app's, an organisation's, a group
//! owner's, or Kindred's example); importing or publishing checks it whole, and a newer version from the same
//! publisher replaces the older one, wherever each came from.

use std::path::PathBuf;

use clap::Subcommand;
use kindred_core::MemberId;
use kindred_core::crisis::{
    DirectoryImport, FoundResource, MAX_DIRECTORY_BYTES, MAX_PUBLISHED_DIRECTORY_BYTES, ResourceKind, ResourceLookup,
    ResourceMatch,
};
use serde::Serialize;

use crate::commands::bundle::read_bounded;
use crate::context::{CliError, Ctx, Outcome};
use crate::output::{plural, push_line, short};

#[derive(Debug, Subcommand)]
pub enum ResourcesCommand {
    /// The crisis services for a region and language, best first (your region, see `resources region`, by default).
    List {
        /// An ISO 3166 country ("KE") or subdivision ("KE-30").
        #[arg(long, value_name = "CC")]
        region: Option<String>,
        /// Your language ("sw", "es-MX"): services in it come first.
        #[arg(long, value_name = "LL")]
        language: Option<String>,
    },
    /// Install a signed directory file on this phone.
    Import { file: PathBuf },
    /// Publish a signed directory file into a group (owners and moderators), for every member's phone: its publisher
    /// must be the group's owner or trusted by the owner (`group trust-publisher`).
    Publish {
        /// The group's id or name.
        group: String,
        file: PathBuf,
    },
    /// The directories you hold: imported, and published in your groups.
    Directories,
    /// Remove a publisher's imported directory.
    Remove { publisher: String },
    /// Show your region, set it ("KE", "KE-30"), or clear it with --clear. It stays on this phone.
    Region {
        region: Option<String>,
        #[arg(long, conflicts_with = "region")]
        clear: bool,
    },
}

#[derive(Debug, Serialize)]
struct Region {
    region: Option<String>,
}

pub fn run(ctx: &Ctx, command: ResourcesCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        ResourcesCommand::List { region, language } => {
            let region = match region {
                Some(r) => Some(r),
                None => kindred.region()?,
            };
            let lookup = kindred.crisis_resources(region.as_deref(), language.as_deref())?;
            ctx.render(&lookup, lookup_text)
        }
        ResourcesCommand::Import { file } => {
            let bytes = read_bounded(&file, MAX_DIRECTORY_BYTES, "a resource directory")?;
            let import = kindred.import_resource_directory(&bytes)?;
            ctx.render(&import, |i| import_text(i, "Installed", "Kept the installed directory"))
        }
        ResourcesCommand::Publish { group, file } => {
            let id = kindred.resolve_group(&group)?;
            let bytes = read_bounded(&file, MAX_PUBLISHED_DIRECTORY_BYTES, "a directory to publish into a group")?;
            let published = kindred.publish_resource_directory(&id, &bytes)?;
            ctx.render(&published, |p| import_text(p, "Published", "Kept the group's directory"))
        }
        ResourcesCommand::Directories => {
            let directories = kindred.resource_directories()?;
            ctx.render(&directories, |list| {
                let mut out = String::new();
                if list.is_empty() {
                    push_line(&mut out, "You hold no resource directory.");
                }
                for d in list {
                    let example = if d.example { " [EXAMPLE: not real services]" } else { "" };
                    let mut from: Vec<String> = d.groups.iter().map(|g| format!("group {}", short(g))).collect();
                    if d.imported {
                        from.insert(0, "imported".to_owned());
                    }
                    push_line(
                        &mut out,
                        format!(
                            "{}  v{}  {}  {}{example}  ({})",
                            short(&d.publisher),
                            d.version,
                            plural(u64::from(d.entries), "service"),
                            d.title,
                            from.join(", ")
                        ),
                    );
                }
                out
            })
        }
        ResourcesCommand::Remove { publisher } => {
            let publisher: MemberId = publisher.parse().map_err(CliError::from)?;
            kindred.remove_resource_directory(&publisher)?;
            ctx.render(&Region { region: None }, |_| "Removed the directory.\n".to_owned())
        }
        ResourcesCommand::Region { region, clear } => {
            let region = if clear {
                kindred.set_region(None)?
            } else if let Some(r) = region {
                kindred.set_region(Some(&r))?
            } else {
                kindred.region()?
            };
            let shown = Region { region };
            ctx.render(&shown, |r| match &r.region {
                Some(r) => format!("Your region: {r}\n"),
                None => "No region set: only international services are listed.\n".to_owned(),
            })
        }
    }
}

fn kind(k: ResourceKind) -> &'static str {
    match k {
        ResourceKind::Phone => "phone",
        ResourceKind::Sms => "SMS",
        ResourceKind::Chat => "chat",
        ResourceKind::WalkIn => "walk-in",
    }
}

/// The lines for one found service (shared with `check`).
pub(crate) fn resource_lines(out: &mut String, f: &FoundResource) {
    let e = &f.entry;
    let example = if f.example { "[EXAMPLE, not a real service] " } else { "" };
    let place = e.subdivision.clone().unwrap_or_else(|| e.country.clone());
    push_line(out, format!("  - {example}{} ({}, {place}): {}", e.name, kind(e.kind), e.contact));
    push_line(
        out,
        format!("      {}; {}; languages {}; checked {}", e.hours, e.audience, e.languages.join(", "), e.last_verified),
    );
}

fn lookup_text(l: &ResourceLookup) -> String {
    let mut out = String::new();
    let heading = match l.matched {
        ResourceMatch::Subdivision => "Services for your area:",
        ResourceMatch::Country => "Nothing for your area specifically; services for your country:",
        ResourceMatch::International => "Nothing for your region; international services:",
        _ => {
            push_line(
                &mut out,
                "No directory you hold lists a service for this region. If you are in danger, call your local \
                 emergency number.",
            );
            return out;
        }
    };
    push_line(&mut out, heading);
    for f in &l.entries {
        resource_lines(&mut out, f);
    }
    out
}

/// What an import or a publication did: `done` ("Installed") when it took effect, `kept` ("Kept the installed
/// directory") when it did not.
fn import_text(i: &DirectoryImport, done: &str, kept: &str) -> String {
    let what = format!(
        "version {} of {}'s directory ({})",
        i.version,
        short(&i.publisher),
        plural(u64::from(i.entries), "service")
    );
    if i.replaced {
        format!("{done} {what}, replacing the older one.\n")
    } else if i.installed {
        format!("{done} {what}.\n")
    } else {
        format!("{kept}: it is as new as {what} or newer. Nothing changed.\n")
    }
}
