//! Export of the original messages as an mbox (mboxrd: `>`-quoted `From ` lines), as `import mail` reads it.

use crate::Result;
use crate::store::{ItemFilter, Reader};
use std::collections::HashMap;
use std::io::Write;

/// Write one message in mboxrd form: a `From ` line, the bytes with `From ` lines quoted, a blank line.
pub fn write_message(raw: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n")?;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let n = line.iter().take_while(|&&b| b == b'>').count();
        if line[n..].starts_with(b"From ") {
            out.write_all(b">")?;
        }
        out.write_all(line)?;
    }
    if !raw.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.write_all(b"\n")
}

/// The originals of every message of the items a filter selects, oldest item first. Returns (messages written,
/// messages without a raw copy: written here, or stored before raw mail was kept).
pub fn items(r: &Reader<'_>, f: &ItemFilter, out: &mut dyn Write) -> Result<(usize, usize)> {
    let raw: HashMap<i64, crate::store::RawSha> = r.messages_with_raw()?.into_iter().collect();
    let (mut written, mut missing) = (0, 0);
    for row in r.list_all(f, usize::MAX >> 1)? {
        for m in r.messages(row.row, None)? {
            match raw.get(&m.id).map(|sha| r.raw_by_sha(sha)).transpose()?.flatten() {
                Some(bytes) => {
                    write_message(&bytes, out)?;
                    written += 1;
                }
                None => missing += 1,
            }
        }
    }
    Ok((written, missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exported_mbox_splits_back_into_the_originals() {
        let a = b"From: a@b.test\r\nSubject: one\r\n\r\nFrom here\r\n>From there\r\n".to_vec();
        let b = b"From: c@d.test\nSubject: two\n\nbody\n".to_vec();
        let mut out = vec![];
        write_message(&a, &mut out).unwrap();
        write_message(&b, &mut out).unwrap();
        let parts = crate::mail::source::split_mbox(&out);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], [a.as_slice(), b"\n"].concat());
        assert_eq!(parts[1], [b.as_slice(), b"\n"].concat());
    }
}
