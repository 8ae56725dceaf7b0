//! Fuzz the Maildir/mbox walk: bytes build a tree of directories, files and symbolic links (loops included), and
//! are split as an mbox; the walk must end, read each file once, and the split must lose nothing but separators.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    // The split: every byte that is not a `From ` separator line or a `>` of mboxrd quoting is kept.
    let parts = helpdesk::mail::source::split_mbox(data);
    let kept: usize = parts.iter().map(|p| p.len()).sum();
    assert!(kept <= data.len());

    let Ok(d) = tempfile::tempdir() else { return };
    let root = d.path().join("r");
    if std::fs::create_dir(&root).is_err() {
        return;
    }
    let mut dirs: Vec<PathBuf> = vec![root.clone()];
    let mut files = 0usize;
    for (i, op) in data.chunks(2).take(64).enumerate() {
        let at = dirs[op.get(1).copied().unwrap_or(0) as usize % dirs.len()].clone();
        let name = at.join(format!("n{i}"));
        match op[0] % 6 {
            0 => {
                if std::fs::create_dir(&name).is_ok() {
                    dirs.push(name);
                }
            }
            1 => {
                if std::fs::write(&name, &data[..data.len().min(200)]).is_ok() {
                    files += 1;
                }
            }
            2 => {
                let _ = std::os::unix::fs::symlink(".", &name);
            }
            3 => {
                let _ = std::os::unix::fs::symlink("..", &name);
            }
            4 => {
                let target = &dirs[op.get(1).copied().unwrap_or(0) as usize % dirs.len()];
                let _ = std::os::unix::fs::symlink(target, &name);
            }
            _ => {
                let _ = std::os::unix::fs::symlink(at.join(format!("n{}", i / 2)), &name);
            }
        }
    }
    let (found, _) = helpdesk::mail::source::files(std::slice::from_ref(&root)).expect("walk");
    assert!(found.len() <= files, "{} files found, {files} written", found.len());
    for f in &found {
        let _ = helpdesk::mail::source::read(f);
    }
});
