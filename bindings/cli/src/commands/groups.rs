//! `group create | list | show | add-member | invite | join | pending | remove | flagged`: the groups this profile is
//! in, their members, and how people come and go (invitation codes, joining at the next sync, removal).

use clap::{Args, Subcommand, ValueEnum};
use kindred_core::invite::InviteCode;
use kindred_core::{GroupDetails, GroupId, GroupSummary, Kindred, MemberId, NewGroup, PendingJoin, Role};
use serde::Serialize;

use crate::context::{CliError, Ctx, Outcome};
use crate::output::{Align, Table, date, indent, plural, push_line, short, when};

/// How long an invitation stays valid unless told otherwise, in days (the core's default).
const DEFAULT_INVITE_DAYS: u32 = 7;
/// The longest validity the core accepts, in days.
const MAX_INVITE_DAYS: u32 = 30;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group, with you as its owner.
    Create(CreateArgs),
    /// List your groups, most recently active first.
    List,
    /// Show a group's description, guidelines and members.
    Show {
        /// The group's id or name.
        group: String,
    },
    /// Add someone to a group (or change their role).
    AddMember(AddMemberArgs),
    /// Create a single-use invitation code for a group (owners and moderators).
    Invite(InviteArgs),
    /// Accept an invitation code; you join at your next sync with any member of the group.
    Join {
        /// The code, as shared (`KINDRED:...`; case and spaces do not matter).
        code: String,
    },
    /// List the invitations you accepted that are waiting for a sync with a member.
    Pending,
    /// Remove a member (owners and moderators). What they write afterwards is never shown.
    Remove {
        /// The group's id or name.
        group: String,
        /// The member's id (or a unique prefix of 8+ characters) or their display name in the group.
        member: String,
    },
    /// Leave a group (anyone but its owner). With --erase, everything you wrote there is erased first, from this
    /// phone and from every phone running Kindred that receives it.
    Leave {
        /// The group's id or name.
        group: String,
        #[arg(long)]
        erase: bool,
    },
    /// List members caught equivocating (signing two different histories) in a group.
    Flagged {
        /// The group's id or name.
        group: String,
    },
    /// Trust an organisation's key to publish crisis resource directories into a group (owner only), or with
    /// --revoke no longer (its directories stop being used on every phone). Without KEY, list the trusted keys.
    TrustPublisher {
        /// The group's id or name.
        group: String,
        /// The publisher's key (64 hex characters, as its directory files name it).
        key: Option<String>,
        #[arg(long, requires = "key")]
        revoke: bool,
    },
}

/// The publishers a group trusts, for `--json`.
#[derive(Debug, Serialize)]
struct Publishers {
    group_id: GroupId,
    trusted_publishers: Vec<MemberId>,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The group's id or name.
    pub group: String,
    /// How many days the code stays valid (1 to 30).
    #[arg(long, default_value_t = DEFAULT_INVITE_DAYS, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_INVITE_DAYS)))]
    pub valid_days: u32,
}

/// An invitation just created, for `--json` (and the text output).
#[derive(Debug, Serialize)]
struct Invitation {
    code: String,
    group_id: GroupId,
    group_name: String,
    expires_at: i64,
}

/// An accepted invitation and when its code expires.
#[derive(Debug, Serialize)]
struct Pending {
    #[serde(flatten)]
    join: PendingJoin,
    expires_at: i64,
}

/// A flagged member of a group.
#[derive(Debug, Serialize)]
struct Flagged {
    member_id: MemberId,
    name: Option<String>,
    reason: String,
}

#[derive(Debug, Serialize)]
struct FlaggedList {
    group_id: GroupId,
    group_name: String,
    flagged: Vec<Flagged>,
    /// Equivocation proofs this phone keeps for the group.
    proofs: u64,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The group's name.
    pub name: String,
    #[arg(long, default_value = "")]
    pub description: String,
    /// What members agree to, shown to everyone who joins.
    #[arg(long, default_value = "")]
    pub guidelines: String,
}

#[derive(Debug, Args)]
pub struct AddMemberArgs {
    /// The group's id or name.
    pub group: String,
    /// Their member id (64 hex characters, from their `kindred whoami`).
    pub member_id: String,
    /// The name to show for them.
    pub name: String,
    #[arg(long, value_enum, default_value_t = RoleArg::Member)]
    pub role: RoleArg,
}

/// The roles that can be given to someone else.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Member,
    Moderator,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Member => Role::Member,
            RoleArg::Moderator => Role::Moderator,
        }
    }
}

pub fn run(ctx: &Ctx, command: GroupCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        GroupCommand::Create(args) => {
            let new = NewGroup { name: args.name, description: args.description, guidelines: args.guidelines };
            let group = kindred.create_group(new)?;
            ctx.render(&group, |g| format!("Created group \"{}\" ({})\n", g.name, g.id))
        }
        GroupCommand::List => ctx.render(&kindred.groups()?, |groups| list_text(groups)),
        GroupCommand::Show { group } => {
            let id = kindred.resolve_group(&group)?;
            ctx.render(&kindred.group(&id)?, details_text)
        }
        GroupCommand::AddMember(args) => {
            let id = kindred.resolve_group(&args.group)?;
            let member: MemberId = args.member_id.parse().map_err(CliError::from)?;
            // The core would let an owner "add" themselves as a member, leaving the group with no owner.
            if member == kindred.profile().member_id {
                return Err(CliError::input("that is your own member id; you are already in the group"));
            }
            let group = kindred.add_member(&id, &member, &args.name, args.role.into())?;
            ctx.render(&group, |g| {
                let name =
                    g.members.iter().find(|m| m.member_id == member).map_or(args.name.as_str(), |m| &m.display_name);
                format!("{name} is now in \"{}\" ({} members)\n", g.name, g.members.len())
            })
        }
        GroupCommand::Invite(args) => invite(ctx, &kindred, &args),
        GroupCommand::Join { code } => {
            let join = kindred.join_group(&code)?;
            let expires_at = InviteCode::parse(&code)?.expires_at;
            let inviter = known_name(&kindred, &join.inviter);
            ctx.render(&Pending { join, expires_at }, |p| {
                let mut out = String::new();
                push_line(&mut out, format!("Invitation to \"{}\" from {inviter} accepted.", p.join.group_name));
                push_line(
                    &mut out,
                    "You will join at your next sync with a member of the group (`kindred sync --connect HOST:PORT`).",
                );
                push_line(&mut out, format!("The code is valid until {}.", when(p.expires_at)));
                out
            })
        }
        GroupCommand::Pending => {
            let joins = kindred.pending_joins()?;
            ctx.render(&joins, |joins| pending_text(&kindred, joins))
        }
        GroupCommand::Leave { group, erase } => {
            let id = kindred.resolve_group(&group)?;
            let details = kindred.leave_group(&id, erase)?;
            ctx.render(&serde_json::json!({ "group": id, "left": true, "erased": erase }), |_| {
                let erased = if erase { ", and erased what you wrote there" } else { "" };
                format!("Left {}{erased}. Sync to tell the others.\n", details.name)
            })
        }
        GroupCommand::Remove { group, member } => {
            let id = kindred.resolve_group(&group)?;
            let before = kindred.group(&id)?;
            let member = resolve_member(&before, &member)?;
            let name = before
                .members
                .iter()
                .find(|m| m.member_id == member)
                .map_or_else(|| short(&member), |m| m.display_name.clone());
            let after = kindred.remove_member(&id, &member)?;
            ctx.render(&after, |g| {
                let mut out = String::new();
                let left = match g.members.len() {
                    1 => "1 member left".to_owned(),
                    n => format!("{n} members left"),
                };
                push_line(&mut out, format!("Removed {name} from \"{}\" ({left}).", g.name));
                push_line(&mut out, format!("Their messages so far stay; anything {name} writes from now on is never shown, here or on any phone that syncs this."));
                out
            })
        }
        GroupCommand::Flagged { group } => {
            let id = kindred.resolve_group(&group)?;
            let details = kindred.group(&id)?;
            let (flagged, proofs) = kindred.flagged_members(&id)?;
            let flagged = flagged
                .into_iter()
                .map(|(member_id, reason)| {
                    let name =
                        details.members.iter().find(|m| m.member_id == member_id).map(|m| m.display_name.clone());
                    Flagged { member_id, name, reason }
                })
                .collect();
            ctx.render(&FlaggedList { group_id: id, group_name: details.name, flagged, proofs }, flagged_text)
        }
        GroupCommand::TrustPublisher { group, key, revoke } => {
            let id = kindred.resolve_group(&group)?;
            if let Some(key) = &key {
                let publisher: MemberId = key.parse().map_err(CliError::from)?;
                kindred.trust_publisher(&id, &publisher, !revoke)?;
            }
            let shown = Publishers { group_id: id, trusted_publishers: kindred.group(&id)?.trusted_publishers };
            ctx.render(&shown, |p| {
                let mut out = String::new();
                match (&key, revoke) {
                    (Some(key), false) => push_line(&mut out, format!("Trusted {key} to publish directories here.")),
                    (Some(key), true) => {
                        push_line(&mut out, format!("{key} is no longer trusted; its directories are not used."))
                    }
                    (None, _) => {}
                }
                if p.trusted_publishers.is_empty() {
                    push_line(&mut out, "Only the owner publishes crisis resource directories in this group.");
                } else {
                    push_line(&mut out, "Trusted publishers (besides the owner):");
                    for publisher in &p.trusted_publishers {
                        push_line(&mut out, format!("  {publisher}"));
                    }
                }
                out
            })
        }
    }
}

fn invite(ctx: &Ctx, kindred: &Kindred, args: &InviteArgs) -> Outcome {
    let id = kindred.resolve_group(&args.group)?;
    let code = kindred.create_invite(&id, i64::from(args.valid_days) * DAY_MS)?;
    let parsed = InviteCode::parse(&code)?;
    let invitation = Invitation { code, group_id: id, group_name: parsed.group_name, expires_at: parsed.expires_at };
    ctx.render(&invitation, |i| {
        let mut out = String::new();
        push_line(
            &mut out,
            format!("Invitation to \"{}\", single use, valid until {}:", i.group_name, when(i.expires_at)),
        );
        push_line(&mut out, format!("\n{}\n", i.code));
        push_line(&mut out, "Share it (or its QR code) with one person. They run `kindred group join CODE`,");
        push_line(&mut out, "then sync with any member of the group, who checks the code and lets them in.");
        out
    })
}

/// A member of `group` named by full id, unique id prefix (8+ hex characters) or unique display name (any case).
pub(crate) fn resolve_member(group: &GroupDetails, needle: &str) -> Result<MemberId, CliError> {
    let needle = needle.trim();
    let lower = needle.to_lowercase();
    let by_name: Vec<&MemberId> =
        group.members.iter().filter(|m| m.display_name.to_lowercase() == lower).map(|m| &m.member_id).collect();
    let by_id: Vec<&MemberId> = if needle.len() >= 8 && needle.chars().all(|c| c.is_ascii_hexdigit()) {
        group.members.iter().filter(|m| m.member_id.to_hex().starts_with(&lower)).map(|m| &m.member_id).collect()
    } else {
        Vec::new()
    };
    let matches = if by_id.is_empty() { by_name } else { by_id };
    match matches.as_slice() {
        [one] => Ok(**one),
        // Errors never repeat names (the typed one, the group's): they may end up in logs.
        [] => Err(CliError::Core(
            kindred_core::ErrorKind::NotFound {
                kind: "member",
                id: format!("no member of group {} has that name or id", group.id),
            }
            .into(),
        )),
        many => Err(CliError::Core(
            kindred_core::ErrorKind::Ambiguous { kind: "member", name: String::new(), count: many.len() }.into(),
        )),
    }
}

/// The display name this profile knows for `member` from any of its groups, else the short id.
pub(crate) fn known_name(kindred: &Kindred, member: &MemberId) -> String {
    if *member == kindred.profile().member_id {
        return kindred.profile().display_name;
    }
    let groups = kindred.groups().unwrap_or_default();
    groups
        .iter()
        .filter_map(|g| kindred.group(&g.id).ok())
        .find_map(|g| g.members.into_iter().find(|m| m.member_id == *member).map(|m| m.display_name))
        .map_or_else(|| format!("member {}", short(member)), |name| format!("{name} ({})", short(member)))
}

fn pending_text(kindred: &Kindred, joins: &[PendingJoin]) -> String {
    if joins.is_empty() {
        return "No invitations waiting. Accept one with `kindred group join CODE`.\n".to_owned();
    }
    let mut table = Table::new(&[("GROUP", Align::Left), ("INVITED BY", Align::Left), ("GROUP ID", Align::Left)]);
    for j in joins {
        table.row(vec![j.group_name.clone(), known_name(kindred, &j.inviter), short(&j.group_id)]);
    }
    let mut out = table.render();
    push_line(&mut out, "\nEach joins at your next sync with a member of its group.");
    out
}

fn flagged_text(list: &FlaggedList) -> String {
    let mut out = String::new();
    if list.flagged.is_empty() {
        push_line(&mut out, format!("No one is flagged in \"{}\".", list.group_name));
        return out;
    }
    push_line(&mut out, format!("Flagged in \"{}\" ({} kept):", list.group_name, plural(list.proofs, "proof")));
    let mut table = Table::new(&[("MEMBER", Align::Left), ("ID", Align::Left), ("REASON", Align::Left)]);
    for f in &list.flagged {
        table.row(vec![
            f.name.clone().unwrap_or_else(|| "(no longer a member)".into()),
            short(&f.member_id),
            f.reason.clone(),
        ]);
    }
    out.push_str(&indent(&table.render(), "  "));
    out.push('\n');
    push_line(&mut out, "Their further changes are refused; what they wrote from the fork on is hidden.");
    out
}

fn list_text(groups: &[GroupSummary]) -> String {
    if groups.is_empty() {
        return "No groups yet. Create one with `kindred group create NAME`.\n".to_owned();
    }
    let mut table =
        Table::new(&[("NAME", Align::Left), ("MEMBERS", Align::Right), ("UNREAD", Align::Right), ("ID", Align::Left)]);
    for g in groups {
        table.row(vec![g.name.clone(), g.member_count.to_string(), g.unread_count.to_string(), short(&g.id)]);
    }
    table.render()
}

fn details_text(g: &GroupDetails) -> String {
    let mut out = String::new();
    push_line(&mut out, &g.name);
    push_line(&mut out, format!("Id:      {}", g.id));
    push_line(&mut out, format!("Created: {}", date(g.created_at)));
    if !g.description.is_empty() {
        push_line(&mut out, format!("\n{}", g.description));
    }
    if !g.guidelines.is_empty() {
        push_line(&mut out, "\nGuidelines:");
        push_line(&mut out, indent(&g.guidelines, "  "));
    }
    push_line(&mut out, format!("\nMembers ({}):", g.members.len()));
    let mut table =
        Table::new(&[("NAME", Align::Left), ("ROLE", Align::Left), ("SINCE", Align::Left), ("MEMBER ID", Align::Left)]);
    for m in &g.members {
        table.row(vec![m.display_name.clone(), m.role.to_string(), date(m.added_at), m.member_id.to_string()]);
    }
    out.push_str(&indent(&table.render(), "  "));
    out.push('\n');
    out
}
