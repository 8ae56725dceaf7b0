//! Saving untrusted files to a directory: the name made safe, never an existing path, never through a link.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `data` to a new file in `dir` under the safe form of `name` (`2-name`, `3-name`, … when taken). The file
/// is opened create-new (`O_CREAT|O_EXCL`), which refuses any existing path, a dangling symbolic link included.
pub fn save_new(dir: &Path, name: &str, data: &[u8]) -> std::io::Result<PathBuf> {
    let name = crate::sanitize::file_name(name);
    for n in 1..10_000 {
        let path = if n == 1 { dir.join(&name) } else { dir.join(crate::sanitize::file_name(&format!("{n}-{name}"))) };
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(data)?;
                f.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, format!("{name}: every numbered name is taken")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planted_link_is_never_followed_and_nothing_is_overwritten() {
        let d = tempfile::tempdir().unwrap();
        let (dir, outside) = (d.path().join("save"), d.path().join("outside"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(outside.join("planted.txt"), dir.join("same.txt")).unwrap();
        std::fs::write(dir.join("2-same.txt"), b"keep me").unwrap();
        let p = save_new(&dir, "same.txt", b"payload").unwrap();
        assert_eq!(p, dir.join("3-same.txt"));
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "wrote through the planted link");
        assert_eq!(std::fs::read(dir.join("2-same.txt")).unwrap(), b"keep me");
    }

    #[test]
    fn long_non_ascii_names_save() {
        let d = tempfile::tempdir().unwrap();
        let p = save_new(d.path(), &"é".repeat(200), b"x").unwrap();
        assert!(p.file_name().unwrap().len() <= 200);
        let p = save_new(d.path(), "invoice\u{202e}gpj.exe", b"x").unwrap();
        assert_eq!(p.file_name().unwrap(), "invoicegpj.exe");
    }
}
