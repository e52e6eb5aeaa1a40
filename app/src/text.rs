//! Splitting user text into plain runs and links, so the view can render
//! links as `<a>` while every character stays escaped by the renderer (no
//! HTML is ever built from user text).

/// A run of a post body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Plain text, shown as is (line breaks kept by CSS `white-space: pre-wrap`).
    Text(&'a str),
    /// An `http://` or `https://` URL, shown as a link.
    Link(&'a str),
    /// `@username` of a person mentioned when the text was written (the
    /// slice holds the username without `@`), shown as a profile link.
    Mention(&'a str),
}

/// Splits `text` into [`Segment`]s. A link starts at `http://` or `https://`
/// and runs to the next whitespace; trailing `.,;:!?)'"` are left out of it,
/// as most sites do. `@name` becomes a [`Segment::Mention`] only when `name`
/// is in `mentions` (case-insensitive): the usernames resolved and stored
/// when the text was written.
pub fn segments<'a>(text: &'a str, mentions: &[String]) -> Vec<Segment<'a>> {
    if mentions.is_empty() {
        return link_segments(text);
    }
    let mut out = Vec::new();
    for seg in link_segments(text) {
        match seg {
            Segment::Text(t) => split_mentions(t, mentions, &mut out),
            other => out.push(other),
        }
    }
    out
}

fn split_mentions<'a>(text: &'a str, mentions: &[String], out: &mut Vec<Segment<'a>>) {
    let mut start = 0;
    for (at, name) in mention_spans(text) {
        if mentions.iter().any(|m| m.eq_ignore_ascii_case(name)) {
            if at > start {
                out.push(Segment::Text(&text[start..at]));
            }
            out.push(Segment::Mention(name));
            start = at + 1 + name.len();
        }
    }
    if start < text.len() {
        out.push(Segment::Text(&text[start..]));
    }
}

/// `(index of '@', username)` for each `@username` in `text`: an `@` not
/// preceded by a letter, digit or underscore (so emails don't count),
/// followed by 3–30 letters, digits or underscores.
fn mention_spans(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    for (i, _) in text.match_indices('@') {
        let word_before = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if word_before {
            continue;
        }
        let rest = &text[i + 1..];
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if crate::validation::USERNAME_LEN.contains(&len) {
            spans.push((i, &rest[..len]));
        }
    }
    spans
}

/// The distinct usernames written as `@username` in `text`, lower-cased, in
/// order of first appearance (at most 50): candidates to resolve and store.
pub fn mentioned_usernames(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, name) in mention_spans(text) {
        let key = name.to_ascii_lowercase();
        if !names.contains(&key) && names.len() < 50 {
            names.push(key);
        }
    }
    names
}

fn link_segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_url_start(rest) {
        let after = &rest[start..];
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let mut url = &after[..end];
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
        let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
        if url.len() <= scheme_len {
            // A bare scheme: keep it as text and move on.
            out.push(Segment::Text(&rest[..start + scheme_len]));
            rest = &rest[start + scheme_len..];
            continue;
        }
        if start > 0 {
            out.push(Segment::Text(&rest[..start]));
        }
        out.push(Segment::Link(url));
        rest = &rest[start + url.len()..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

fn find_url_start(s: &str) -> Option<usize> {
    let a = s.find("http://");
    let b = s.find("https://");
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Initial content for a `<textarea>`, escaped. Leptos renders `<textarea>`
/// children unescaped on the server (it treats the element as raw text), so
/// user text must go in through `inner_html` with this escaping, or a
/// `</textarea>` in it would break out into the page.
pub fn textarea_html(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// Whether a post body is long enough to be collapsed behind "See more":
/// more than 600 characters or more than 8 lines.
pub fn is_long(text: &str) -> bool {
    text.chars().count() > 600 || text.lines().count() > 8
}

/// The collapsed preview of a long body: its first 8 lines, cut to 600
/// characters at a char boundary.
pub fn preview(text: &str) -> &str {
    let mut end = text.len();
    if let Some((i, _)) = text.match_indices('\n').nth(7) {
        end = end.min(i);
    }
    if let Some((i, _)) = text.char_indices().nth(600) {
        end = end.min(i);
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    fn segments(text: &str) -> Vec<Segment<'_>> {
        super::segments(text, &[])
    }

    #[test]
    fn mentions_only_for_stored_names() {
        let stored = vec!["ana_99".to_owned()];
        assert_eq!(
            super::segments("hi @Ana_99, not @bob or a@ana_99.com", &stored),
            vec![
                Text("hi "),
                Mention("Ana_99"),
                Text(", not @bob or a@ana_99.com")
            ]
        );
        assert_eq!(
            mentioned_usernames("@Ana_99 @bob @ana_99 x@y.com @ab"),
            vec!["ana_99", "bob"]
        );
    }

    #[test]
    fn finds_links() {
        assert_eq!(
            segments("see https://example.com/a?b=1. ok"),
            vec![
                Text("see "),
                Link("https://example.com/a?b=1"),
                Text(". ok")
            ]
        );
        assert_eq!(segments("http://x.y"), vec![Link("http://x.y")]);
        assert_eq!(
            segments("(http://x.y)"),
            vec![Text("("), Link("http://x.y"), Text(")")]
        );
        assert_eq!(segments("no links <b>"), vec![Text("no links <b>")]);
    }

    #[test]
    fn bare_scheme_is_text() {
        let joined: String = segments("a https:// b")
            .iter()
            .map(|s| match s {
                Text(t) | Link(t) | Mention(t) => *t,
            })
            .collect();
        assert_eq!(joined, "a https:// b");
        assert!(
            segments("a https:// b")
                .iter()
                .all(|s| matches!(s, Text(_)))
        );
    }

    #[test]
    fn segments_cover_the_text() {
        let t = "x https://a.b/c y http://d.e, z";
        let joined: String = segments(t)
            .iter()
            .map(|s| match s {
                Text(t) | Link(t) | Mention(t) => *t,
            })
            .collect();
        assert_eq!(joined, t);
    }

    #[test]
    fn long_posts_collapse() {
        assert!(!is_long("short"));
        assert!(is_long(&"x".repeat(601)));
        let many = "l\n".repeat(10);
        assert!(is_long(&many));
        assert_eq!(preview(&many).lines().count(), 8);
        assert_eq!(preview(&"é".repeat(700)).chars().count(), 600);
    }
}
