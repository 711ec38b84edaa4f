//! A child process for the kill-mid-write test: posts messages as fast as it can into a group of the profile in
//! `argv[1]` and prints each message id to stdout the moment `post` returns (that is, once the write was
//! acknowledged). The test kills it with SIGKILL at an arbitrary moment and checks every printed id survived. Every
//! 32 posts it also runs `maintain`, as an app does when idle, so kills land in compaction and in the write-ahead
//! log's checkpoint too (a post itself no longer compacts).

use std::io::Write;

use kindred_core::{Kindred, NewMessage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: durability-writer DATA_DIR GROUP_ID")?;
    let group = args.next().ok_or("usage: durability-writer DATA_DIR GROUP_ID")?.parse()?;
    let kindred = Kindred::open(&dir)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for i in 0u64.. {
        let text = format!("acknowledged write number {i}, which must survive a kill at any instant");
        let message = kindred.post(&group, NewMessage { text, ..Default::default() })?;
        writeln!(out, "{}", message.id)?;
        out.flush()?;
        if i % 32 == 31 {
            kindred.maintain()?;
        }
    }
    Ok(())
}
