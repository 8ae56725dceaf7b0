//! Display caps on the fields of a parsed message: a cut field ends in a marker saying how much was cut; the raw
//! message keeps everything.

use super::parse::Parsed;

/// Characters of a subject kept.
pub const SUBJECT: usize = 1_000;
/// Characters of a display name kept.
pub const NAME: usize = 200;
/// Characters of an address or Message-ID kept.
pub const ADDRESS: usize = 500;
/// To and Cc addresses kept, each.
pub const RECIPIENTS: usize = 1_000;
/// References kept (the newest ones, which threading reads first).
pub const REFERENCES: usize = 200;

/// `s` cut to `max` characters, with a marker when it was longer.
pub fn cap(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((end, _)) => {
            let more = s[end..].chars().count();
            format!("{}… [{more} more characters cut; the raw message keeps them]", &s[..end])
        }
    }
}

fn cap_in_place(s: &mut String, max: usize) {
    if s.len() > max {
        let c = cap(s, max);
        if c.len() != s.len() {
            *s = c;
        }
    }
}

/// Cap every displayed field of `p`; the body is kept whole.
pub fn apply(p: &mut Parsed) {
    cap_in_place(&mut p.subject, SUBJECT);
    if let Some((a, n)) = p.from.as_mut() {
        cap_in_place(a, ADDRESS);
        cap_in_place(n, NAME);
    }
    for list in [&mut p.to, &mut p.cc] {
        list.truncate(RECIPIENTS);
        for (a, n) in list.iter_mut() {
            cap_in_place(a, ADDRESS);
            cap_in_place(n, NAME);
        }
    }
    if let Some(m) = p.message_id.as_mut() {
        cap_in_place(m, ADDRESS);
    }
    if p.references.len() > REFERENCES {
        p.references.drain(..p.references.len() - REFERENCES);
    }
    p.in_reply_to.truncate(REFERENCES);
    for r in p.references.iter_mut().chain(p.in_reply_to.iter_mut()) {
        cap_in_place(r, ADDRESS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_says_so() {
        assert_eq!(cap("short", 10), "short");
        let c = cap(&"é".repeat(30), 10);
        assert!(c.starts_with(&"é".repeat(10)) && c.contains("20 more characters cut"), "{c}");
    }

    #[test]
    fn a_huge_subject_is_capped_with_a_marker() {
        let raw = format!("From: a@b.test\r\nSubject: {}\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n", "A".repeat(2_000_000));
        let mut p = crate::mail::parse(raw.as_bytes(), 50 << 20).unwrap();
        apply(&mut p);
        assert!(p.subject.chars().count() < SUBJECT + 100, "{}", p.subject.len());
        assert!(p.subject.ends_with("the raw message keeps them]"));
    }
}
