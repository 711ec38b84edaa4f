//! The crisis resource directories a profile holds: those it imported (a signed file an app ships, or a publisher's)
//! and those in effect in its groups ([`super::publish`]); listing, removing an import, and looking up the services
//! for a region and language ([`Kindred::crisis_resources`]). Wherever a publisher's files came from, its highest
//! version counts (equal versions: the lower content hash), so every phone holding the same files shows the same.

use serde::Serialize;

use super::directory::{self, ResourceDirectory, ResourceLookup};
use crate::error::{Error, Result};
use crate::ids::{GroupId, MemberId};
use crate::kindred::Kindred;
use crate::storage::resources::{self as store, Installed};
use crate::time::now_ms;

/// What importing a directory file, or publishing it into a group, did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DirectoryImport {
    /// The directory's publisher.
    pub publisher: MemberId,
    /// The file's version.
    pub version: u64,
    /// How many entries the file has.
    pub entries: u32,
    /// Whether the file is now the publisher's directory (on this phone for an import, in the group for a
    /// publication). False when there already was the same file, a newer version, or the same version with a lower
    /// content hash: nothing changed.
    pub installed: bool,
    /// Whether it took the place of another file of the same publisher.
    pub replaced: bool,
}

/// A publisher's directory as the profile uses it (its best file, wherever it came from), as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DirectorySummary {
    /// Its publisher.
    pub publisher: MemberId,
    /// Its title.
    pub title: String,
    /// Its version.
    pub version: u64,
    /// Whether it is an example (not real services).
    pub example: bool,
    /// How many entries it has.
    pub entries: u32,
    /// Whether this phone holds an imported file of the publisher (which [`Kindred::remove_resource_directory`]
    /// removes).
    pub imported: bool,
    /// The groups in which a file of the publisher is in effect (published by their owner or moderators).
    pub groups: Vec<GroupId>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Kindred {
    /// Imports a signed resource directory file (one an app ships, or a publisher's). It is checked whole first
    /// (see [`ResourceDirectory::from_file_bytes`]): a forged, damaged or oversized file is refused and nothing is
    /// kept. A newer version replaces the publisher's installed one; an older or the same version changes nothing,
    /// and of two different files with the same version the one with the lower content hash stays, so every phone
    /// keeps the same one.
    pub fn import_resource_directory(&self, bytes: &[u8]) -> Result<DirectoryImport> {
        let directory = ResourceDirectory::from_file_bytes(bytes)?;
        let row = Installed {
            publisher: *directory.publisher.as_bytes(),
            // `from_file_bytes` refuses versions past i64::MAX.
            version: i64::try_from(directory.version).map_err(|_| Error::internal("directory version"))?,
            content_hash: directory.content_hash()?,
            title: directory.title.clone(),
            example: directory.example,
            entry_count: i64::from(count(directory.entries.len())),
        };
        let (installed, replaced) = self.write(|ctx| {
            let current = store::get(ctx.tx, &row.publisher)?;
            let wins = current.as_ref().is_none_or(|held| {
                directory::supersedes(
                    (directory.version, row.content_hash),
                    (version_of(held.version), held.content_hash),
                )
            });
            if wins {
                store::put(ctx.tx, &row, directory.issued_at, bytes, now_ms())?;
            }
            Ok((wins, wins && current.is_some()))
        })?;
        Ok(DirectoryImport {
            publisher: directory.publisher,
            version: directory.version,
            entries: count(directory.entries.len()),
            installed,
            replaced,
        })
    }

    /// Every publisher's directory the profile uses, imported or published in a group, by publisher: its best file
    /// (see [`Kindred::crisis_resources`]), with where the publisher's files came from.
    pub fn resource_directories(&self) -> Result<Vec<DirectorySummary>> {
        let held = self.read(|tx, _| held_files(tx))?;
        Ok(best_per_publisher(&held)
            .into_iter()
            .map(|(d, _)| DirectorySummary {
                publisher: d.publisher,
                title: d.title.clone(),
                version: d.version,
                example: d.example,
                entries: count(d.entries.len()),
                imported: held.iter().any(|f| f.group.is_none() && f.publisher() == Some(d.publisher)),
                groups: held.iter().filter(|f| f.publisher() == Some(d.publisher)).filter_map(|f| f.group).collect(),
            })
            .collect())
    }

    /// Removes the publisher's imported directory; `NotFound` when there is none. A directory published in a group
    /// stays while the group's owner trusts its publisher.
    pub fn remove_resource_directory(&self, publisher: &MemberId) -> Result<()> {
        if self.write(|ctx| store::remove(ctx.tx, publisher.as_bytes()))? {
            Ok(())
        } else {
            Err(Error::not_found("resource directory", publisher))
        }
    }

    /// The crisis services for `region` ("KE" or "KE-30"; `None` for international ones only) and `language` (its
    /// primary subtag counts), best first (see [`ResourceLookup`]), from the directories the profile holds: those it
    /// imported and those in effect in its groups, each publisher's highest version (equal versions: the lower
    /// content hash). Entries of an example directory are marked `example`. With no directory, or nothing for the
    /// region and no international entry, the answer is [`ResourceMatch::Nothing`](super::ResourceMatch::Nothing):
    /// the app shows its own fallback. Fails with `InvalidInput` for a region that is not an ISO 3166 code.
    pub fn crisis_resources(&self, region: Option<&str>, language: Option<&str>) -> Result<ResourceLookup> {
        lookup_in_files(&self.read(|tx, _| held_files(tx))?, region, language)
    }

    /// Sets the person's region for crisis resources: "KE" (an ISO 3166-1 alpha-2 country) or "KE-30" (an ISO
    /// 3166-2 subdivision), any case; `None` clears it. It is stored on this phone only (never in a document, a sync
    /// session or a bundle) and is what [`Kindred::check_draft`] looks resources up for. Returns the region as
    /// stored ("KE-30"). Fails with `InvalidInput` for anything else.
    pub fn set_region(&self, region: Option<&str>) -> Result<Option<String>> {
        let region = region
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| directory::parse_region(r).map(|(country, sub)| sub.unwrap_or(country)))
            .transpose()?;
        self.write(|ctx| crate::storage::profile::set_region(ctx.tx, region.as_deref()))?;
        Ok(region)
    }

    /// The person's region for crisis resources, if set ([`Kindred::set_region`]).
    pub fn region(&self) -> Result<Option<String>> {
        self.read(|tx, _| crate::storage::profile::region(tx))
    }

    /// Signs `directory` with this profile's member key and returns the file: the profile is the publisher
    /// (`directory.publisher` must be its member id). This is how a group's owner will publish a directory into the
    /// group; an organisation's tools sign with [`ResourceDirectory::sign`].
    pub fn sign_resource_directory(&self, directory: &ResourceDirectory) -> Result<Vec<u8>> {
        self.with_identity(|identity| {
            if directory.publisher != identity.member_id() {
                return Err(Error::invalid("directory publisher", "is not this profile's member id"));
            }
            directory.sign_with(|message| identity.sign(message))
        })
    }
}

#[cfg(test)]
mod tests;

fn version_of(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}

/// A directory file the profile holds: imported (`group` is `None`) or in effect in a group.
pub(crate) struct HeldFile {
    pub group: Option<GroupId>,
    /// The file, checked again (see [`lookup_in_files`]); `None` if it no longer passes.
    parsed: Option<(ResourceDirectory, [u8; 32])>,
}

impl HeldFile {
    fn publisher(&self) -> Option<MemberId> {
        self.parsed.as_ref().map(|(d, _)| d.publisher)
    }
}

/// Every directory file the profile holds, imported and published in its groups, in one read.
pub(crate) fn held_files(tx: &rusqlite::Connection) -> Result<Vec<HeldFile>> {
    let imported = store::files(tx)?.into_iter().map(|file| (None, file));
    let published = store::group_files(tx)?.into_iter().map(|(group, file)| (Some(GroupId::from_bytes(group)), file));
    Ok(imported
        .chain(published)
        .map(|(group, file)| {
            let parsed = ResourceDirectory::from_file_bytes(&file).ok().and_then(|d| Some((d.content_hash().ok()?, d)));
            HeldFile { group, parsed: parsed.map(|(hash, d)| (d, hash)) }
        })
        .collect())
}

/// Each publisher's best file among `held` (highest version; equal versions, the lower content hash), by publisher.
fn best_per_publisher(held: &[HeldFile]) -> Vec<&(ResourceDirectory, [u8; 32])> {
    let mut best: std::collections::BTreeMap<[u8; 32], &(ResourceDirectory, [u8; 32])> = Default::default();
    for parsed in held.iter().filter_map(|f| f.parsed.as_ref()) {
        let (d, hash) = parsed;
        let wins = best
            .get(d.publisher.as_bytes())
            .is_none_or(|(held, held_hash)| directory::supersedes((d.version, *hash), (held.version, *held_hash)));
        if wins {
            best.insert(*d.publisher.as_bytes(), parsed);
        }
    }
    best.into_values().collect()
}

/// Looks crisis services up in the directory files the profile holds, each publisher's best file. Each file was
/// verified before it was kept; it is checked again, cheaply, rather than trusted from disk. One that no longer passes
/// (damaged on disk, or a rule a later version tightened) is left out rather than failing the lookup: this runs when
/// someone may be in crisis, and the others still help.
pub(crate) fn lookup_in_files(
    held: &[HeldFile],
    region: Option<&str>,
    language: Option<&str>,
) -> Result<ResourceLookup> {
    let directories: Vec<ResourceDirectory> = best_per_publisher(held).into_iter().map(|(d, _)| d.clone()).collect();
    directory::lookup(&directories, region, language)
}
