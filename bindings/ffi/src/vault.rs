//! `KindredProfiles`: the vault of encrypted profiles on this phone (`kindred_core::Profiles`). An app keeps one per
//! install, in its private files folder, and opens each person's profile from it with a passphrase or with a key it
//! keeps in Android Keystore or iOS Keychain.

use std::sync::Arc;

use kindred_core as core;

use crate::error::{KindredError, guard};
use crate::profile::KindredProfile;
use core::ListedProfile;

/// What opens a profile.
#[derive(Debug, uniffi::Enum)]
pub enum ProfileSecret {
    /// A passphrase the person types (at least 6 characters; stretched with Argon2id).
    Passphrase { passphrase: String },
    /// 32 random bytes the app keeps in the platform's key store.
    Key { key: Vec<u8> },
}

impl From<ProfileSecret> for core::Secret {
    fn from(secret: ProfileSecret) -> Self {
        match secret {
            ProfileSecret::Passphrase { passphrase } => core::Secret::Passphrase(passphrase),
            ProfileSecret::Key { key } => core::Secret::Key(key),
        }
    }
}

/// The encrypted profiles in one folder.
#[derive(Debug, uniffi::Object)]
pub struct KindredProfiles {
    core: core::Profiles,
}

#[uniffi::export]
impl KindredProfiles {
    /// The vault in `root` (nothing is written there until a profile is created).
    #[uniffi::constructor]
    pub fn new(root: String) -> Result<Arc<Self>, KindredError> {
        guard(move || Ok(Arc::new(Self { core: core::Profiles::new(&root)? })))
    }

    /// The profiles the app listed; hidden ones never appear.
    pub fn list(&self) -> Result<Vec<ListedProfile>, KindredError> {
        guard(|| Ok(self.core.list()?))
    }

    /// Creates a profile opened by `secret`, listed under `label` or hidden (`None`), and opens it.
    pub fn create(
        &self,
        secret: ProfileSecret,
        display_name: String,
        label: Option<String>,
    ) -> Result<Arc<KindredProfile>, KindredError> {
        guard(move || Ok(KindredProfile::wrap(self.core.create(&secret.into(), &display_name, label.as_deref())?)))
    }

    /// Opens the profile `secret` opens (`WrongPassphrase` if none; nothing is written either way).
    pub fn open(&self, secret: ProfileSecret) -> Result<Arc<KindredProfile>, KindredError> {
        guard(move || Ok(KindredProfile::wrap(self.core.open(&secret.into())?)))
    }

    /// Lists the profile `secret` opens under `label`, or hides it (`None`).
    pub fn set_listed(&self, secret: ProfileSecret, label: Option<String>) -> Result<(), KindredError> {
        guard(move || Ok(self.core.set_listed_as(&secret.into(), label.as_deref())?))
    }

    /// Changes the secret that opens a profile (close it first): the key is rewrapped, the data not rewritten.
    pub fn change_secret(&self, old: ProfileSecret, new: ProfileSecret) -> Result<(), KindredError> {
        guard(move || Ok(self.core.change_secret(&old.into(), &new.into())?))
    }

    /// Makes `duress` open an ordinary-looking, empty decoy with the display name of the profile `real` opens.
    pub fn set_duress(&self, real: ProfileSecret, duress: ProfileSecret) -> Result<(), KindredError> {
        guard(move || Ok(self.core.set_duress(&real.into(), &duress.into())?))
    }

    /// Panic wipe of the profile `secret` opens: its key first, then its files.
    pub fn wipe(&self, secret: ProfileSecret) -> Result<(), KindredError> {
        guard(move || Ok(self.core.wipe(&secret.into())?))
    }

    /// Panic wipe of every profile in the vault, hidden ones included, and of the vault's own files.
    pub fn wipe_all(&self) -> Result<(), KindredError> {
        guard(|| Ok(self.core.wipe_all()?))
    }
}
