//! The baseline: the same history in one plain automerge document, built the way the research measured it
//! (the measurements that set this project's targets), so Kindred's figures sit beside raw automerge's from
//! the same run on the same machine.
//!
//! Layout: a root `messages` list; each message is a map `{author: 64-char hex, text, ts: Timestamp}` inserted at
//! the end in its own change, by one of 8 members, each with a fixed 16-byte ActorId (switching with `set_actor`,
//! never `set_author`, which would mint a new actor each time). Reading the latest 50 has to look at every
//! message's `ts` and (partially) sort, because list order is not time order once peers merge.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Automerge, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use crate::rss::{self, ChildTask, OpenTiming};
use crate::workload::{self, MEMBERS, Workload};

/// How many messages the baseline reads after loading, like Kindred's page.
const LATEST: usize = 50;

/// A saved baseline document on disk.
#[derive(Debug, Clone)]
pub struct AutomergeHistory {
    pub file: PathBuf,
    pub messages: usize,
    /// Size of `save()`.
    pub save_bytes: usize,
    /// Building the document in memory, one commit per message.
    pub build: Duration,
    /// `save()` alone.
    pub save: Duration,
}

/// A message read back from the baseline document.
#[derive(Debug, Clone)]
pub struct BaselineMessage {
    pub author: String,
    pub text: String,
    pub ts: i64,
}

/// The 8 members' fixed 16-byte ActorIds, member `i` being `[0xa0 + i; 16]`.
pub fn actors() -> Vec<ActorId> {
    (0..MEMBERS).map(|i| ActorId::from(&[0xa0 + i as u8; 16][..])).collect()
}

/// The 8 members' `author` values: their member keys as 64-char hex.
pub fn authors() -> Vec<String> {
    workload::member_keys().iter().map(hex::encode).collect()
}

/// The document's `messages` list.
pub fn messages_list(doc: &Automerge) -> Result<ObjId, Box<dyn Error>> {
    match doc.get(ROOT, "messages")? {
        Some((Value::Object(ObjType::List), id)) => Ok(id),
        _ => Err("no messages list".into()),
    }
}

/// Inserts one message at `index` of `list` (the end, for a chat) as `actor`, in its own change (the research schema).
pub fn insert_message(
    doc: &mut Automerge,
    list: &ObjId,
    index: usize,
    actor: &ActorId,
    author: &str,
    text: String,
    at_ms: i64,
) -> Result<(), Box<dyn Error>> {
    doc.set_actor(actor.clone());
    let mut tx = doc.transaction();
    let message = tx.insert_object(list, index, ObjType::Map)?;
    tx.put(&message, "author", author)?;
    tx.put(&message, "text", text)?;
    tx.put(&message, "ts", ScalarValue::Timestamp(at_ms))?;
    tx.commit_with(CommitOptions::default().with_time(at_ms));
    Ok(())
}

/// Builds the baseline document from the seeded workload, in memory: `messages` messages by the 8 members.
pub fn build(messages: usize, seed: u64) -> Result<Automerge, Box<dyn Error>> {
    let mut workload = Workload::new(seed, messages);
    let actors = actors();
    let authors = authors();
    let started = Instant::now();
    let mut doc = Automerge::new().with_actor(actors.first().cloned().ok_or("no actors")?);
    let mut tx = doc.transaction();
    let list = tx.put_object(ROOT, "messages", ObjType::List)?;
    tx.commit();
    let mut last_report = Instant::now();
    for index in 0..messages {
        let draft = workload.draft();
        let (actor, author) = actors.get(draft.member).zip(authors.get(draft.member)).ok_or("member out of range")?;
        insert_message(&mut doc, &list, index, actor, author, draft.text, draft.at_ms)?;
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!("  automerge: {}/{messages} messages built, {:.1} s", index + 1, started.elapsed().as_secs_f64());
            last_report = Instant::now();
        }
    }
    Ok(doc)
}

/// Builds the baseline document (see [`build`]) and writes its `save()` to `file`.
pub fn generate(file: &Path, messages: usize, seed: u64) -> Result<AutomergeHistory, Box<dyn Error>> {
    let started = Instant::now();
    let doc = build(messages, seed)?;
    let build = started.elapsed();
    let save_started = Instant::now();
    let bytes = doc.save();
    let save = save_started.elapsed();
    std::fs::write(file, &bytes)?;
    Ok(AutomergeHistory { file: file.to_owned(), messages, save_bytes: bytes.len(), build, save })
}

fn scalar<'a>(doc: &'a Automerge, obj: &ObjId, key: &str) -> Result<Option<Value<'a>>, Box<dyn Error>> {
    Ok(doc.get(obj, key)?.map(|(value, _)| value))
}

/// The `limit` newest messages by `ts`, oldest first.
pub fn latest_messages(doc: &Automerge, limit: usize) -> Result<Vec<BaselineMessage>, Box<dyn Error>> {
    let list = messages_list(doc)?;
    let mut stamped: Vec<(i64, ObjId)> = Vec::with_capacity(doc.length(&list));
    for (value, id) in doc.values(&list) {
        if !matches!(value, Value::Object(ObjType::Map)) {
            continue;
        }
        if let Some(Value::Scalar(s)) = scalar(doc, &id, "ts")?
            && let ScalarValue::Timestamp(ts) = s.as_ref()
        {
            stamped.push((*ts, id));
        }
    }
    // A partial sort: move the newest `limit` to the end in O(n), then order just those.
    let split = stamped.len().saturating_sub(limit);
    if split > 0 {
        stamped.select_nth_unstable_by_key(split, |(ts, _)| *ts);
    }
    let mut newest = stamped.split_off(split);
    newest.sort_unstable_by_key(|(ts, _)| *ts);
    newest
        .into_iter()
        .map(|(ts, id)| {
            let text = |key| -> Result<String, Box<dyn Error>> {
                Ok(match scalar(doc, &id, key)? {
                    Some(Value::Scalar(s)) => s.as_str().unwrap_or_default().to_owned(),
                    _ => String::new(),
                })
            };
            Ok(BaselineMessage { author: text("author")?, text: text("text")?, ts })
        })
        .collect()
}

/// What a child process times: read the saved file, load it, and read the latest 50 messages.
pub fn load_and_read_latest(file: &Path) -> Result<OpenTiming, Box<dyn Error>> {
    let started = Instant::now();
    let bytes = std::fs::read(file)?;
    let doc = Automerge::load(&bytes)?;
    let loaded = Instant::now();
    let latest = latest_messages(&doc, LATEST)?;
    let read = loaded.elapsed();
    if !latest.is_sorted_by_key(|m| m.ts) {
        return Err("the latest messages are out of order".into());
    }
    // Count only messages that really came back with an author and a text.
    let read_count = latest.iter().filter(|m| !m.author.is_empty() && !m.text.is_empty()).count();
    Ok(OpenTiming { open: loaded - started, read, read_count })
}

/// Loads the saved document `runs` times, each in a fresh process.
pub fn measure_load(history: &AutomergeHistory, runs: usize) -> Result<Vec<rss::ChildReport>, Box<dyn Error>> {
    let task = ChildTask::AutomergeLoad { file: history.file.clone() };
    (0..runs).map(|_| rss::run_child(&task)).collect()
}
