//! What an operator can tune: how many reports hold a comment, what happens to a comment that
//! suggests someone is at risk, the rate limits (of taking part and of the open-data API) and
//! lock-outs, cookies, the address behind a proxy, how long a slow client may take, how email is
//! sent, and who runs the site (for the privacy notice).

use heard_store::LockoutPolicy;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Unresolved reports that hold a comment for a moderator's review.
    pub reports_to_hold: i64,
    /// What happens to a comment the checks flag because someone may be at risk.
    pub safeguarding: SafeguardingPolicy,
    /// Read comments with the model beside the patterns for safeguarding (`checks::reading`), when
    /// the model is installed. Off unless asked for: it catches far more of how people in trouble
    /// write, and also holds about one ordinary comment in a hundred for a moderator.
    pub safeguarding_model: bool,
    pub limits: Limits,
    /// Mark cookies `Secure` and send `Strict-Transport-Security` (set this when the site is
    /// served over HTTPS).
    pub secure_cookies: bool,
    /// How long a connection may take to send a request's headers before it is closed.
    pub header_read_timeout: std::time::Duration,
    /// How long a request may take, its body included, before it is answered 408 and its
    /// connection closed (a 10 MB scan over a slow phone line fits; a client trickling bytes does not).
    pub request_timeout: std::time::Duration,
    /// Take the visitor's address from the last `X-Forwarded-For` entry (behind one trusted proxy).
    pub trust_forwarded_for: bool,
    /// How email is sent; without it, password reset says it is not available.
    pub mail: Option<MailSettings>,
    /// The site's address as people reach it, for links in emails ("https://heard.example.org").
    pub public_url: String,
    /// The embedding model for analysis runs (all-MiniLM-L6-v2, and the fast mode's table);
    /// without it, runs fall back to the lexical mode and say so.
    pub model_dir: Option<std::path::PathBuf>,
    /// Who runs this site and controls the personal data it holds ("Mayor's Office for Policing and
    /// Crime"), named in the privacy notice. Empty: the notice says "the organisation running this
    /// site", and `heard serve` warns the operator at start.
    pub organisation: String,
    /// How to reach the organisation (or its data protection officer) about personal data: an email
    /// or postal address, as the privacy notice should show it.
    pub privacy_contact: String,
    /// The operator's own privacy notice, replacing the default: plain text, paragraphs separated by
    /// blank lines, a line starting "## " a heading, lines starting "- " a list.
    pub privacy_notice: Option<String>,
    /// Whether this is the demo, which no real organisation runs (the privacy notice says so).
    pub demo: bool,
    /// Months after a consultation's results are published when `heard retention` removes its
    /// personal data; the privacy notice says so.
    pub retention_months: Option<u32>,
    /// Whether `/metrics` answers (to requests made on this machine directly).
    pub metrics: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            reports_to_hold: 3,
            safeguarding: SafeguardingPolicy::Hold,
            safeguarding_model: false,
            limits: Limits::default(),
            secure_cookies: false,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            trust_forwarded_for: false,
            mail: None,
            public_url: "http://127.0.0.1:8080".into(),
            model_dir: None,
            organisation: String::new(),
            privacy_contact: String::new(),
            privacy_notice: None,
            demo: false,
            retention_months: None,
            metrics: false,
        }
    }
}

/// What happens to a comment, reply or edit that suggests someone may be at risk. Either way its
/// author is shown the support page's numbers at once, the comment is flagged in the moderators'
/// queue, and moderators are emailed when mail is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SafeguardingPolicy {
    /// Held for a moderator before anyone else sees it (the default).
    #[default]
    Hold,
    /// Published at once, and flagged for a moderator.
    PublishAndFlag,
}

impl SafeguardingPolicy {
    /// `hold` or `publish-and-flag`, as `--safeguarding` takes them.
    pub fn parse(s: &str) -> Option<SafeguardingPolicy> {
        match s {
            "hold" => Some(SafeguardingPolicy::Hold),
            "publish-and-flag" => Some(SafeguardingPolicy::PublishAndFlag),
            _ => None,
        }
    }
}

/// How long a connection may take over its request's headers, unless configured otherwise.
pub const DEFAULT_HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a request may take, its body included, unless configured otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// At most `limit` attempts per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: i64,
    pub window_secs: i64,
}

impl Rate {
    pub const fn per_minute(limit: i64) -> Rate {
        Rate { limit, window_secs: 60 }
    }

    pub const fn per_hour(limit: i64) -> Rate {
        Rate { limit, window_secs: 3600 }
    }
}

/// Rate limits and lock-outs, per account and per address. Counted in the database, so they hold
/// across app instances.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wrong passwords for one account from one address: after 5, each try waits a minute, then
    /// two, four... up to 15 minutes. The owner, signing in from elsewhere, is not slowed.
    pub login_account_address: LockoutPolicy,
    /// Wrong passwords for one account from any addresses (guesses spread over many machines):
    /// after 20, every try at the account waits, doubling up to 15 minutes. A password reset
    /// clears it.
    pub login_account: LockoutPolicy,
    /// Wrong passwords from one address, for any accounts: generous, since many people can share
    /// one address behind a proxy.
    pub login_address: LockoutPolicy,
    pub registrations_per_address: Rate,
    /// Comments, replies and edits.
    pub posts_per_account: Rate,
    pub posts_per_address: Rate,
    pub reports_per_account: Rate,
    /// Agreeing and taking it back.
    pub agreements_per_account: Rate,
    pub password_resets_per_address: Rate,
    /// Registrations of interest in events by visitors without an account, so that nobody fills an
    /// event's places with made-up names.
    pub event_registrations_per_address: Rate,
    /// Requests to the open-data API (`/api/...`) and the open-data downloads from one address.
    pub api_requests_per_address: Rate,
}

impl Default for Limits {
    fn default() -> Limits {
        let day = 86_400;
        Limits {
            login_account_address: LockoutPolicy {
                free_failures: 5,
                base_secs: 60,
                max_secs: 900,
                forget_after_secs: day,
            },
            login_account: LockoutPolicy {
                free_failures: 20,
                base_secs: 60,
                max_secs: 900,
                forget_after_secs: day,
            },
            login_address: LockoutPolicy {
                free_failures: 100,
                base_secs: 60,
                max_secs: 900,
                forget_after_secs: day,
            },
            registrations_per_address: Rate::per_hour(20),
            posts_per_account: Rate::per_minute(10),
            posts_per_address: Rate::per_minute(60),
            reports_per_account: Rate::per_hour(30),
            agreements_per_account: Rate::per_minute(60),
            password_resets_per_address: Rate::per_hour(10),
            event_registrations_per_address: Rate::per_hour(10),
            // Enough for a script paging through a large consultation at a steady pace; a
            // crawler that wants more waits a minute, and every instance counts the same.
            api_requests_per_address: Rate::per_minute(300),
        }
    }
}

/// An SMTP server to send through, and who the mail comes from.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    /// "heard <no-reply@example.org>".
    pub from: String,
}

impl MailSettings {
    /// Reads `smtp://HOST:PORT` (plain SMTP: for a relay on the same machine or network).
    pub fn from_url(url: &str, from: &str) -> Result<MailSettings, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| format!("{url:?} is not an smtp://HOST:PORT address"))?
            .trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => {
                (host, port.parse().map_err(|_| format!("{port:?} in {url:?} is not a port number"))?)
            }
            None => (rest, 25),
        };
        if host.is_empty() {
            return Err(format!("{url:?} names no host"));
        }
        Ok(MailSettings { smtp_host: host.to_owned(), smtp_port: port, from: from.to_owned() })
    }
}
