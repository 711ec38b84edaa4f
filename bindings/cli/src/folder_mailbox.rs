//! A mailbox that is a folder: each object a file (a name's `/` are subfolders), listed in name order. The demo's
//! bucket, and a store for a folder that something else carries (a USB stick, a synced folder). It is no more trusted
//! than a bucket: the core checks everything it reads.

use std::fs;
use std::path::{Path, PathBuf};

use kindred_core::relay::{Mailbox, StoreError, StoreListing, StoredObject};

/// Objects a listing page holds, as S3's does.
const PAGE: usize = 1000;

/// A folder holding a bucket's objects.
#[derive(Debug, Clone)]
pub struct FolderMailbox {
    root: PathBuf,
}

impl FolderMailbox {
    /// The bucket in `root` (created if missing).
    pub fn new(root: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(root).map_err(|e| StoreError(format!("creating the folder: {}", e.kind())))?;
        Ok(Self { root: root.to_owned() })
    }

    fn path(&self, name: &str) -> Result<PathBuf, StoreError> {
        // Names are the core's: lowercase hex and `/` under `kindred/`. Anything that could leave the folder is refused.
        if name.is_empty() || name.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            return Err(StoreError("an object name the folder store does not take".into()));
        }
        Ok(self.root.join(name))
    }

    /// Every object's name, in order.
    fn names(&self, dir: &Path, prefix: &str, out: &mut Vec<StoredObject>) -> Result<(), StoreError> {
        let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
        for entry in entries.flatten() {
            let Some(file) = entry.file_name().to_str().map(str::to_owned) else { continue };
            let name = if prefix.is_empty() { file } else { format!("{prefix}/{file}") };
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => self.names(&entry.path(), &name, out)?,
                Ok(meta) if !name.ends_with(".part") => out.push(StoredObject { name, size: meta.len() }),
                _ => {}
            }
        }
        Ok(())
    }
}

fn failed(what: &str, e: std::io::Error) -> StoreError {
    StoreError(format!("{what} failed: {}", e.kind()))
}

impl Mailbox for FolderMailbox {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path(name)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| failed("put", e))?;
        }
        let part = path.with_extension("part");
        fs::write(&part, bytes).map_err(|e| failed("put", e))?;
        fs::rename(&part, &path).map_err(|e| failed("put", e))
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match fs::read(self.path(name)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failed("get", e)),
        }
    }

    fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError> {
        let mut all = Vec::new();
        self.names(&self.root, "", &mut all)?;
        all.retain(|o| o.name.starts_with(prefix) && after.is_none_or(|a| o.name.as_str() > a));
        all.sort_by(|a, b| a.name.cmp(&b.name));
        let more = all.len() > PAGE;
        all.truncate(PAGE);
        Ok(StoreListing { objects: all, more })
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        match fs::remove_file(self.path(name)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(failed("delete", e)),
        }
    }
}
