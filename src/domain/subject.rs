//! Subject normalisation for threading: reply/forward prefixes in many languages, list tags, ticket markers.

/// Normalise a subject (or title) for comparison: leading `Re:`/`Fwd:`/`AW:`… prefixes (repeated, any case, with
/// counters like `Re[2]:`), any single word before a leading `:`, words in `[...]` and `#...#` are removed,
/// whitespace is folded and the result lower-cased.
pub fn normalise_subject(s: &str) -> String {
    let mut rest: String = strip_brackets(s);
    loop {
        let t = rest.trim_start();
        match leading_prefix_len(t) {
            Some(n) => rest = t[n..].to_string(),
            None => {
                rest = t.to_string();
                break;
            }
        }
    }
    rest.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Length of a leading prefix of one to three words ending in `:` (or a full-width `：`), if there is one.
fn leading_prefix_len(t: &str) -> Option<usize> {
    let (i, c) = t.char_indices().find(|&(_, c)| c == ':' || c == '：')?;
    let words: Vec<&str> = t[..i].split_whitespace().collect();
    let plain = |w: &&str| {
        w.chars().count() <= 20 && w.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.')
    };
    if words.is_empty() || words.len() > 3 || !words.iter().all(plain) || t[..i].ends_with(char::is_whitespace) {
        return None;
    }
    Some(i + c.len_utf8())
}

/// Remove `[...]` and `#...#` groups (list tags, ticket markers, counters) anywhere in the subject.
fn strip_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                let inner: String = chars.clone().take_while(|&x| x != ']').collect();
                if inner.chars().count() < 60 && chars.clone().any(|x| x == ']') {
                    for x in chars.by_ref() {
                        if x == ']' {
                            break;
                        }
                    }
                    // "Re[2]:" keeps its colon attached; elsewhere the group becomes a space.
                    if !matches!(chars.peek(), Some(':' | '：')) {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
            '#' => {
                let inner: String = chars.clone().take_while(|&x| x != '#').collect();
                if !inner.is_empty() && !inner.contains(char::is_whitespace) && chars.clone().any(|x| x == '#') {
                    for x in chars.by_ref() {
                        if x == '#' {
                            break;
                        }
                    }
                    out.push(' ');
                } else {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// True when the subject starts with a reply or forward marker in one of the common languages.
pub fn is_reply_subject(s: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "re",
        "fwd",
        "fw",
        "aw",
        "wg",
        "sv",
        "vs",
        "rv",
        "tr",
        "odp",
        "antw",
        "antwort",
        "réf",
        "ref",
        "enc",
        "res",
        "r",
        "rif",
        "vb",
        "ynt",
        "továbbítás",
        "回复",
        "转发",
        "答复",
        "回覆",
        "轉寄",
        "返信",
        "転送",
    ];
    let t = strip_brackets(s);
    let t = t.trim_start();
    let word: String = t.chars().take_while(|&c| c != ':' && c != '：' && !c.is_whitespace()).collect();
    let after = &t[word.len()..];
    (after.starts_with(':') || after.starts_with('：')) && PREFIXES.contains(&word.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_in_many_languages() {
        for s in [
            "Re: Login fails",
            "RE: RE: login fails",
            "Fwd: Re: Login  fails",
            "AW: WG: Login fails",
            "SV: VS: login fails",
            "RV: TR: Login fails",
            "Odp: Antw: Login fails",
            "回复: Login fails",
            "转发：Login fails",
            "Re[2]: Login fails",
            "[support] Re: Login fails",
            "Re: [#TKT-9#] Login fails",
            "  login\tfails ",
        ] {
            assert_eq!(normalise_subject(s), "login fails", "{s}");
        }
    }

    #[test]
    fn other_changes_stay_different() {
        assert_ne!(normalise_subject("Re: Login fails on iOS"), normalise_subject("Login fails"));
        assert_eq!(normalise_subject("Feature request: dark mode"), "dark mode");
        assert_eq!(normalise_subject("What about this? it: fails"), "what about this? it: fails");
        assert_eq!(normalise_subject(""), "");
    }

    #[test]
    fn reply_detection() {
        assert!(is_reply_subject("Re: x"));
        assert!(is_reply_subject("[list] AW: x"));
        assert!(is_reply_subject("回复：x"));
        assert!(!is_reply_subject("Invoice: x"));
        assert!(!is_reply_subject("x"));
    }
}
