//! Files the station hands out (code slips, saved documents, combined
//! results, test-deck outcomes): written once, as new files readable by
//! their owner only. The one private-file writer of the core, the CLI and
//! the app.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to a new file at `path`, readable by its owner only
/// (mode 0600 on Unix), and syncs it. Never overwrites: an existing file
/// is `Error::FileExists`.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::FileExists(path.display().to_string()),
        _ => Error::io(path, e),
    })?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}
