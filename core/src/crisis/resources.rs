//! The profile's installed crisis resource directories: import a signed file, list, remove, and look up the services
//! for a region and language ([`Kindred::crisis_resources`]).

use serde::Serialize;

use super::directory::{self, ResourceDirectory, ResourceLookup};
use crate::error::{Error, Result};
use crate::ids::MemberId;
use crate::kindred::Kindred;
use crate::storage::resources::{self as store, Installed};
use crate::time::now_ms;

/// What importing a directory file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DirectoryImport {
    /// The directory's publisher.
    pub publisher: MemberId,
    /// The file's version.
    pub version: u64,
    /// How many entries the file has.
    pub entries: u32,
    /// Whether the file is now the publisher's installed directory. False when this phone already had the same
    /// file, a newer version, or the same version with a lower content hash: nothing changed.
    pub installed: bool,
    /// Whether it took the place of another file of the same publisher.
    pub replaced: bool,
}

/// An installed directory, as listed.
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
            version: i64::try_from(directory.version).map_err(|_| Error::Internal("directory version".into()))?,
            content_hash: directory.content_hash()?,
            title: directory.title.clone(),
            example: directory.example,
            entry_count: i64::from(count(directory.entries.len())),
        };
        let (installed, replaced) = self.write(|ctx| {
            let current = store::get(ctx.tx, &row.publisher)?;
            let wins = match &current {
                None => true,
                Some(held) => {
                    (row.version, std::cmp::Reverse(row.content_hash))
                        > (held.version, std::cmp::Reverse(held.content_hash))
                }
            };
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

    /// The installed directories, by publisher.
    pub fn resource_directories(&self) -> Result<Vec<DirectorySummary>> {
        let rows = self.read(|tx, _| store::all(tx))?;
        Ok(rows
            .into_iter()
            .map(|r| DirectorySummary {
                publisher: MemberId::from_bytes(r.publisher),
                title: r.title,
                version: u64::try_from(r.version).unwrap_or(0),
                example: r.example,
                entries: u32::try_from(r.entry_count).unwrap_or(0),
            })
            .collect())
    }

    /// Removes the publisher's installed directory; `NotFound` when there is none.
    pub fn remove_resource_directory(&self, publisher: &MemberId) -> Result<()> {
        if self.write(|ctx| store::remove(ctx.tx, publisher.as_bytes()))? {
            Ok(())
        } else {
            Err(Error::not_found("resource directory", publisher))
        }
    }

    /// The crisis services of the installed directories for `region` ("KE" or "KE-30"; `None` for international
    /// ones only) and `language` (its primary subtag counts), best first (see [`ResourceLookup`]). Entries of an
    /// example directory are marked `example`. With nothing installed, or nothing for the region and no
    /// international entry, the answer is [`ResourceMatch::Nothing`](super::ResourceMatch::Nothing): the app shows its
    /// own fallback. Fails with `InvalidInput` for a region that is not an ISO 3166 code.
    pub fn crisis_resources(&self, region: Option<&str>, language: Option<&str>) -> Result<ResourceLookup> {
        lookup_in_files(&self.read(|tx, _| store::files(tx))?, region, language)
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

/// Looks crisis services up in installed directory files. Each file was verified before it was kept; it is checked
/// again, cheaply, rather than trusted from disk. One that no longer passes (damaged on disk, or a rule a later version
/// tightened) is left out rather than failing the lookup: this runs when someone may be in crisis, and the others
/// still help.
pub(crate) fn lookup_in_files(
    files: &[Vec<u8>],
    region: Option<&str>,
    language: Option<&str>,
) -> Result<ResourceLookup> {
    let directories: Vec<ResourceDirectory> =
        files.iter().filter_map(|f| ResourceDirectory::from_file_bytes(f).ok()).collect();
    directory::lookup(&directories, region, language)
}
