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
pub(crate) fn mail_to(maildir: &std::path::Path, to: &str) -> Vec<String> {
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

/// Waits (up to 10 s) for a message to `to`, letting the app's tasks (which send mail off the
/// request) run meanwhile.
pub(crate) async fn wait_for_mail(maildir: &PathBuf, to: &str) -> String {
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
        tokio::time::sleep(Duration::from_millis(50)).await;
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
    let message = wait_for_mail(&maildir, &email).await;
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
    tokio::time::sleep(Duration::from_millis(300)).await;
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
    let message = wait_for_mail(&maildir, &email).await;
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

/// Settings whose SMTP server takes connections and never answers, as a stuck relay does.
async fn silent_smtp_settings() -> (Settings, tokio::net::TcpListener) {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", silent.local_addr().unwrap());
    let settings = Settings {
        mail: Some(MailSettings::from_url(&url, "heard <no-reply@heard.test>").unwrap()),
        public_url: PUBLIC_URL.into(),
        ..Settings::default()
    };
    (settings, silent)
}

/// Whether an address has an account does not show in how long the answer takes: the link is made
/// and mailed off the request, so even a mail server that never answers does not hold it up.
#[tokio::test]
async fn asking_for_a_link_answers_at_once_whether_or_not_there_is_an_account() {
    let (settings, _silent) = silent_smtp_settings().await;
    let app = TestApp::with_settings(Backend::Sqlite, "2025-03-01", settings).await;
    app.account(Role::Resident, "Rosa", "rosa@example.org").await;
    let browser = app.browser("198.51.100.1");
    for email in ["rosa@example.org", "nobody@example.org"] {
        let asked = tokio::time::timeout(
            Duration::from_secs(5),
            browser.submit("/password-reset", "/password-reset", &[("email", email)]),
        )
        .await
        .unwrap_or_else(|_| panic!("asking for {email} waited for the mail server"));
        assert_eq!(asked.status, StatusCode::OK);
        asked.shows("Check your email").shows("If an account uses that email address");
    }
}

/// Registering with an address that has an account looks just like registering with a new one
/// ("Check your email", no session), and the email tells the address's owner, not the page.
async fn registering_a_taken_address_looks_like_a_new_one(backend: Backend) {
    let (settings, maildir) = mail_settings();
    let app = TestApp::with_settings(backend, "2025-03-01", settings).await;
    let tag = format!("{}-{:?}", std::process::id(), backend).to_lowercase();
    let owner = format!("owner-{tag}@example.org");
    let newcomer = format!("new-{tag}@example.org");
    app.account(Role::Resident, "Olu", &owner).await;
    let form = |name: &'static str, email: &str| {
        vec![
            ("display_name", name.to_owned()),
            ("email", email.to_owned()),
            ("password", PASSWORD.to_owned()),
            ("sixteen", "yes".to_owned()),
        ]
    };
    let mut pages = Vec::new();
    for (name, email) in [("Nia", newcomer.clone()), ("Someone", owner.to_uppercase())] {
        let browser = app.browser("198.51.100.2");
        let fields = form(name, &email);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = browser.submit("/register", "/register", &fields).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        page.shows("Check your email")
            .shows("We have sent an email to the address you gave, saying how to sign in, with a link to confirm")
            .lacks("already");
        assert!(browser.cookie("heard_session").is_none(), "nobody is signed in");
        pages.push(page.html.clone());
    }
    assert_eq!(pages[0], pages[1], "the two answers are the same page");

    let welcome = wait_for_mail(&maildir, &newcomer).await;
    assert!(welcome.contains("Subject: Confirm your email address"), "{welcome}");
    assert!(welcome.contains(&format!("{PUBLIC_URL}/account/confirm/")), "{welcome}");
    assert!(welcome.contains(&format!("{PUBLIC_URL}/login")), "{welcome}");
    let notice = wait_for_mail(&maildir, &owner).await;
    assert!(notice.contains("Subject: You already have an account"), "{notice}");
    assert!(
        notice.contains("Hello Olu") && notice.contains(&format!("{PUBLIC_URL}/password-reset")),
        "{notice}"
    );
    // The owner's account is as it was; the newcomer signs in with the password they chose.
    let account = app.store.account_by_email(&owner).await.unwrap().unwrap();
    assert_eq!(account.user.display_name, "Olu");
    let signed_in = app.browser("198.51.100.3").sign_in(&newcomer, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_taken_address_registers_like_a_new_one_on_sqlite() {
    registering_a_taken_address_looks_like_a_new_one(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_taken_address_registers_like_a_new_one_on_postgres() {
    registering_a_taken_address_looks_like_a_new_one(Backend::Postgres).await;
}
