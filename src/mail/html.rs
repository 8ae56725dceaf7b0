//! HTML mail as readable text (html2text): paragraphs, lists, tables and quotes keep their shape, links their targets.

/// Lines are wrapped at this width; wide enough for most tables, narrow enough to read.
const WIDTH: usize = 100;
/// HTML beyond this is not rendered (a spam page of megabytes costs time, not text anyone reads).
const MAX_HTML: usize = 2 << 20;

/// The text of an HTML body: one block per paragraph, `*` list items, tables in columns, `> ` quotes, and each link's
/// target listed under the text as `[n]: URL`. Images, scripts and styles leave nothing.
pub fn to_text(html: &str) -> String {
    let end = html.floor_char_boundary(MAX_HTML.min(html.len()));
    let config = html2text::config::plain().link_footnotes(true).no_table_borders().allow_width_overflow();
    let text = match config.string_from_read(&html.as_bytes()[..end], WIDTH) {
        Ok(t) => t,
        // Not a shape html2text can lay out (a table too wide for any width): the words, one run of text.
        Err(_) => mail_parser::decoders::html::html_to_text(&html[..end]),
    };
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for l in lines {
        blank = if l.is_empty() { blank + 1 } else { 0 };
        if blank < 2 {
            out.push_str(l);
            out.push('\n');
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn shapes_survive() {
        let html = r#"<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>
            <h1>Invoice export fails</h1><p>Hello team,</p><p>since Monday the export <b>fails</b>:</p>
            <ul><li>first step</li><li>second step</li></ul>
            <table><tr><th>Invoice</th><th>Amount</th></tr><tr><td>INV-7</td><td>12.50</td></tr></table>
            <blockquote>earlier words</blockquote>
            <p>See <a href="https://status.example.test/incident/42">the status page</a>.</p></body></html>"#;
        let t = to_text(html);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines.contains(&"Hello team,"), "{t}");
        assert!(lines.iter().any(|l| l.contains("first step")) && lines.iter().any(|l| l.contains("second step")));
        assert!(!lines.iter().any(|l| l.contains("first step") && l.contains("second step")), "{t}");
        assert!(lines.iter().any(|l| l.contains("INV-7") && l.contains("12.50")), "a table row stays a row: {t}");
        assert!(lines.iter().any(|l| l.starts_with("> ") && l.contains("earlier words")), "{t}");
        assert!(t.contains("https://status.example.test/incident/42"), "the link target is kept: {t}");
        assert!(!t.contains("alert(1)") && !t.contains("color:red") && !t.contains("<b>"), "{t}");
        let heading = lines.iter().position(|l| l.contains("Invoice export fails")).unwrap();
        assert!(lines[heading + 1].trim().is_empty() || lines[heading + 1].starts_with('='), "{t}");
    }

    #[test]
    fn odd_html_gives_text() {
        assert_eq!(to_text(""), "");
        assert!(to_text("<p>unclosed <table><tr><td>cell").contains("cell"));
        let deep = "<div>".repeat(5_000) + "deep" + &"</div>".repeat(5_000);
        assert!(to_text(&deep).contains("deep"));
    }
}
