//! Crisis resource directories in groups: the owner marks which publishers (an organisation's key) the group trusts,
//! and the owner or a moderator publishes a signed directory file into the group document, where it travels to every
//! member by sync and bundles like any other change.
//!
//! Every phone checks a published file whole when it arrives (size, shape, the publisher's signature, its content
//! hash as the key it is kept under) and decides from the group's signed history alone whether it is in effect:
//! published by an owner or moderator with the right at that point, by a publisher who is the owner or whom the owner
//! had marked trusted in the change's causal past, and still trusted now (see [`crate::sync::authority`] and
//! `docs/trust.md`). Of a publisher's files the highest version counts, equal versions the lower content hash, so a
//! newer version replaces an older one identically everywhere. The files in effect reach lookups through the read
//! model (`group_directories`), next to those the phone imported.

use crate::crisis::directory::{self, MAX_GROUP_DIRECTORIES, ResourceDirectory};
use crate::crisis::resources::DirectoryImport;
use crate::error::{Error, Result};
use crate::ids::{GroupId, MemberId};
use crate::kindred::{Kindred, WriteCtx};
use crate::membership::require_role;
use crate::model::Role;
use crate::read_model;
use crate::schema::{self, MapReader};
use crate::storage::{documents, groups as store, resources};
use crate::time::now_ms;
use automerge::ReadDoc;

impl Kindred {
    /// Marks `publisher` (an organisation's key) trusted to publish crisis resource directories into `group`, or no
    /// longer (`trusted` false: its directories stop being in effect in the group on every phone that learns of it).
    /// Only the owner may; the owner's own directories need no mark. Marking what is already marked changes nothing.
    /// [`GroupDetails::trusted_publishers`](crate::GroupDetails::trusted_publishers) lists the marked keys.
    pub fn trust_publisher(&self, group: &GroupId, publisher: &MemberId, trusted: bool) -> Result<()> {
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            require_role(ctx, group_ref, &[Role::Owner], "mark directory publishers")?;
            if *publisher == ctx.me() {
                return Err(Error::invalid("publisher", "is the owner, whose directories need no mark"));
            }
            let marked = resources::trusted_publishers(ctx.tx, group_ref)?.contains(publisher.as_bytes());
            if marked == trusted {
                return Ok(());
            }
            let (me, at, doc_id) = (ctx.me(), now_ms(), group.doc_id());
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, at, |d| {
                schema::group::write_publisher_trust(d, &doc_id, publisher, trusted, at, &me)
            })?;
            read_model::refresh_group(ctx, group)?;
            Ok(())
        })
    }

    /// Publishes a signed crisis resource directory file into `group`: it reaches every member's phone with the
    /// group's next sync or bundle, and their lookups use it. Only the owner and moderators publish, and only a file
    /// whose publisher is the owner (signed with [`Kindred::sign_resource_directory`]) or a publisher the owner marks
    /// trusted ([`Kindred::trust_publisher`]). The file is checked whole first (as an import is) and may be at most
    /// [`MAX_PUBLISHED_DIRECTORY_BYTES`](directory::MAX_PUBLISHED_DIRECTORY_BYTES); a group holds at most
    /// [`MAX_GROUP_DIRECTORIES`] files. Returns whether it is now the publisher's directory in the group (an older
    /// version, or the same file again, changes nothing).
    pub fn publish_resource_directory(&self, group: &GroupId, file: &[u8]) -> Result<DirectoryImport> {
        let directory = ResourceDirectory::from_file_bytes(file)?;
        directory::check_published_size(file.len())?;
        let hash = directory.content_hash()?;
        let key = hex::encode(hash);
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "publish directories")?;
            let owner = store::details(ctx.tx, group_ref)?.created_by == directory.publisher;
            let trusted = resources::trusted_publishers(ctx.tx, group_ref)?.contains(directory.publisher.as_bytes());
            if !owner && !trusted {
                return Err(Error::not_permitted(
                    "the directory's publisher is neither the group's owner nor trusted by the owner",
                ));
            }
            let held = resources::group_hashes(ctx.tx, group_ref)?;
            let current = held.iter().find(|(p, _)| p == directory.publisher.as_bytes()).map(|(_, h)| *h);
            let (files, already) = directory_files(ctx, group, &key)?;
            if !already {
                if files >= MAX_GROUP_DIRECTORIES {
                    return Err(Error::invalid(
                        "group",
                        format!("holds {MAX_GROUP_DIRECTORIES} directory files, the limit"),
                    ));
                }
                let doc_id = group.doc_id();
                documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, now_ms(), |d| {
                    schema::group::write_directory(d, &doc_id, &hash, file)
                })?;
                read_model::refresh_group(ctx, group)?;
            }
            let now = resources::group_hashes(ctx.tx, group_ref)?;
            let installed = !already && now.iter().any(|(_, h)| *h == hash);
            Ok(DirectoryImport {
                publisher: directory.publisher,
                version: directory.version,
                entries: u32::try_from(directory.entries.len()).unwrap_or(u32::MAX),
                installed,
                replaced: installed && current.is_some(),
            })
        })
    }
}

/// How many directory files the group document holds, and whether it holds the one under `key`.
fn directory_files(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, key: &str) -> Result<(usize, bool)> {
    let doc_id = group.doc_id();
    let doc =
        ctx.cache.get(ctx.tx, &doc_id, ctx.identity.actor())?.ok_or_else(|| Error::not_found("document", doc_id))?;
    let Some(map) = MapReader::new(&*doc, &doc_id, automerge::ROOT).map("directories")? else { return Ok((0, false)) };
    let already = doc.get(&map, key).map_err(|e| Error::document(doc_id, e))?.is_some();
    Ok((doc.length(&map), already))
}
