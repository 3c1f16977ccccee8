//! Password reset by email, through a real SMTP server on 127.0.0.1 (aiosmtpd, which
//! `scripts/test` starts and names in `HEARD_TEST_SMTP_URL`, filing what it receives in the Maildir
//! named by `HEARD_TEST_MAILDIR`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use heard_store::*;
use heard_web::{MailSettings, Settings};

use crate::{PASSWORD, TestApp};

const PUBLIC_URL: &str = "http://heard.test";

pub(crate) fn mail_settings() -> (Settings, PathBuf) {
    let url = std::env::var("HEARD_TEST_SMTP_URL").unwrap_or_else(|_| {
        panic!("HEARD_TEST_SMTP_URL is not set: run the tests with scripts/test, which starts an SMTP server")
    });
    let maildir = std::env::var("HEARD_TEST_MAILDIR").expect("HEARD_TEST_MAILDIR, set by scripts/test");
    let settings = Settings {
        mail: Some(MailSettings::from_url(&url, "heard <no-reply@heard.test>").unwrap()),
        public_url: PUBLIC_URL.into(),
        ..Settings::default()
    };
    (settings, PathBuf::from(maildir))
}

/// The messages the SMTP server received for `to`, as text with quoted-printable undone.
fn mail_to(maildir: &PathBuf, to: &str) -> Vec<String> {
    let mut found = Vec::new();
    for folder in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(folder)) else { continue };
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let header_end = text.find("\n\n").or_else(|| text.find("\r\n\r\n")).unwrap_or(text.len());
            let to_line = text[..header_end].lines().find(|l| l.to_ascii_lowercase().starts_with("to:"));
            if to_line.is_some_and(|l| l.contains(to)) {
                found.push(unquote(&text));
            }
        }
    }
    found
}

/// Waits (up to 10 s) for a message to `to`.
pub(crate) fn wait_for_mail(maildir: &PathBuf, to: &str) -> String {
    let start = Instant::now();
    loop {
        if let Some(message) = mail_to(maildir, to).pop() {
            return message;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no mail to {to} arrived in {}",
            maildir.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Undoes quoted-printable soft line breaks and escapes, in case the mail used them.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let mut out = String::with_capacity(joined.len());
    let mut rest = joined.as_str();
    while let Some(at) = rest.find('=') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match code {
            Some(byte) => {
                out.push(byte as char);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('=');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

async fn a_reset_link_arrives_by_email_works_once_and_signs_out_elsewhere(backend: Backend) {
    let (settings, maildir) = mail_settings();
    let app = TestApp::with_settings(backend, "2025-03-01", settings).await;
    let email = format!("reset-{}-{:?}@example.org", std::process::id(), backend).to_lowercase();
    app.account(Role::Resident, "Rosa", &email).await;
    let elsewhere = app.browser("198.51.100.9");
    elsewhere.sign_in(&email, PASSWORD).await;
    assert_eq!(elsewhere.get("/account").await.status, StatusCode::OK);

    let browser = app.browser("198.51.100.1");
    browser.get("/login").await.shows(r#"<a href="/password-reset">Forgotten your password?</a>"#);
    let asked =
        browser.submit("/password-reset", "/password-reset", &[("email", &email.to_uppercase())]).await;
    assert_eq!(asked.status, StatusCode::OK);
    asked.shows("Check your email").shows("If an account uses that email address");
    let message = wait_for_mail(&maildir, &email);
    assert!(message.contains("Subject: Reset your password"), "{message}");
    assert!(message.contains("Hello Rosa"), "{message}");
    let start = message.find(&format!("{PUBLIC_URL}/password-reset/")).expect("a link in the mail");
    let link: String = message[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let path = link.trim_start_matches(PUBLIC_URL).to_owned();

    let form = browser.get(&path).await;
    form.shows("<h1>Choose a new password</h1>");
    let short = browser.post(&path, &[("csrf", &form.csrf()), ("password", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.shows("Your new password needs at least 10 characters");
    let done = browser.post(&path, &[("csrf", &form.csrf()), ("password", "a brand new passphrase")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/account");
    browser.get("/account").await.shows(&email);
    // Signed out everywhere else; the old password no longer works, the new one does.
    assert_eq!(elsewhere.get("/account").await.status, StatusCode::SEE_OTHER);
    let other = app.browser("198.51.100.10");
    assert_eq!(other.sign_in(&email, PASSWORD).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.sign_in(&email, "a brand new passphrase").await.status, StatusCode::SEE_OTHER);
    // The link works once.
    let again = app.browser("198.51.100.11");
    let used = again.get(&path).await;
    assert_eq!(used.status, StatusCode::GONE);
    used.shows("This link has expired");
}

#[tokio::test]
async fn password_reset_by_email_on_sqlite() {
    a_reset_link_arrives_by_email_works_once_and_signs_out_elsewhere(Backend::Sqlite).await;
}

#[tokio::test]
async fn password_reset_by_email_on_postgres() {
    a_reset_link_arrives_by_email_works_once_and_signs_out_elsewhere(Backend::Postgres).await;
}

#[tokio::test]
async fn asking_for_an_unknown_address_looks_the_same_and_sends_nothing() {
    let (settings, maildir) = mail_settings();
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    let nobody = format!("nobody-{}@example.org", std::process::id());
    let browser = app.browser("198.51.100.1");
    let page = browser.submit("/password-reset", "/password-reset", &[("email", &nobody)]).await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("Check your email").shows("If an account uses that email address");
    std::thread::sleep(Duration::from_millis(300));
    assert!(mail_to(&maildir, &nobody).is_empty());
}

#[tokio::test]
async fn a_link_expires_after_an_hour() {
    let (settings, maildir) = mail_settings();
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    let email = format!("late-{}@example.org", std::process::id());
    app.account(Role::Resident, "Late", &email).await;
    let browser = app.browser("198.51.100.1");
    browser.submit("/password-reset", "/password-reset", &[("email", &email)]).await;
    let message = wait_for_mail(&maildir, &email);
    let start = message.find("/password-reset/").unwrap();
    let path: String = message[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    app.state.advance_clock(3601);
    assert_eq!(browser.get(&path).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn without_email_set_up_the_site_says_so() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    let browser = app.browser("198.51.100.1");
    browser.get("/login").await.lacks("Forgotten your password?");
    browser.get("/password-reset").await.shows("Password reset by email is not set up on this site.");
    let token = browser.get("/login").await.csrf();
    let page = browser.post("/password-reset", &[("csrf", &token), ("email", "a@example.org")]).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
}
