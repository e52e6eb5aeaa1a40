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

    /// Property tests: whatever a person types, rendering builds no markup
    /// from it and shows exactly what they typed.
    mod properties {
        use super::super::Segment::{self, Link, Mention, Text};
        use super::super::{is_long, mentioned_usernames, preview, segments, textarea_html};
        use proptest::prelude::*;

        /// Pieces that stress escaping, links and mentions, glued together
        /// in any order, plus arbitrary text.
        fn user_text() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("<".to_owned()),
                Just(">".to_owned()),
                Just("&".to_owned()),
                Just("\"".to_owned()),
                Just("'".to_owned()),
                Just("&amp;".to_owned()),
                Just("&lt;b&gt;".to_owned()),
                Just("<script>alert(1)</script>".to_owned()),
                Just("<a href=\"javascript:alert(1)\">x</a>".to_owned()),
                Just("\" onmouseover=\"alert(1)".to_owned()),
                Just("'><img src=x onerror=alert(1)>".to_owned()),
                Just("</textarea>".to_owned()),
                Just("<!-- c -->".to_owned()),
                Just("http://".to_owned()),
                Just("https://".to_owned()),
                Just("https://example.com/a?b=1&c=\"2\"".to_owned()),
                Just("http://x.y/<b>".to_owned()),
                Just("javascript:alert(1)".to_owned()),
                Just("@".to_owned()),
                Just("@ana_99".to_owned()),
                Just("@Bob_B".to_owned()),
                Just("@ab".to_owned()),
                Just("a@ana_99.com".to_owned()),
                Just(" ".to_owned()),
                Just("\n".to_owned()),
                Just("\r\n".to_owned()),
                Just("\t".to_owned()),
                Just(".,;:!?)'\"".to_owned()),
                Just("(".to_owned()),
                Just("é🙂".to_owned()),
                "[a-zA-Z0-9_]{1,12}",
                "\\PC{1,6}",
                any::<char>().prop_map(String::from),
            ];
            proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
        }

        /// Text and a subset of the usernames it mentions (as stored when
        /// it was written).
        fn text_and_mentions() -> impl Strategy<Value = (String, Vec<String>)> {
            (user_text(), proptest::collection::vec(any::<bool>(), 50)).prop_map(|(text, keep)| {
                let mentions = mentioned_usernames(&text)
                    .into_iter()
                    .zip(keep)
                    .filter_map(|(m, k)| k.then_some(m))
                    .collect();
                (text, mentions)
            })
        }

        /// Decodes the character references an HTML serializer writes.
        fn unescape(s: &str) -> Result<String, String> {
            let mut out = String::new();
            let mut rest = s;
            while let Some(at) = rest.find('&') {
                out.push_str(&rest[..at]);
                let after = &rest[at + 1..];
                let end = after.find(';').ok_or_else(|| format!("bare & in {s:?}"))?;
                let name = &after[..end];
                let c = match name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    n if n.starts_with("#x") || n.starts_with("#X") => {
                        u32::from_str_radix(&n[2..], 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("bad reference &{n};"))?
                    }
                    n if n.starts_with('#') => n[1..]
                        .parse::<u32>()
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("bad reference &{n};"))?,
                    n => return Err(format!("unknown reference &{n};")),
                };
                out.push(c);
                rest = &after[end + 1..];
            }
            out.push_str(rest);
            Ok(out)
        }

        /// One `<a>` the renderer built: its attributes (decoded) and text.
        #[derive(Debug)]
        struct Anchor {
            attrs: Vec<(String, String)>,
            text: String,
        }

        /// Reads rendered output that may only hold text, hydration markers
        /// (`<!>`, `<!---->`) and `<a>` elements with quoted attributes and
        /// text inside: anything else is markup that came from the input.
        /// Returns the text content (decoded) and the anchors.
        fn read_html(html: &str) -> Result<(String, Vec<Anchor>), String> {
            let mut text = String::new();
            let mut anchors = Vec::new();
            let mut rest = html;
            while !rest.is_empty() {
                let Some(lt) = rest.find('<') else {
                    text.push_str(&unescape(rest)?);
                    break;
                };
                text.push_str(&unescape(&rest[..lt])?);
                rest = &rest[lt..];
                if let Some(r) = rest.strip_prefix("<!>") {
                    rest = r;
                    continue;
                }
                if let Some(r) = rest.strip_prefix("<!--") {
                    let end = r.find("-->").ok_or("unclosed comment")?;
                    if !r[..end].is_empty() {
                        return Err(format!("a comment with content: {html:?}"));
                    }
                    rest = &r[end + 3..];
                    continue;
                }
                let Some(r) = rest.strip_prefix("<a ") else {
                    return Err(format!("markup other than <a>: {rest:?} in {html:?}"));
                };
                // Attributes: name="value" pairs, values without raw quotes.
                let mut attrs = Vec::new();
                let mut r = r.trim_start();
                loop {
                    if let Some(after) = r.strip_prefix('>') {
                        r = after;
                        break;
                    }
                    let eq = r
                        .find('=')
                        .ok_or_else(|| format!("attribute without value: {r:?}"))?;
                    let name = &r[..eq];
                    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    {
                        return Err(format!("odd attribute name {name:?} in {html:?}"));
                    }
                    let value_start = r[eq + 1..]
                        .strip_prefix('"')
                        .ok_or_else(|| format!("unquoted attribute {name:?} in {html:?}"))?;
                    let close = value_start.find('"').ok_or("unclosed attribute")?;
                    let raw = &value_start[..close];
                    if raw.contains('<') || raw.contains('>') {
                        return Err(format!("raw < or > in attribute {name:?}: {html:?}"));
                    }
                    attrs.push((name.to_owned(), unescape(raw)?));
                    r = value_start[close + 1..].trim_start();
                }
                let end = r
                    .find("</a>")
                    .ok_or_else(|| format!("unclosed <a> in {html:?}"))?;
                let inner = r[..end].replace("<!>", "").replace("<!---->", "");
                if inner.contains('<') {
                    return Err(format!("markup inside <a>: {inner:?} in {html:?}"));
                }
                let inner = unescape(&inner)?;
                text.push_str(&inner);
                anchors.push(Anchor { attrs, text: inner });
                rest = &r[end + 4..];
            }
            Ok((text, anchors))
        }

        fn render(text: &str, mentions: &[String]) -> String {
            use leptos::prelude::*;
            let owner = Owner::new();
            owner.with(|| crate::components::posts::text_runs(text, mentions).to_html())
        }

        fn attr<'a>(a: &'a Anchor, name: &str) -> Option<&'a str> {
            a.attrs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }

        fn is_username(name: &str) -> bool {
            crate::validation::USERNAME_LEN.contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Segments cover the text exactly; links are http(s) URLs with
            /// no whitespace nor trailing punctuation; mentions are only of
            /// stored names.
            #[test]
            fn segments_cover_the_text_and_keep_their_contracts(
                (text, mentions) in text_and_mentions()
            ) {
                let segs = segments(&text, &mentions);
                let mut joined = String::new();
                for seg in &segs {
                    match seg {
                        Text(t) => {
                            prop_assert!(!t.is_empty(), "empty run in {segs:?}");
                            joined.push_str(t);
                        }
                        Link(url) => {
                            prop_assert!(
                                url.starts_with("http://") || url.starts_with("https://"),
                                "{url:?}"
                            );
                            let scheme = if url.starts_with("https://") { 8 } else { 7 };
                            prop_assert!(url.len() > scheme, "a bare scheme as link");
                            prop_assert!(!url.contains(char::is_whitespace), "{url:?}");
                            prop_assert!(
                                !url.ends_with(['.', ',', ';', ':', '!', '?', ')', '\'', '"']),
                                "{url:?}"
                            );
                            joined.push_str(url);
                        }
                        Mention(name) => {
                            prop_assert!(is_username(name), "{name:?}");
                            prop_assert!(
                                mentions.iter().any(|m| m.eq_ignore_ascii_case(name)),
                                "{name:?} not stored: {mentions:?}"
                            );
                            joined.push('@');
                            joined.push_str(name);
                        }
                    }
                }
                prop_assert_eq!(joined, text);
            }

            /// Mention candidates: distinct, lower-case usernames, at most
            /// 50, each written as `@name` in the text.
            #[test]
            fn mentioned_usernames_are_distinct_lower_case_usernames(text in user_text()) {
                let names = mentioned_usernames(&text);
                prop_assert!(names.len() <= 50);
                let lower = text.to_ascii_lowercase();
                for (i, name) in names.iter().enumerate() {
                    prop_assert!(is_username(name), "{name:?}");
                    prop_assert_eq!(name, &name.to_ascii_lowercase());
                    prop_assert!(!names[..i].contains(name), "{names:?}");
                    let written = format!("@{name}");
                    prop_assert!(lower.contains(&written), "{name:?} not in {text:?}");
                }
            }

            /// The rendered HTML holds no markup from the input: only the
            /// renderer's own `<a>` elements, with exactly their fixed
            /// attributes, and an `href` that is the link itself (http or
            /// https) or the mentioned person's profile. Its text content is
            /// the input, character for character (text runs aren't
            /// normalised: line breaks are kept by CSS).
            #[test]
            fn rendering_builds_no_markup_and_shows_the_text(
                (text, mentions) in text_and_mentions()
            ) {
                let html = render(&text, &mentions);
                let (shown, anchors) = read_html(&html)
                    .map_err(|e| TestCaseError::fail(format!("{e}\ninput: {text:?}")))?;
                prop_assert_eq!(&shown, &text, "html: {}", html);
                let segs = segments(&text, &mentions);
                let expected: Vec<&Segment<'_>> =
                    segs.iter().filter(|s| !matches!(s, Text(_))).collect();
                prop_assert_eq!(anchors.len(), expected.len(), "html: {}", html);
                for (a, seg) in anchors.iter().zip(expected) {
                    let mut names: Vec<&str> = a.attrs.iter().map(|(n, _)| n.as_str()).collect();
                    names.sort_unstable();
                    match seg {
                        Link(url) => {
                            prop_assert_eq!(names, ["href", "rel", "target"], "{}", html);
                            prop_assert_eq!(attr(a, "href"), Some(*url));
                            prop_assert_eq!(attr(a, "rel"), Some("nofollow noopener noreferrer ugc"));
                            prop_assert_eq!(attr(a, "target"), Some("_blank"));
                            prop_assert_eq!(&a.text, url);
                        }
                        Mention(name) => {
                            prop_assert_eq!(names, ["class", "href"], "{}", html);
                            prop_assert_eq!(attr(a, "class"), Some("mention"));
                            let profile = format!("/u/{name}");
                            prop_assert_eq!(attr(a, "href"), Some(profile.as_str()));
                            prop_assert_eq!(&a.text, &format!("@{name}"));
                        }
                        Text(_) => unreachable!("filtered out"),
                    }
                    let href = attr(a, "href").unwrap_or_default();
                    prop_assert!(
                        href.starts_with("http://")
                            || href.starts_with("https://")
                            || href.starts_with("/u/"),
                        "{href:?}"
                    );
                }
            }

            /// A `<textarea>`'s initial content keeps no markup either, and
            /// decodes back to the text.
            #[test]
            fn textarea_content_is_escaped_and_round_trips(text in user_text()) {
                let html = textarea_html(&text);
                prop_assert!(!html.contains('<'), "{html:?}");
                prop_assert!(!html.contains('>'), "{html:?}");
                prop_assert_eq!(
                    unescape(&html).map_err(TestCaseError::fail)?,
                    text
                );
            }

            /// The collapsed preview is a prefix of the text, at most 600
            /// characters and 8 lines, and only taken from long texts.
            #[test]
            fn previews_are_short_prefixes(text in user_text(), lines in 0usize..12) {
                let text = format!("{text}{}", "\n".repeat(lines));
                let p = preview(&text);
                prop_assert!(text.starts_with(p));
                prop_assert!(p.chars().count() <= 600);
                prop_assert!(p.lines().count() <= 8);
                if is_long(&text) {
                    prop_assert!(p.len() < text.len(), "a long text is cut");
                }
            }
        }
    }
}
