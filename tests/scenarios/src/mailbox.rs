//! Stores for the relay's tests: an in-memory bucket (for unit-speed checks) and a hostile store wrapping any other
//! (the real SeaweedFS server, in the relay scenarios) that does what a store with its own mind can do: drop puts,
//! hide, reorder and duplicate listings, serve stale or swapped bytes, truncate, fail.

use std::collections::BTreeMap;
use std::sync::Mutex;

use kindred_core::relay::{Mailbox, StoreError, StoreListing, StoredObject};

/// A bucket in memory, paged like S3 (1,000 names a page).
#[derive(Debug, Default)]
pub struct MemoryMailbox {
    objects: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryMailbox {
    /// Every object, by name.
    pub fn objects(&self) -> BTreeMap<String, Vec<u8>> {
        self.objects.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Mailbox for MemoryMailbox {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.objects.lock().unwrap_or_else(|p| p.into_inner()).insert(name.to_owned(), bytes.to_vec());
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.objects.lock().unwrap_or_else(|p| p.into_inner()).get(name).cloned())
    }

    fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError> {
        let objects = self.objects.lock().unwrap_or_else(|p| p.into_inner());
        let mut names = objects
            .iter()
            .filter(|(n, _)| n.starts_with(prefix) && after.is_none_or(|a| n.as_str() > a))
            .map(|(name, bytes)| StoredObject { name: name.clone(), size: bytes.len() as u64 });
        let page: Vec<StoredObject> = names.by_ref().take(1000).collect();
        Ok(StoreListing { objects: page, more: names.next().is_some() })
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.objects.lock().unwrap_or_else(|p| p.into_inner()).remove(name);
        Ok(())
    }
}

/// What a [`Hostile`] store does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Misbehaviour {
    /// Acknowledges puts without keeping them (a dropped object).
    pub drop_puts: bool,
    /// Lists names in reverse order, each twice.
    pub scramble_listing: bool,
    /// Serves every object cut in half.
    pub truncate: bool,
    /// Fails every request.
    pub down: bool,
}

/// A store in front of another that misbehaves as told, and can serve one object's bytes under another's name.
#[derive(Debug)]
pub struct Hostile<'a, M: Mailbox> {
    /// The store behind it.
    pub inner: &'a M,
    /// What it does now.
    pub mode: Mutex<Misbehaviour>,
    /// Names whose bytes it serves instead of the named object's (`name -> other name`).
    pub swaps: Mutex<BTreeMap<String, String>>,
}

impl<'a, M: Mailbox> Hostile<'a, M> {
    /// An honest store in front of `inner`, until told otherwise.
    pub fn new(inner: &'a M) -> Self {
        Self { inner, mode: Mutex::new(Misbehaviour::default()), swaps: Mutex::new(BTreeMap::new()) }
    }

    /// Behaves as `mode` from now on.
    pub fn set(&self, mode: Misbehaviour) {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner()) = mode;
    }

    fn mode(&self) -> Result<Misbehaviour, StoreError> {
        let mode = *self.mode.lock().unwrap_or_else(|p| p.into_inner());
        if mode.down { Err(StoreError("the store is down".into())) } else { Ok(mode) }
    }
}

impl<M: Mailbox> Mailbox for Hostile<'_, M> {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        if self.mode()?.drop_puts {
            return Ok(());
        }
        self.inner.put(name, bytes)
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mode = self.mode()?;
        let swapped = self.swaps.lock().unwrap_or_else(|p| p.into_inner()).get(name).cloned();
        let bytes = self.inner.get(swapped.as_deref().unwrap_or(name))?;
        Ok(bytes.map(|b| if mode.truncate { b.get(..b.len() / 2).unwrap_or_default().to_vec() } else { b }))
    }

    fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError> {
        let mode = self.mode()?;
        let mut listing = self.inner.list(prefix, after)?;
        if mode.scramble_listing {
            listing.objects.reverse();
            let twice = listing.objects.clone();
            listing.objects.extend(twice);
        }
        Ok(listing)
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.mode()?;
        self.inner.delete(name)
    }
}
