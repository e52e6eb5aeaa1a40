//! Input rules shared by the browser (instant feedback) and the server (the
//! authority). Each check returns the [`AppError::Validation`] to show beside
//! its field.

use crate::error::AppError;

/// Username length in characters, inclusive.
pub const USERNAME_LEN: std::ops::RangeInclusive<usize> = 3..=30;
/// Minimum password length in characters.
pub const PASSWORD_MIN_LEN: usize = 10;
/// Maximum password length in characters (bounds hashing work).
pub const PASSWORD_MAX_LEN: usize = 256;
/// Post body length in characters, inclusive, after trimming.
pub const POST_LEN: std::ops::RangeInclusive<usize> = 1..=5_000;
/// Comment length in characters, inclusive, after trimming.
pub const COMMENT_LEN: std::ops::RangeInclusive<usize> = 1..=2_000;
/// Maximum bio length in characters.
pub const BIO_MAX_LEN: usize = 300;
/// Name length (first, last, display) in characters, inclusive.
pub const NAME_LEN: std::ops::RangeInclusive<usize> = 1..=60;
/// Maximum email length (RFC 5321 path limit).
pub const EMAIL_MAX_LEN: usize = 254;

/// A free-text field whose length the server limits: [`TextLimit::max_chars`]
/// is what the server accepts, and [`TextLimit::maxlength`] is the same
/// number for the browser's `maxlength` attribute, so the two never drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLimit {
    /// A post's text ([`POST_LEN`]).
    Post,
    /// A comment ([`COMMENT_LEN`]).
    Comment,
    /// A chat message ([`crate::models::MESSAGE_MAX_CHARS`]).
    Message,
    /// A profile bio ([`BIO_MAX_LEN`]).
    Bio,
    /// A first, last or display name ([`NAME_LEN`]).
    Name,
    /// A group or room name ([`crate::models::CONVERSATION_NAME_MAX_CHARS`]).
    ConversationName,
    /// A photo's alt text ([`crate::models::ALT_MAX_CHARS`]).
    AltText,
}

impl TextLimit {
    /// Most characters (Unicode scalar values) the server accepts.
    pub const fn max_chars(self) -> usize {
        match self {
            Self::Post => *POST_LEN.end(),
            Self::Comment => *COMMENT_LEN.end(),
            Self::Message => crate::models::MESSAGE_MAX_CHARS,
            Self::Bio => BIO_MAX_LEN,
            Self::Name => *NAME_LEN.end(),
            Self::ConversationName => crate::models::CONVERSATION_NAME_MAX_CHARS,
            Self::AltText => crate::models::ALT_MAX_CHARS,
        }
    }

    /// [`Self::max_chars`] as a `maxlength` attribute value.
    pub fn maxlength(self) -> String {
        self.max_chars().to_string()
    }
}

/// Username: 3–30 ASCII letters, digits or underscores. Returns it trimmed;
/// uniqueness is case-insensitive and checked by the database.
pub fn username(raw: &str) -> Result<String, AppError> {
    let u = raw.trim();
    if !USERNAME_LEN.contains(&u.chars().count()) {
        return Err(AppError::validation(
            "username",
            "Username must be 3 to 30 characters.",
        ));
    }
    if !u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(AppError::validation(
            "username",
            "Use only letters, digits and underscores.",
        ));
    }
    Ok(u.to_owned())
}

/// The case-folded key that makes usernames unique case-insensitively.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}

/// Email, normalised: trimmed and lower-cased whole (we treat the local part
/// as case-insensitive, as every large mail provider does). Checks the
/// shape `local@domain.tld` only; proof of ownership is a later issue.
pub fn email(raw: &str) -> Result<String, AppError> {
    let e = raw.trim().to_lowercase();
    let bad = || AppError::validation("email", "Enter a valid email address.");
    if e.len() > EMAIL_MAX_LEN || e.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let (local, domain) = e.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(bad());
    }
    Ok(e)
}

/// Password: at least 10 characters, not containing the username (any case),
/// and equal to its confirmation.
pub fn password(password: &str, confirm: &str, username: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_LEN {
        return Err(AppError::validation(
            "password",
            "Password must be at least 10 characters.",
        ));
    }
    if n > PASSWORD_MAX_LEN {
        return Err(AppError::validation(
            "password",
            "Password must be at most 256 characters.",
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(AppError::validation(
            "password",
            "Password must not contain your username.",
        ));
    }
    if password != confirm {
        return Err(AppError::validation(
            "password_confirm",
            "Passwords don't match.",
        ));
    }
    Ok(())
}

/// A person's name (first, last or display name): 1–60 characters, trimmed,
/// no control characters.
pub fn name(field: &str, label: &str, raw: &str) -> Result<String, AppError> {
    let n = raw.trim();
    if !NAME_LEN.contains(&n.chars().count()) {
        return Err(AppError::validation(
            field,
            format!("{label} must be 1 to 60 characters."),
        ));
    }
    if n.chars().any(char::is_control) {
        return Err(AppError::validation(
            field,
            format!("{label} contains characters we can't show."),
        ));
    }
    Ok(n.to_owned())
}

/// Bio: at most 300 characters after trimming; may be empty.
pub fn bio(raw: &str) -> Result<String, AppError> {
    let b = normalize_newlines(raw.trim());
    if b.chars().count() > BIO_MAX_LEN {
        return Err(AppError::validation(
            "bio",
            "Bio must be at most 300 characters.",
        ));
    }
    Ok(b)
}

/// Post body: 1–5,000 characters after trimming; line breaks kept (CRLF
/// folded to LF).
pub fn post_body(raw: &str) -> Result<String, AppError> {
    bounded_text(raw, POST_LEN, "Write something first.", "Posts", "5,000")
}

/// Caption of a post with photos: like [`post_body`] but may be empty.
pub fn post_caption(raw: &str) -> Result<String, AppError> {
    bounded_text(raw, 0..=*POST_LEN.end(), "", "Posts", "5,000")
}

/// Caption of a chat photo: like [`message_body`] but may be empty.
pub fn message_caption(raw: &str) -> Result<String, AppError> {
    bounded_text(
        raw,
        0..=crate::models::MESSAGE_MAX_CHARS,
        "",
        "Messages",
        "4,000",
    )
}

/// Comment body: 1–2,000 characters after trimming; line breaks kept.
pub fn comment_body(raw: &str) -> Result<String, AppError> {
    bounded_text(
        raw,
        COMMENT_LEN,
        "Write a comment first.",
        "Comments",
        "2,000",
    )
}

/// Chat message: 1–4,000 characters after trimming; line breaks kept.
pub fn message_body(raw: &str) -> Result<String, AppError> {
    bounded_text(
        raw,
        1..=crate::models::MESSAGE_MAX_CHARS,
        "Write a message first.",
        "Messages",
        "4,000",
    )
}

/// Group or room name: 1–80 characters after trimming, one line; errors
/// are on field `name`.
pub fn conversation_name(raw: &str) -> Result<String, AppError> {
    let n = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = n.chars().count();
    if len == 0 {
        return Err(AppError::validation("name", "Give it a name."));
    }
    if len > crate::models::CONVERSATION_NAME_MAX_CHARS {
        return Err(AppError::validation(
            "name",
            format!("Names can be at most 80 characters (this one has {len})."),
        ));
    }
    Ok(n)
}

/// Trimmed text with normalised line breaks whose length is in `len`;
/// errors are on field `body`.
fn bounded_text(
    raw: &str,
    len: std::ops::RangeInclusive<usize>,
    empty: &str,
    what: &str,
    max_words: &str,
) -> Result<String, AppError> {
    let b = normalize_newlines(raw.trim());
    let n = b.chars().count();
    if n < *len.start() {
        return Err(AppError::validation("body", empty));
    }
    if n > *len.end() {
        return Err(AppError::validation(
            "body",
            format!("{what} can be at most {max_words} characters (this one has {n})."),
        ));
    }
    Ok(b)
}

fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_limit_is_exactly_what_the_server_accepts() {
        type Check = fn(&str) -> Result<String, AppError>;
        let checks: [(TextLimit, Check); 6] = [
            (TextLimit::Post, post_body),
            (TextLimit::Comment, comment_body),
            (TextLimit::Message, message_body),
            (TextLimit::Bio, bio),
            (TextLimit::Name, |raw| name("first_name", "First name", raw)),
            (TextLimit::ConversationName, conversation_name),
        ];
        for (limit, check) in checks {
            let max = limit.max_chars();
            assert!(check(&"é".repeat(max)).is_ok(), "{limit:?} at {max}");
            assert!(check(&"é".repeat(max + 1)).is_err(), "{limit:?} over {max}");
            assert_eq!(limit.maxlength(), max.to_string());
        }
        assert_eq!(TextLimit::AltText.max_chars(), crate::models::ALT_MAX_CHARS);
    }

    #[test]
    fn messages_and_conversation_names() {
        assert_eq!(message_body(" hi\r\nthere ").as_deref(), Ok("hi\nthere"));
        assert!(message_body("   ").is_err());
        assert!(message_body(&"x".repeat(4_000)).is_ok());
        assert!(message_body(&"x".repeat(4_001)).is_err());
        assert_eq!(
            conversation_name("  Family \n chat ").as_deref(),
            Ok("Family chat")
        );
        assert!(conversation_name(" ").is_err());
        assert!(conversation_name(&"n".repeat(81)).is_err());
    }

    #[test]
    fn usernames() {
        assert_eq!(username(" Ana_99 ").as_deref(), Ok("Ana_99"));
        assert!(username("ab").is_err());
        assert!(username(&"a".repeat(31)).is_err());
        assert!(username(&"a".repeat(30)).is_ok());
        assert!(username("ana lopez").is_err());
        assert!(username("ana-lopez").is_err());
        assert!(username("añá").is_err());
        assert_eq!(username_key("Ana_99"), "ana_99");
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Ana@Example.COM ").as_deref(), Ok("ana@example.com"));
        for bad in [
            "ana",
            "ana@",
            "@x.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
            "a@b..com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(password("correct horse", "correct horse", "ana").is_ok());
        assert_eq!(
            password("short", "short", "ana")
                .unwrap_err()
                .field_message("password"),
            Some("Password must be at least 10 characters.".into())
        );
        assert!(password("xxANA_LOPEZxx", "xxANA_LOPEZxx", "ana_lopez").is_err());
        assert!(
            password("correct horse", "correct horsE", "ana")
                .unwrap_err()
                .field_message("password_confirm")
                .is_some()
        );
    }

    #[test]
    fn posts() {
        assert!(post_body("   \n ").is_err());
        assert_eq!(post_body(" a\r\nb ").as_deref(), Ok("a\nb"));
        assert!(post_body(&"é".repeat(5_000)).is_ok());
        assert!(post_body(&"é".repeat(5_001)).is_err());
    }

    #[test]
    fn bios_and_names() {
        assert!(bio("").is_ok());
        assert!(bio(&"x".repeat(301)).is_err());
        assert!(name("first_name", "First name", " ").is_err());
        assert_eq!(
            name("first_name", "First name", " Ana ").as_deref(),
            Ok("Ana")
        );
    }
}
