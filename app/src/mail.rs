//! Outgoing mail (issue F), through `lettre`.
//!
//! - [`Mailer`]: SMTP from `HEARTH_SMTP_URL`, or, when none is set, `.eml`
//!   files in an outbox folder (`data/outbox/` by default; lettre's file
//!   transport), so a newcomer can open every mail Hearth would send.
//! - Mail never leaves from a request: [`enqueue`] adds a durable job
//!   ([`crate::jobs`], kind [`MAIL_JOB`]) in the caller's transaction, and
//!   [`run_mail_job`] sends it, retried with backoff for
//!   [`MAIL_ATTEMPTS`] tries (about 40 minutes) and surviving restarts.
//!   The job queue erases a job's payload once it is done or has failed
//!   for good, so a mailed link doesn't outlive its sending in the
//!   database.
//! - Every mail has a plain-text and an HTML part ([`compose`]); links use
//!   `HEARTH_PUBLIC_URL`.

use crate::error::AppResult;
use crate::jobs::JobError;
use crate::state::AppState;
use lettre::message::{Mailbox, MultiPart};
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Job kind of a mail.
pub const MAIL_JOB: &str = "mail";
/// Tries per mail (backoff 10 s doubling: the last about 21 minutes after
/// the first failure).
pub const MAIL_ATTEMPTS: i32 = 8;

/// One mail, as queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part (a whole document).
    pub html: String,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP relay.
    Smtp {
        /// The transport (pooled connections).
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Host and port, for the log (never the password).
        describe: String,
    },
    /// `.eml` files in this folder.
    Outbox(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Mailer {
    /// SMTP when `smtp_url` is given, else files in `outbox` (created on
    /// first use).
    ///
    /// `smtp_url`: `smtps://user:pass@host:465` (implicit TLS),
    /// `smtp://user:pass@host:587` (STARTTLS required), or with
    /// `?tls=opportunistic`, or `?tls=none` for an unencrypted relay on the
    /// same machine (tests' SMTP sink).
    ///
    /// # Errors
    /// A URL lettre can't use.
    pub fn new(smtp_url: Option<&str>, outbox: &Path) -> anyhow::Result<Self> {
        let Some(url) = smtp_url.filter(|u| !u.trim().is_empty()) else {
            return Ok(Self::Outbox(outbox.to_path_buf()));
        };
        let url = smtp_url_for_lettre(url);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| anyhow::anyhow!("HEARTH_SMTP_URL: {e}"))?
            .build();
        let describe = url
            .split_once('@')
            .map_or_else(
                || url.split_once("://").map_or(url.as_str(), |(_, r)| r),
                |(_, host)| host,
            )
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        Ok(Self::Smtp {
            transport,
            describe: format!("SMTP {describe}"),
        })
    }

    /// Where mail goes, for the log.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { describe, .. } => describe.clone(),
            Self::Outbox(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Sends `mail` from `from` now.
    ///
    /// # Errors
    /// A bad address, or the relay or the disk refused it.
    pub async fn send(&self, from: &str, mail: &Mail) -> anyhow::Result<()> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("HEARTH_MAIL_FROM {from:?}: {e}"))?;
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| anyhow::anyhow!("recipient {:?}: {e}", mail.to))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))?;
        match self {
            Self::Smtp { transport, .. } => {
                transport.send(message).await?;
            }
            Self::Outbox(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await?;
                tracing::info!(
                    file = %dir.join(format!("{id}.eml")).display(),
                    subject = %mail.subject,
                    "mail written to the outbox (no HEARTH_SMTP_URL set)"
                );
            }
        }
        Ok(())
    }
}

/// Our URL rules to lettre's: `smtp://` without `tls=` means STARTTLS
/// required; `tls=none` means unencrypted (lettre's bare `smtp://`).
fn smtp_url_for_lettre(url: &str) -> String {
    let url = url.trim();
    if !url.starts_with("smtp://") {
        return url.to_owned();
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if params.contains(&"tls=none") {
        params.retain(|p| !p.starts_with("tls="));
    } else if !params.iter().any(|p| p.starts_with("tls=")) {
        params.push("tls=required");
    }
    if params.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// Queues `mail`, in the caller's transaction when `db` is one. Call
/// `state.job_signal.wake()` after the commit so it leaves at once.
///
/// # Errors
/// `Internal` on database failure.
pub async fn enqueue<C: ConnectionTrait>(db: &C, mail: &Mail) -> AppResult<()> {
    crate::jobs::enqueue(db, MAIL_JOB, mail, MAIL_ATTEMPTS).await?;
    Ok(())
}

/// The mail job: sends the queued [`Mail`].
///
/// # Errors
/// A [`JobError`] when sending failed (retried), permanent for a payload
/// that isn't a mail.
pub async fn run_mail_job(
    state: AppState,
    job: crate::db::entities::jobs::Model,
) -> Result<(), JobError> {
    let mail: Mail = serde_json::from_str(&job.payload).map_err(|e| JobError {
        message: format!("bad mail payload: {e}"),
        permanent: true,
    })?;
    state
        .mailer
        .send(&state.accounts.mail_from, &mail)
        .await
        .map_err(|e| JobError::from(format!("{e:#}")))
}

/// A mail of short paragraphs with an optional button-like link, as text
/// and HTML (all input escaped).
pub fn compose(
    to: &str,
    subject: &str,
    greeting: &str,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
    footer: &str,
) -> Mail {
    let esc = |s: &str| html_escape::encode_text(s).into_owned();
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1c1e21;max-width:560px;margin:0 auto;padding:24px\">\
         <p style=\"font-weight:700;color:#c2410c\">Hearth</p><p>{}</p>",
        esc(subject),
        esc(greeting)
    );
    for p in paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", esc(p)));
    }
    if let Some((label, url)) = action {
        text.push_str(&format!("{label}: {url}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{0}\" style=\"display:inline-block;background:#c2410c;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">{1}</a></p>\
             <p style=\"font-size:13px;color:#555\">Or paste this link into your browser: {0}</p>",
            html_escape::encode_double_quoted_attribute(url),
            esc(label)
        ));
    }
    text.push_str(footer);
    text.push('\n');
    html.push_str(&format!(
        "<p style=\"font-size:13px;color:#555\">{}</p></body></html>",
        esc(footer)
    ));
    Mail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_require_starttls_unless_told_otherwise() {
        assert_eq!(
            smtp_url_for_lettre("smtp://u:p@mail.example:587"),
            "smtp://u:p@mail.example:587?tls=required"
        );
        assert_eq!(
            smtp_url_for_lettre("smtp://127.0.0.1:2525?tls=none"),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            smtp_url_for_lettre("smtp://h:25?tls=opportunistic"),
            "smtp://h:25?tls=opportunistic"
        );
        assert_eq!(
            smtp_url_for_lettre("smtps://u:p@h:465"),
            "smtps://u:p@h:465"
        );
    }

    #[test]
    fn compose_escapes_and_has_both_parts() {
        let m = compose(
            "a@b.example",
            "Hi <there>",
            "Hello <b>Ann</b>,",
            &["Line & more".to_owned()],
            Some(("Open", "https://h.example/x?a=1&b=2")),
            "Bye",
        );
        assert!(m.text.contains("Open: https://h.example/x?a=1&b=2"));
        assert!(m.html.contains("Hello &lt;b&gt;Ann&lt;/b&gt;"));
        assert!(m.html.contains("href=\"https://h.example/x?a=1&amp;b=2\""));
        assert!(!m.html.contains("<b>Ann"));
    }
}
