//! The crisis resource directory: a signed list of services (a phone line, an SMS or chat service, a walk-in centre)
//! with where and in which languages they help, and the lookup that picks the ones for a person's region and language.
//!
//! A directory is a **signed file**: the magic line `KINDRED-DIRECTORY-1\n`, then the postcard encoding of the
//! directory with the publisher's ed25519 signature over `kindred/resource-directory/v1 || SHA-256(encoding with an
//! empty signature)`, the same shape as a bundle's. The publisher is a member key (a group's owner) or an
//! organisation's key; a file is accepted only whole: size, counts, every text field's length and characters, the
//! shape of every country, subdivision, language and date, and the signature are checked before anything is kept.
//! Any failure is a typed refusal ([`Refusal::Malformed`], [`Refusal::Oversized`], [`Refusal::Forged`]) whose reason
//! names the field and the limit, never a panic.
//!
//! Versions: a phone keeps one directory per publisher, the highest `version`; of two different files with the same
//! publisher and version it keeps the one with the lower [`content hash`](ResourceDirectory::content_hash), so every
//! phone ends with the same one whatever order the files arrived in.
//!
//! Kindred ships an **example** directory ([`example_directory_file`]) for tests and the demo: its title, every entry
//! name and every contact say EXAMPLE, and its contacts cannot be dialled. It is never a real service.

use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Refusal, Result};
use crate::identity::verify_signature;
use crate::ids::MemberId;

const MAGIC: &[u8] = b"KINDRED-DIRECTORY-1\n";
const SIGN_DOMAIN: &[u8] = b"kindred/resource-directory/v1";

/// Largest directory file accepted, in bytes.
pub const MAX_DIRECTORY_BYTES: usize = 256 * 1024;
/// Most entries a directory may have.
pub const MAX_DIRECTORY_ENTRIES: usize = 1_000;
/// Longest directory title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest entry name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest contact (a number, an address, a link), in characters.
pub const MAX_CONTACT_CHARS: usize = 200;
/// Longest opening hours text, in characters.
pub const MAX_HOURS_CHARS: usize = 120;
/// Longest audience text, in characters.
pub const MAX_AUDIENCE_CHARS: usize = 200;
/// Most languages an entry may list.
pub const MAX_ENTRY_LANGUAGES: usize = 16;
/// Largest directory file that may be published into a group, in bytes: it travels as one change of the group
/// document, and changes are at most 64 KiB. Larger directories are imported on each phone instead.
pub const MAX_PUBLISHED_DIRECTORY_BYTES: usize = 48 * 1024;
/// Most directory files (all versions, all publishers) one group document may hold; past it, publications are
/// refused. A publisher updating monthly for five years stays under it; it bounds what a hostile moderator can make
/// every phone keep (128 x 48 KiB).
pub const MAX_GROUP_DIRECTORIES: usize = 128;

/// How a service is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A phone line to call.
    Phone,
    /// A text-message (SMS) line.
    Sms,
    /// An online chat.
    Chat,
    /// A place to go in person.
    WalkIn,
}

/// One service of a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ResourceEntry {
    /// The service's name, one line.
    pub name: String,
    /// How it is reached.
    pub kind: ResourceKind,
    /// The number, address or link, one line.
    pub contact: String,
    /// When it is open ("24/7", "Mon-Fri 08:00-17:00"), one line.
    pub hours: String,
    /// The languages it helps in: lowercase primary language subtags ("en", "sw"), at least one.
    pub languages: Vec<String>,
    /// Where it serves: an ISO 3166-1 alpha-2 code in capitals ("KE"), or "*" for anywhere (international).
    pub country: String,
    /// Optionally a part of the country: an ISO 3166-2 code of that country ("KE-30"). Never with "*".
    pub subdivision: Option<String>,
    /// Whom it is for ("anyone in distress", "young people", "people with cancer and their families"), one line.
    pub audience: String,
    /// When the publisher last checked it works, as YYYY-MM-DD.
    pub last_verified: String,
}

/// A directory of crisis resources, as its publisher signs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDirectory {
    /// The publisher's key, which the file's signature must verify against.
    pub publisher: MemberId,
    /// The publisher's version number: a higher one replaces a lower one. At most `i64::MAX`.
    pub version: u64,
    /// When it was issued, in milliseconds since the Unix epoch by the publisher's clock (informational).
    pub issued_at: i64,
    /// Its title, one line.
    pub title: String,
    /// Whether it is an example (for tests and demos): every entry it gives is marked so and is not a real service.
    pub example: bool,
    /// Its services, in the publisher's order.
    pub entries: Vec<ResourceEntry>,
}

/// The encoding on file.
#[derive(Serialize, Deserialize)]
struct Wire {
    publisher: [u8; 32],
    version: u64,
    issued_at: i64,
    title: String,
    example: bool,
    entries: Vec<ResourceEntry>,
    signature: Vec<u8>,
}

fn malformed(reason: impl Into<String>) -> Error {
    Refusal::Malformed.because(reason)
}

/// One line of text: 1 to `max` characters, trimmed, no control characters (bidirectional controls included).
fn check_line(field: &str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(malformed(format!("a directory's {field} is empty")));
    }
    if text.trim() != text {
        return Err(malformed(format!("a directory's {field} has leading or trailing spaces")));
    }
    let count = text.chars().take(max + 1).count();
    if count > max {
        return Err(malformed(format!("a directory's {field} is longer than {max} characters, the limit")));
    }
    if text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(malformed(format!("a directory's {field} contains a control character")));
    }
    Ok(())
}

/// Bidirectional formatting characters: they could make a contact display as another number than it dials.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// An ISO 3166-2 code of `country`: the country, a hyphen, then 1 to 3 capital letters or digits.
fn is_subdivision_of(code: &str, country: &str) -> bool {
    match code.split_once('-') {
        Some((cc, rest)) => {
            cc == country
                && (1..=3).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
        None => false,
    }
}

fn is_language(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_date(date: &str) -> bool {
    crate::time::parse_day(date).is_some()
        && date.len() == 10
        && date.as_bytes().get(4) == Some(&b'-')
        && date.as_bytes().get(7) == Some(&b'-')
}

impl ResourceEntry {
    fn validate(&self, index: usize) -> Result<()> {
        let field = |name: &str| format!("entry {index}'s {name}");
        check_line(&field("name"), &self.name, MAX_NAME_CHARS)?;
        check_line(&field("contact"), &self.contact, MAX_CONTACT_CHARS)?;
        check_line(&field("hours"), &self.hours, MAX_HOURS_CHARS)?;
        check_line(&field("audience"), &self.audience, MAX_AUDIENCE_CHARS)?;
        if self.languages.is_empty() || self.languages.len() > MAX_ENTRY_LANGUAGES {
            return Err(malformed(format!(
                "a directory's {} must list 1 to {MAX_ENTRY_LANGUAGES}",
                field("languages")
            )));
        }
        if !self.languages.iter().all(|l| is_language(l)) {
            return Err(malformed(format!(
                "a directory's {} must be lowercase primary language subtags (\"en\")",
                field("languages")
            )));
        }
        if self.country != "*" && !is_country(&self.country) {
            return Err(malformed(format!(
                "a directory's {} must be an ISO 3166-1 alpha-2 code in capitals, or \"*\"",
                field("country")
            )));
        }
        if let Some(sub) = &self.subdivision
            && !is_subdivision_of(sub, &self.country)
        {
            return Err(malformed(format!(
                "a directory's {} must be an ISO 3166-2 code of the entry's country (\"KE-30\")",
                field("subdivision")
            )));
        }
        if !is_date(&self.last_verified) {
            return Err(malformed(format!(
                "a directory's {} must be a date as YYYY-MM-DD",
                field("last verified date")
            )));
        }
        Ok(())
    }

    fn serves_language(&self, language: Option<&str>) -> bool {
        language.is_some_and(|l| self.languages.iter().any(|e| e == l))
    }
}

impl ResourceDirectory {
    /// Checks every rule a file must meet (counts, text fields, codes, dates), as parsing does.
    pub fn validate(&self) -> Result<()> {
        if i64::try_from(self.version).is_err() {
            return Err(malformed("a directory's version is over the limit (i64::MAX)"));
        }
        check_line("title", &self.title, MAX_TITLE_CHARS)?;
        if self.entries.len() > MAX_DIRECTORY_ENTRIES {
            return Err(Refusal::Oversized.because(format!(
                "a directory of {} entries (the limit is {MAX_DIRECTORY_ENTRIES})",
                self.entries.len()
            )));
        }
        self.entries.iter().enumerate().try_for_each(|(i, e)| e.validate(i))
    }

    fn wire(&self, signature: Vec<u8>) -> Wire {
        Wire {
            publisher: *self.publisher.as_bytes(),
            version: self.version,
            issued_at: self.issued_at,
            title: self.title.clone(),
            example: self.example,
            entries: self.entries.clone(),
            signature,
        }
    }

    fn unsigned_digest(&self) -> Result<[u8; 32]> {
        let encoded = postcard::to_stdvec(&self.wire(Vec::new()))
            .map_err(|e| Error::internal(format!("encoding a resource directory: {e}")))?;
        Ok(Sha256::digest(&encoded).into())
    }

    /// What the publisher signs: a domain tag and the SHA-256 of the directory's encoding with an empty signature.
    pub fn signed_bytes(&self) -> Result<Vec<u8>> {
        let mut out = SIGN_DOMAIN.to_vec();
        out.extend_from_slice(&self.unsigned_digest()?);
        Ok(out)
    }

    /// The directory's content hash: the SHA-256 of its encoding without the signature. Of two different files with
    /// the same publisher and version, every phone keeps the one with the lower hash.
    pub fn content_hash(&self) -> Result<[u8; 32]> {
        self.unsigned_digest()
    }

    /// Signs the directory with `key` and returns the file bytes. `key` must be the publisher's: its public half is
    /// [`ResourceDirectory::publisher`]. For organisations' tools, tests and the example file; a profile signs with
    /// its own member key through [`Kindred::sign_resource_directory`](crate::Kindred::sign_resource_directory).
    /// Fails with the refusal a phone would give for a directory that breaks a rule.
    pub fn sign(&self, key: &SigningKey) -> Result<Vec<u8>> {
        if key.verifying_key().to_bytes() != *self.publisher.as_bytes() {
            return Err(Error::invalid("signing key", "is not the directory's publisher"));
        }
        self.sign_with(|message| key.sign(message).to_bytes())
    }

    /// Validates, signs with `sign` (the publisher's signature over its argument) and encodes the file.
    pub(crate) fn sign_with(&self, sign: impl FnOnce(&[u8]) -> [u8; 64]) -> Result<Vec<u8>> {
        self.validate()?;
        let signature = sign(&self.signed_bytes()?).to_vec();
        let encoded = postcard::to_stdvec(&self.wire(signature))
            .map_err(|e| Error::internal(format!("encoding a resource directory: {e}")))?;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&encoded);
        if out.len() > MAX_DIRECTORY_BYTES {
            return Err(Refusal::Oversized
                .because(format!("a directory file of {} bytes (the limit is {MAX_DIRECTORY_BYTES})", out.len())));
        }
        Ok(out)
    }

    /// Parses a directory file and checks it whole: size, shape, every field, and the publisher's signature.
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_DIRECTORY_BYTES {
            return Err(Refusal::Oversized
                .because(format!("a directory file of {} bytes (the limit is {MAX_DIRECTORY_BYTES})", bytes.len())));
        }
        let body = bytes.strip_prefix(MAGIC).ok_or_else(|| malformed("not a Kindred resource directory"))?;
        let (wire, rest): (Wire, &[u8]) = postcard::take_from_bytes(body)
            .map_err(|_| malformed("a damaged resource directory (it does not parse)"))?;
        if !rest.is_empty() {
            return Err(malformed("a resource directory with bytes after its end"));
        }
        let directory = ResourceDirectory {
            publisher: MemberId::from_bytes(wire.publisher),
            version: wire.version,
            issued_at: wire.issued_at,
            title: wire.title,
            example: wire.example,
            entries: wire.entries,
        };
        directory.validate()?;
        verify_signature(&directory.publisher, &directory.signed_bytes()?, &wire.signature)
            .map_err(|_| Refusal::Forged.because("a resource directory whose signature does not match its content"))?;
        Ok(directory)
    }
}

/// Checks a directory file published into a group under `key` (as the group document holds it): at most
/// [`MAX_PUBLISHED_DIRECTORY_BYTES`], a valid signed directory, and `key` its content hash in hex. The one check the
/// door and the trust rules' replay share (a local publication, which parses the file first, checks its size with
/// [`check_published_size`]).
pub(crate) fn published_file(key: &str, bytes: &[u8]) -> Result<(ResourceDirectory, [u8; 32])> {
    check_published_size(bytes.len())?;
    let directory = ResourceDirectory::from_file_bytes(bytes)?;
    let hash = directory.content_hash()?;
    if hex::encode(hash) != key {
        return Err(malformed("a published directory kept under another content hash"));
    }
    Ok((directory, hash))
}

/// A directory file of `len` bytes may be published into a group: at most [`MAX_PUBLISHED_DIRECTORY_BYTES`].
pub(crate) fn check_published_size(len: usize) -> Result<()> {
    if len > MAX_PUBLISHED_DIRECTORY_BYTES {
        return Err(Refusal::Oversized.because(format!(
            "a directory of {len} bytes published into a group (the limit is {MAX_PUBLISHED_DIRECTORY_BYTES})"
        )));
    }
    Ok(())
}

/// Whether a directory with `(version, hash)` takes the place of one with `held`: a higher version, or the same
/// version and a lower content hash. The one rule every phone applies, to imported and published files alike.
pub(crate) fn supersedes(candidate: (u64, [u8; 32]), held: (u64, [u8; 32])) -> bool {
    (candidate.0, std::cmp::Reverse(candidate.1)) > (held.0, std::cmp::Reverse(held.1))
}

/// How close to the person's region the entries of a [`ResourceLookup`] are: the best level any entry matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ResourceMatch {
    /// Services for the person's subdivision (and, after them, their country and international ones).
    Subdivision,
    /// Services for the person's country (and international ones after them), none for their subdivision.
    Country,
    /// Only international services: nothing for the person's region (or no region given).
    International,
    /// Nothing: no installed directory has a service for the region or an international one. The app shows its
    /// own fallback (emergency services); Kindred never invents a number.
    Nothing,
}

/// A service found by a lookup, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FoundResource {
    /// The service, as its directory gives it.
    pub entry: ResourceEntry,
    /// The directory's publisher.
    pub publisher: MemberId,
    /// True when it comes from an example directory: **not a real service**; the app must show it as an example.
    pub example: bool,
    /// Whether it serves the person's language.
    pub in_language: bool,
}

/// The services for a region and language, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ResourceLookup {
    /// Subdivision entries, then country-wide ones (then, with only a country given, the country's subdivision
    /// ones), then international ones; within each level those in the person's language first. Real directories'
    /// entries come before example ones at every level.
    pub entries: Vec<FoundResource>,
    /// The best level matched; [`ResourceMatch::Nothing`] when `entries` is empty.
    pub matched: ResourceMatch,
}

/// A region as the app gives it: "KE" or "KE-30" (any case), parsed to a country and an optional subdivision.
pub(crate) fn parse_region(region: &str) -> Result<(String, Option<String>)> {
    let region = region.trim().to_ascii_uppercase();
    let country: String = region.chars().take(2).collect();
    let bad = || Error::invalid("region", "must be an ISO 3166 code such as \"KE\" or \"KE-30\"");
    if !is_country(&country) {
        return Err(bad());
    }
    if region.len() == 2 {
        return Ok((country, None));
    }
    if is_subdivision_of(&region, &country) { Ok((country, Some(region))) } else { Err(bad()) }
}

/// The primary subtag of a language tag, lowercase ("es-MX" gives "es"); `None` for a blank one.
pub(crate) fn primary_language(language: Option<&str>) -> Option<String> {
    let primary = language?.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (!primary.is_empty()).then_some(primary)
}

/// Picks the entries of `directories` for `region` and `language` (see [`ResourceLookup`]). Fails only on a region
/// that is not an ISO 3166 code.
pub fn lookup(
    directories: &[ResourceDirectory],
    region: Option<&str>,
    language: Option<&str>,
) -> Result<ResourceLookup> {
    let region = region.map(str::trim).filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    let language = primary_language(language);
    // Real directories first, then by publisher, so the order is the same on every phone.
    let mut order: Vec<&ResourceDirectory> = directories.iter().collect();
    crate::sorting::sort_by_bytes_key(&mut order, |d| *d.publisher.as_bytes());
    crate::sorting::sort_by_u64_key(&mut order, |d| u64::from(d.example));

    // Level 0: the subdivision; 1: country-wide; 2: other parts of the country (only when no subdivision is given);
    // 3: international.
    let level = |entry: &ResourceEntry| -> Option<u8> {
        if entry.country == "*" {
            return Some(3);
        }
        let (country, subdivision) = region.as_ref()?;
        if entry.country != *country {
            return None;
        }
        match (&entry.subdivision, subdivision) {
            (None, _) => Some(1),
            (Some(e), Some(s)) if e == s => Some(0),
            (Some(_), Some(_)) => None,
            (Some(_), None) => Some(2),
        }
    };
    let mut found: Vec<(u8, bool, FoundResource)> = Vec::new();
    for directory in order {
        for entry in &directory.entries {
            if let Some(level) = level(entry) {
                let in_language = entry.serves_language(language.as_deref());
                found.push((
                    level,
                    in_language,
                    FoundResource {
                        entry: entry.clone(),
                        publisher: directory.publisher,
                        example: directory.example,
                        in_language,
                    },
                ));
            }
        }
    }
    // Stable: within a level and language, directory order and then the publisher's order.
    crate::sorting::sort_by_u64_key(&mut found, |(level, in_language, _)| {
        (u64::from(*level) << 1) | u64::from(!*in_language)
    });
    let matched = match found.first().map(|(level, _, _)| *level) {
        None => ResourceMatch::Nothing,
        Some(0) => ResourceMatch::Subdivision,
        Some(1 | 2) => ResourceMatch::Country,
        Some(_) => ResourceMatch::International,
    };
    Ok(ResourceLookup { entries: found.into_iter().map(|(_, _, f)| f).collect(), matched })
}

/// The example directory's file, committed and signed: for tests and the demo only. Its title is
/// "EXAMPLE DIRECTORY — not real services", every entry's name starts with "EXAMPLE" and no contact can be dialled.
pub fn example_directory_file() -> &'static [u8] {
    include_bytes!("example-directory.bin")
}

/// The seed of the example directory's key (public in the source: anyone can sign as it, which is fine for an
/// example and is why its entries are marked and never real).
#[cfg(test)]
const EXAMPLE_SEED: [u8; 32] = *b"kindred example directory key!!!";

/// The example directory, freshly built (the committed file must equal its signed bytes).
#[cfg(test)]
fn example_directory() -> ResourceDirectory {
    let entry = |name: &str, kind, contact: &str, languages: &[&str], country: &str, sub: Option<&str>| ResourceEntry {
        name: name.to_owned(),
        kind,
        contact: contact.to_owned(),
        hours: "EXAMPLE hours: 24/7".to_owned(),
        languages: languages.iter().map(|l| (*l).to_owned()).collect(),
        country: country.to_owned(),
        subdivision: sub.map(str::to_owned),
        audience: "EXAMPLE audience: anyone (not a real service)".to_owned(),
        last_verified: "2026-01-01".to_owned(),
    };
    use ResourceKind::*;
    ResourceDirectory {
        publisher: MemberId::from_bytes(SigningKey::from_bytes(&EXAMPLE_SEED).verifying_key().to_bytes()),
        version: 1,
        issued_at: 1_767_225_600_000,
        title: "EXAMPLE DIRECTORY — not real services".to_owned(),
        example: true,
        entries: vec![
            entry(
                "EXAMPLE Nairobi walk-in centre",
                WalkIn,
                "EXAMPLE address, not real",
                &["sw", "en"],
                "KE",
                Some("KE-30"),
            ),
            entry("EXAMPLE Kenya phone line", Phone, "000-000-EXAMPLE", &["sw", "en"], "KE", None),
            entry("EXAMPLE Kenya SMS line", Sms, "00000-EXAMPLE", &["sw"], "KE", None),
            entry("EXAMPLE Mexico phone line", Phone, "000-000-EXAMPLE", &["es"], "MX", None),
            entry("EXAMPLE Jalisco chat", Chat, "example.invalid/chat", &["es"], "MX", Some("MX-JAL")),
            entry("EXAMPLE international chat", Chat, "example.invalid/chat", &["en", "es"], "*", None),
        ],
    }
}

#[cfg(test)]
mod tests;
