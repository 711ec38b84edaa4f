//! Writing files so that a crash never leaves half of one: written and synced before they count, a new file linked
//! into place (never over an existing one), folder entries synced. Used by the vault (`crate::vault`) and the export
//! of one's own data (`crate::export`).

use std::fs;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` (replacing what is there) and makes them reach the disk.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs::File::create(path).map_err(|source| Error::io(path.to_owned(), source))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|source| Error::io(path.to_owned(), source))
}

/// Writes `bytes` as the new file `path`, never replacing one: into a temporary name beside it first, synced, then
/// linked into place (linking fails, with `AlreadyExists`, if the name is taken), so a reader never sees half a file.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut suffix = [0u8; 6];
    rand::fill(&mut suffix);
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".writing-{}", hex::encode(suffix)));
    let temp = std::path::PathBuf::from(temp);
    write_synced(&temp, bytes)?;
    let linked = fs::hard_link(&temp, path).map_err(|source| Error::io(path.to_owned(), source));
    let _ = fs::remove_file(&temp);
    linked
}

/// Makes a folder's entries (a rename, a new or removed file) reach the disk. Best effort: some systems cannot.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}
