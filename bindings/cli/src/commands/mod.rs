//! The commands, one file per concern. Each file owns its arguments (clap `Args`/`Subcommand` types) and a `run`
//! function that returns the text for stdout; `main.rs` only wires them into the command line.

pub mod bundle;
pub mod check;
pub mod checkins;
pub mod export;
pub mod goals;
pub mod group_goals;
pub mod groups;
pub mod instruments;
pub mod messages;
pub mod moderation;
pub mod personal;
pub mod profile;
pub mod relay;
pub mod resources;
pub mod safety_plan;
pub mod sync;
pub mod trends;
