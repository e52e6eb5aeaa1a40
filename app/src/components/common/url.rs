/// Percent-encodes `s` for a URL query value (everything but `A–Z a–z 0–9
/// - _ . ~`, UTF-8 bytes).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_query_value;

    #[test]
    fn encodes_reserved_and_unicode() {
        assert_eq!(encode_query_value("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(encode_query_value("“é”"), "%E2%80%9C%C3%A9%E2%80%9D");
        assert_eq!(encode_query_value("ok-_.~9"), "ok-_.~9");
    }
}
