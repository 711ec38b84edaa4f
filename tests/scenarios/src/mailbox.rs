//! Stores for the relay's tests, each in front of another (the real SeaweedFS server, in the relay scenarios): a
//! hostile one that does what a store with its own mind can do (drop puts, reorder and duplicate listings, serve
//! swapped or truncated bytes, fail), and one that hands its next put to a hook (a server stopped around it, another
//! phone's round run just before it).

use std::collections::BTreeMap;
use std::sync::Mutex;

use kindred_core::relay::{Mailbox, StoreError, StoreListing};

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

/// A put handed to a [`OnNextPut`] hook: calling it does the put.
pub type Put<'p> = &'p dyn Fn() -> Result<(), StoreError>;

/// What an [`OnNextPut`] does with the next put: anything around it, and the put itself or not.
pub type PutHook<'a> = Box<dyn FnOnce(Put<'_>) -> Result<(), StoreError> + 'a>;

/// A store in front of another that hands its next put to a hook (to stop the server before or after it, or to run
/// another phone's round just before it reaches the store); every other call goes straight through.
pub struct OnNextPut<'a, M: Mailbox> {
    inner: &'a M,
    hook: std::cell::RefCell<Option<PutHook<'a>>>,
}

impl<'a, M: Mailbox> OnNextPut<'a, M> {
    /// `inner`, with `hook` around its next put.
    pub fn new(inner: &'a M, hook: PutHook<'a>) -> Self {
        Self { inner, hook: std::cell::RefCell::new(Some(hook)) }
    }
}

impl<M: Mailbox> std::fmt::Debug for OnNextPut<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnNextPut").finish_non_exhaustive()
    }
}

impl<M: Mailbox> Mailbox for OnNextPut<'_, M> {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let hook = self.hook.borrow_mut().take();
        match hook {
            Some(hook) => hook(&|| self.inner.put(name, bytes)),
            None => self.inner.put(name, bytes),
        }
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(name)
    }

    fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError> {
        self.inner.list(prefix, after)
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.inner.delete(name)
    }
}
