//! Profiles on one phone: a vault folder of encrypted profiles, each opened by its own passphrase or app key.
//!
//! Each profile has a random 32-byte database key ([`DbKey`]) that encrypts every page of its database
//! (`crate::storage`). The key is kept only wrapped: sealed with ChaCha20-Poly1305 under a key derived from the
//! profile's secret. A secret is either a passphrase, stretched with Argon2id (parameters in [`ARGON2_MEMORY_KIB`]
//! and beside it) and the vault's random salt, or a 32-byte key the app keeps in Android Keystore or iOS Keychain.
//! From the stretched secret come two values (keyed BLAKE2s): the name of the profile's folder and the wrapping key.
//! So a secret finds its own profile directly, nothing on disk names a profile's secret, and changing a passphrase
//! rewraps the key and renames the folder without touching the data.
//!
//! Layout of a vault folder: `salt` (16 random bytes, made with the first profile), `listed` (the profiles the app
//! chose to list, one line each: folder, tab, label) and one folder per profile named by 32 hex digits, holding `k`
//! (the wrapped key, 60 bytes that look random) and `d` (the encrypted database and its `-wal`/`-shm`). A hidden
//! profile is simply one that is not listed: its folder looks like every other. A duress passphrase opens a decoy: an ordinary, empty profile with the real
//! one's display name. A wipe overwrites and removes the wrapped key first (the data is unreadable from then on,
//! crypto-shredding), then deletes the files.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use blake2::Blake2sMac256;
use blake2::digest::Mac as _;
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};
use crate::files::{sync_dir, write_new, write_synced};
use crate::kindred::Kindred;
use crate::storage::DbKey;

/// Argon2id memory cost, in KiB (19 MiB), with [`ARGON2_PASSES`] passes and one lane: the OWASP baseline for
/// Argon2id, sized for 1-2 GB phones (about 0.1 s on a laptop core, under a second on a low-cost phone).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// Argon2id passes over memory.
pub const ARGON2_PASSES: u32 = 2;

/// The vault's salt for passphrases.
const SALT_FILE: &str = "salt";
/// The listed profiles, as the app named them.
const LISTED_FILE: &str = "listed";
/// A profile's wrapped database key, inside its folder.
const KEY_FILE: &str = "k";
/// A new wrapped key being put in place by a passphrase change (see [`Profiles::change_secret`]).
const NEW_KEY_FILE: &str = "k.new";
/// A profile's database, inside its folder.
const DB_FILE: &str = "d";
/// Bound to every wrapped key, so a key file of another format or purpose never unwraps.
const KEY_AAD: &[u8] = b"kindred profile key v1";
const NONCE_LEN: usize = 12;
const WRAPPED_LEN: usize = NONCE_LEN + 32 + 16;
/// Shortest passphrase accepted.
const MIN_PASSPHRASE_CHARS: usize = 6;
/// Longest label an app may list a profile under.
const MAX_LABEL_CHARS: usize = 60;

/// What opens a profile: a passphrase the person types, or a key the app keeps in the phone's key store.
#[derive(Clone)]
pub enum Secret {
    /// A passphrase (at least 6 characters), stretched with Argon2id.
    Passphrase(String),
    /// A 32-byte key from Android Keystore or iOS Keychain (random, so it is used without stretching).
    Key(Vec<u8>),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Secret::Passphrase(_) => "Secret::Passphrase(..)",
            Secret::Key(_) => "Secret::Key(..)",
        })
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        match self {
            Secret::Passphrase(text) => text.zeroize(),
            Secret::Key(key) => key.zeroize(),
        }
    }
}

/// A profile the app chose to list, under the label it gave.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListedProfile {
    /// The profile's folder name in the vault (32 hex digits; derived from its secret, reveals nothing of it).
    pub id: String,
    /// The app's label for it.
    pub label: String,
}

/// A vault folder of encrypted profiles.
#[derive(Debug, Clone)]
pub struct Profiles {
    root: PathBuf,
}

/// A secret worked out for this vault: where its profile lives and the key that wraps the profile's key.
struct Derived {
    id: String,
    wrap: Zeroizing<[u8; 32]>,
}

impl Profiles {
    /// The vault in folder `root`. Nothing is written until a profile is made in it (the folder and its salt come
    /// with the first), so opening with a wrong secret leaves even an empty or missing folder as it was.
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        Ok(Profiles { root: root.as_ref().to_owned() })
    }

    /// Makes the folder and its salt if they are missing (a new vault, or one emptied by [`Profiles::wipe_all`]).
    fn ensure_salt(&self) -> Result<()> {
        let root = &self.root;
        fs::create_dir_all(root).map_err(|source| Error::io(root.clone(), source))?;
        let salt = root.join(SALT_FILE);
        if salt.exists() {
            return Ok(());
        }
        let mut bytes = [0u8; 16];
        rand::fill(&mut bytes);
        // Written once and never replaced, so two first starts agree on one salt.
        match write_new(&salt, &bytes) {
            Err(e) if matches!(e.kind(), ErrorKind::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists) => {
                Ok(())
            }
            other => other,
        }
    }

    /// The vault's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The profiles the app listed (hidden ones never appear), in the order they were listed; none in a folder
    /// that is not a vault yet.
    pub fn list(&self) -> Result<Vec<ListedProfile>> {
        Ok(self.listed()?.into_iter().filter(|p| self.root.join(&p.id).join(KEY_FILE).exists()).collect())
    }

    /// Creates a profile opened by `secret`, listed under `label` or hidden (`None`). `InvalidInput` if a profile
    /// already opens with this secret, or for a passphrase under 6 characters or a key that is not 32 bytes.
    pub fn create(&self, secret: &Secret, display_name: &str, label: Option<&str>) -> Result<Kindred> {
        self.install(secret, label, &|temp, key| {
            drop(Kindred::create_in(temp, DB_FILE, Some(key), false, display_name)?);
            Ok(())
        })
    }

    /// Moves the unencrypted profile in `plain_dir` (from [`Kindred::create`], or from a version of Kindred before
    /// encryption at rest) into the vault, encrypted, opened by `secret` from now on; listed under `label` or hidden.
    /// Its database files in `plain_dir` are deleted once the encrypted copy opens. (A phone's flash may keep the
    /// old blocks of a deleted file until they are reused: a profile kept encrypted from the start never had any.)
    pub fn adopt(&self, plain_dir: &Path, secret: &Secret, label: Option<&str>) -> Result<Kindred> {
        // Opening checks the profile and brings its schema up to date; closing it makes the file complete.
        drop(Kindred::open(plain_dir)?);
        let kindred = self.install(secret, label, &|temp, key| {
            crate::storage::encrypt_copy(&plain_dir.join(crate::storage::DATABASE_FILE), &temp.join(DB_FILE), key)?;
            drop(Kindred::open_in(temp, DB_FILE, Some(key), false)?);
            Ok(())
        })?;
        Kindred::open(plain_dir)?.wipe()?;
        Ok(kindred)
    }

    /// Makes a new profile opened by `secret`: a fresh key, wrapped, and a database `fill` writes under it, built in
    /// a temporary folder renamed into place when complete (a crash leaves no half profile behind); then listed under
    /// `label` (or hidden) and opened. `InvalidInput` if `secret` already opens a profile.
    fn install(
        &self,
        secret: &Secret,
        label: Option<&str>,
        fill: &dyn Fn(&Path, &DbKey) -> Result<()>,
    ) -> Result<Kindred> {
        let label = label.map(check_label).transpose()?;
        self.ensure_salt()?;
        let derived = self.derive(secret)?;
        let dir = self.root.join(&derived.id);
        if dir.exists() {
            return Err(Error::invalid("passphrase", "already opens a profile on this phone"));
        }
        let mut suffix = [0u8; 6];
        rand::fill(&mut suffix);
        let temp = self.root.join(format!(".creating-{}", hex::encode(suffix)));
        let key = DbKey::random();
        let built = (|| -> Result<()> {
            fs::create_dir(&temp).map_err(|source| Error::io(temp.clone(), source))?;
            write_synced(&temp.join(KEY_FILE), &wrap(&derived.wrap, &key))?;
            fill(&temp, &key)?;
            fs::rename(&temp, &dir).map_err(|source| Error::io(dir.clone(), source))
        })();
        if let Err(e) = built {
            let _ = remove_folder(&temp);
            return Err(e);
        }
        sync_dir(&self.root);
        if let Some(label) = label {
            self.set_listed(&derived.id, Some(label))?;
        }
        Kindred::open_in(&dir, DB_FILE, Some(&key), true)
    }

    /// Opens the profile `secret` opens: [`ErrorKind::WrongPassphrase`] if none does. Nothing is written either way.
    pub fn open(&self, secret: &Secret) -> Result<Kindred> {
        let derived = self.derive(secret)?;
        let dir = self.root.join(&derived.id);
        let key = self.unwrap_key(&dir, &derived)?;
        match Kindred::open_in(&dir, DB_FILE, Some(&key), true) {
            // The wrapped key proved the key right, so a database it does not open is damaged.
            Err(e) if matches!(e.kind(), ErrorKind::WrongPassphrase) => Err(ErrorKind::CorruptDatabase {
                path: dir.join(DB_FILE),
                detail: "the database does not open with its own key".into(),
            }
            .into()),
            other => other,
        }
    }

    /// The id (folder name) of the profile `secret` opens, without opening it: [`ErrorKind::WrongPassphrase`] if none.
    pub fn find(&self, secret: &Secret) -> Result<String> {
        let derived = self.derive(secret)?;
        self.unwrap_key(&self.root.join(&derived.id), &derived)?;
        Ok(derived.id.clone())
    }

    /// Lists the profile `secret` opens under `label`, or hides it (`None`): it then appears in no listing.
    pub fn set_listed_as(&self, secret: &Secret, label: Option<&str>) -> Result<()> {
        let label = label.map(check_label).transpose()?;
        let id = self.find(secret)?;
        self.set_listed(&id, label)
    }

    /// Changes the secret that opens a profile: its key is wrapped anew and its folder renamed, the data is not
    /// rewritten. The profile must not be open meanwhile. [`ErrorKind::WrongPassphrase`] if `old` opens nothing;
    /// `InvalidInput` if `new` already opens a profile.
    pub fn change_secret(&self, old: &Secret, new: &Secret) -> Result<()> {
        let from = self.derive(old)?;
        let old_dir = self.root.join(&from.id);
        let key = self.unwrap_key(&old_dir, &from)?;
        let to = self.derive(new)?;
        let new_dir = self.root.join(&to.id);
        if new_dir.exists() {
            return Err(Error::invalid("new passphrase", "already opens a profile on this phone"));
        }
        // The new wrapping goes in beside the old, then the folder moves, then the new wrapping replaces the old:
        // cut short anywhere, the profile opens with one of the two secrets (see `unwrap_key`).
        write_synced(&old_dir.join(NEW_KEY_FILE), &wrap(&to.wrap, &key))?;
        fs::rename(&old_dir, &new_dir).map_err(|source| Error::io(new_dir.clone(), source))?;
        sync_dir(&self.root);
        let listed = self.listed()?;
        if let Some(entry) = listed.iter().find(|p| p.id == from.id) {
            let label = entry.label.clone();
            self.set_listed(&from.id, None)?;
            self.set_listed(&to.id, Some(label))?;
        }
        self.finish_rewrap(&new_dir)
    }

    /// Sets up a duress passphrase for the profile `real` opens: typed instead of the real one, it opens a decoy,
    /// an ordinary-looking empty profile with the real one's display name. The decoy is not listed; the real
    /// profile is untouched and nothing on disk links the two.
    pub fn set_duress(&self, real: &Secret, duress: &Secret) -> Result<()> {
        let name = self.open(real)?.profile().display_name;
        drop(self.create(duress, &name, None)?);
        Ok(())
    }

    /// Panic wipe of the profile `secret` opens (see [`Kindred::wipe`]).
    pub fn wipe(&self, secret: &Secret) -> Result<()> {
        let dir = self.root.join(self.find(secret)?);
        shred_keys(&dir)?;
        remove_wiped(&dir)
    }

    /// Panic wipe of the whole vault: every profile's wrapped key is destroyed first (listed and hidden alike),
    /// then every file of the vault, its salt and listing included (a later `create` makes a new salt). Profiles open
    /// elsewhere in the app should be wiped through their handles ([`Kindred::wipe`]) or closed.
    pub fn wipe_all(&self) -> Result<()> {
        let entries: Vec<PathBuf> = match fs::read_dir(&self.root) {
            Ok(entries) => entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => return Err(Error::io(self.root.clone(), source)),
        };
        for dir in entries.iter().filter(|p| p.is_dir()) {
            shred_keys(dir)?;
        }
        for path in &entries {
            let removed = if path.is_dir() { remove_folder(path) } else { fs::remove_file(path) };
            removed.map_err(|source| Error::io(path.clone(), source))?;
        }
        Ok(())
    }

    fn derive(&self, secret: &Secret) -> Result<Derived> {
        let stretched: Zeroizing<[u8; 32]> = match secret {
            Secret::Passphrase(text) => {
                if text.chars().count() < MIN_PASSPHRASE_CHARS {
                    return Err(Error::invalid("passphrase", "must be at least 6 characters"));
                }
                let salt = match fs::read(self.root.join(SALT_FILE)) {
                    Ok(salt) => salt,
                    // Without its salt no passphrase opens anything here (a vault wiped whole, or never made).
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ErrorKind::WrongPassphrase.into()),
                    Err(source) => return Err(Error::io(self.root.join(SALT_FILE), source)),
                };
                let params = argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, Some(32))
                    .map_err(|_| Error::internal("Argon2 parameters"))?;
                let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
                let mut out = Zeroizing::new([0u8; 32]);
                argon
                    .hash_password_into(text.as_bytes(), &salt, out.as_mut())
                    .map_err(|_| Error::internal("the vault's salt is unusable"))?;
                out
            }
            Secret::Key(key) => {
                let key: [u8; 32] = key.as_slice().try_into().map_err(|_| Error::invalid("key", "must be 32 bytes"))?;
                Zeroizing::new(key)
            }
        };
        let id = prf(stretched.as_slice(), b"kindred profile folder");
        let wrap = Zeroizing::new(prf(stretched.as_slice(), b"kindred profile wrapping key"));
        Ok(Derived { id: hex::encode(&id[..16]), wrap })
    }

    /// The profile's database key, unwrapped from its key file (or from a new one a passphrase change left).
    fn unwrap_key(&self, dir: &Path, derived: &Derived) -> Result<DbKey> {
        for name in [KEY_FILE, NEW_KEY_FILE] {
            let Ok(wrapped) = fs::read(dir.join(name)) else { continue };
            if let Some(key) = unwrap(&derived.wrap, &wrapped) {
                if name == NEW_KEY_FILE {
                    self.finish_rewrap(dir)?;
                }
                return Ok(key);
            }
        }
        Err(ErrorKind::WrongPassphrase.into())
    }

    /// Puts a new wrapped key in place of the old one (the last step of a passphrase change).
    fn finish_rewrap(&self, dir: &Path) -> Result<()> {
        let old = dir.join(KEY_FILE);
        if old.exists() {
            destroy_key(&old)?;
        }
        fs::rename(dir.join(NEW_KEY_FILE), &old).map_err(|source| Error::io(old, source))?;
        sync_dir(dir);
        Ok(())
    }

    fn listed(&self) -> Result<Vec<ListedProfile>> {
        let path = self.root.join(LISTED_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(Error::io(path, source)),
        };
        text.lines()
            .map(|line| match line.split_once('\t') {
                Some((id, label)) => Ok(ListedProfile { id: id.to_owned(), label: label.to_owned() }),
                None => Err(ErrorKind::CorruptDatabase {
                    path: path.clone(),
                    detail: "a line of the list has no tab".into(),
                }
                .into()),
            })
            .collect()
    }

    fn set_listed(&self, id: &str, label: Option<String>) -> Result<()> {
        let mut listed = self.listed()?;
        listed.retain(|p| p.id != id);
        if let Some(label) = label {
            listed.push(ListedProfile { id: id.to_owned(), label });
        }
        let bytes: String = listed.iter().map(|p| format!("{}\t{}\n", p.id, p.label)).collect();
        let path = self.root.join(LISTED_FILE);
        let temp = self.root.join(format!(".{LISTED_FILE}.new"));
        write_synced(&temp, bytes.as_bytes())?;
        fs::rename(&temp, &path).map_err(|source| Error::io(path, source))?;
        sync_dir(&self.root);
        Ok(())
    }
}

/// Destroys every wrapped key a profile's folder holds (its key, and a new wrapping a passphrase change cut short left
/// beside it): the first step of every wipe.
pub(crate) fn shred_keys(dir: &Path) -> Result<()> {
    for name in [KEY_FILE, NEW_KEY_FILE] {
        let key = dir.join(name);
        if key.exists() {
            destroy_key(&key)?;
        }
    }
    Ok(())
}

/// Overwrites a wrapped key with random bytes, makes that reach the disk, and removes the file: from then on the
/// database it wrapped cannot be read by anyone, whatever is left of its files.
fn destroy_key(path: &Path) -> Result<()> {
    let mut noise = [0u8; WRAPPED_LEN];
    rand::fill(&mut noise);
    let mut file =
        fs::OpenOptions::new().write(true).open(path).map_err(|source| Error::io(path.to_owned(), source))?;
    file.write_all(&noise).and_then(|()| file.sync_all()).map_err(|source| Error::io(path.to_owned(), source))?;
    drop(file);
    fs::remove_file(path).map_err(|source| Error::io(path.to_owned(), source))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir);
    }
    Ok(())
}

/// The rest of a wipe, once the keys are destroyed: the profile's folder goes, then its line of the vault's listing,
/// so no label of it is left behind; when it was the vault's last profile, the vault's own files (salt, listing) go
/// too, so nothing at all is left.
pub(crate) fn remove_wiped(dir: &Path) -> Result<()> {
    remove_folder(dir).map_err(|source| Error::io(dir.to_owned(), source))?;
    let (Some(root), Some(id)) = (dir.parent(), dir.file_name().and_then(|n| n.to_str())) else { return Ok(()) };
    let vault = Profiles { root: root.to_owned() };
    let others = fs::read_dir(root).map_err(|source| Error::io(root.to_owned(), source))?;
    if others.filter_map(|e| e.ok()).any(|e| e.path().is_dir()) {
        return if root.join(LISTED_FILE).exists() { vault.set_listed(id, None) } else { Ok(()) };
    }
    for name in [LISTED_FILE, SALT_FILE] {
        match fs::remove_file(root.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(root.join(name), e));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Removes a profile's folder and the files in it (a profile's folder holds files only; `fs::remove_dir_all`'s walk
/// of any tree costs the phone library a few KB more).
fn remove_folder(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        fs::remove_file(entry?.path())?;
    }
    fs::remove_dir(dir)
}

fn check_label(label: &str) -> Result<String> {
    let label = label.trim();
    if label.chars().any(char::is_control) {
        return Err(Error::invalid("label", "must be one line"));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(Error::invalid("label", format!("is longer than {MAX_LABEL_CHARS} characters")));
    }
    Ok(label.to_owned())
}

/// Keyed BLAKE2s of `label`: a pseudo-random function of the stretched secret, one output per purpose.
pub(crate) fn prf(key: &[u8], label: &[u8]) -> [u8; 32] {
    let Ok(mut mac) = <Blake2sMac256 as KeyInit>::new_from_slice(key) else {
        // BLAKE2s takes keys of up to 32 bytes: this key always fits.
        return [0u8; 32];
    };
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn wrap(wrapping: &[u8; 32], key: &DbKey) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::fill(&mut nonce);
    let cipher = ChaCha20Poly1305::new(wrapping.into());
    let sealed = cipher.encrypt(&nonce.into(), Payload { msg: &key.0, aad: KEY_AAD }).unwrap_or_default();
    [nonce.as_slice(), &sealed].concat()
}

fn unwrap(wrapping: &[u8; 32], wrapped: &[u8]) -> Option<DbKey> {
    if wrapped.len() != WRAPPED_LEN {
        return None;
    }
    let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let cipher = ChaCha20Poly1305::new(wrapping.into());
    let key = Zeroizing::new(cipher.decrypt(&nonce.into(), Payload { msg: sealed, aad: KEY_AAD }).ok()?);
    Some(DbKey(key.as_slice().try_into().ok()?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn passphrase(text: &str) -> Secret {
        Secret::Passphrase(text.to_owned())
    }

    /// A passphrase change cut short after its first step (the new wrapping written beside the old) or its second
    /// (the folder renamed): the profile opens with one of the two passphrases, never with neither.
    #[test]
    fn a_passphrase_change_cut_short_leaves_the_profile_opening_with_one_of_the_two() {
        let root = tempfile::tempdir().unwrap();
        let vault = Profiles::new(root.path()).unwrap();
        drop(vault.create(&passphrase("old passphrase"), "Ada", None).unwrap());
        let from = vault.derive(&passphrase("old passphrase")).unwrap();
        let to = vault.derive(&passphrase("new passphrase")).unwrap();
        let old_dir = root.path().join(&from.id);
        let key = vault.unwrap_key(&old_dir, &from).unwrap();

        // Cut after the first step: the old passphrase still opens it, the new one nothing.
        write_synced(&old_dir.join(NEW_KEY_FILE), &wrap(&to.wrap, &key)).unwrap();
        assert!(vault.open(&passphrase("old passphrase")).is_ok());
        assert!(matches!(
            vault.open(&passphrase("new passphrase")).as_ref().map_err(Error::kind),
            Err(ErrorKind::WrongPassphrase)
        ));

        // Cut after the second: the new passphrase opens it, and finishes the change.
        fs::rename(&old_dir, root.path().join(&to.id)).unwrap();
        assert!(matches!(
            vault.open(&passphrase("old passphrase")).as_ref().map_err(Error::kind),
            Err(ErrorKind::WrongPassphrase)
        ));
        assert_eq!(vault.open(&passphrase("new passphrase")).unwrap().profile().display_name, "Ada");
        assert!(!root.path().join(&to.id).join(NEW_KEY_FILE).exists());
        assert!(vault.open(&passphrase("new passphrase")).is_ok());
    }

    #[test]
    fn a_wrapped_key_unwraps_only_under_its_own_wrapping_key_and_format() {
        let key = DbKey::random();
        let (right, wrong) = ([1u8; 32], [2u8; 32]);
        let wrapped = wrap(&right, &key);
        assert_eq!(wrapped.len(), WRAPPED_LEN);
        assert_eq!(unwrap(&right, &wrapped).map(|k| k.0), Some(key.0));
        assert!(unwrap(&wrong, &wrapped).is_none());
        let mut flipped = wrapped.clone();
        flipped[20] ^= 1;
        assert!(unwrap(&right, &flipped).is_none());
        assert!(unwrap(&right, &wrapped[..WRAPPED_LEN - 1]).is_none());
        assert_ne!(wrap(&right, &key), wrapped, "a fresh nonce every time");
    }

    #[test]
    fn the_folder_and_the_wrapping_key_are_independent_functions_of_the_secret() {
        let root = tempfile::tempdir().unwrap();
        let vault = Profiles::new(root.path()).unwrap();
        vault.ensure_salt().unwrap();
        let a = vault.derive(&Secret::Key(vec![9; 32])).unwrap();
        let b = vault.derive(&Secret::Key(vec![9; 32])).unwrap();
        let c = vault.derive(&Secret::Key(vec![8; 32])).unwrap();
        assert_eq!((a.id.clone(), *a.wrap), (b.id, *b.wrap));
        assert_ne!(a.id, c.id);
        assert_ne!(hex::decode(&a.id).unwrap(), a.wrap[..16].to_vec());
        // Another vault's salt makes the same passphrase another folder.
        let other = Profiles::new(root.path().join("other")).unwrap();
        other.ensure_salt().unwrap();
        let p = vault.derive(&passphrase("same words")).unwrap();
        let q = other.derive(&passphrase("same words")).unwrap();
        assert_ne!(p.id, q.id);
    }
}
