//! `group create | list | show | add-member`: the groups this profile is in and their members.

use clap::{Args, Subcommand, ValueEnum};
use kindred_core::{GroupDetails, GroupSummary, MemberId, NewGroup, Role};

use crate::context::{CliError, Ctx, Outcome};
use crate::output::{Align, Table, date, indent, push_line, short};

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
                let name = g.members.iter().find(|m| m.member_id == member).map_or(args.name.as_str(), |m| &m.display_name);
                format!("{name} is now in \"{}\" ({} members)\n", g.name, g.members.len())
            })
        }
    }
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
    let mut table = Table::new(&[("NAME", Align::Left), ("ROLE", Align::Left), ("SINCE", Align::Left), ("MEMBER ID", Align::Left)]);
    for m in &g.members {
        table.row(vec![m.display_name.clone(), m.role.to_string(), date(m.added_at), m.member_id.to_string()]);
    }
    out.push_str(&indent(&table.render(), "  "));
    out.push('\n');
    out
}
