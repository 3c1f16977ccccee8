//! The command line: parses arguments, runs one command, prints errors with their causes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use heard_store::{Areas, SqliteSync, Store, StoreOptions, TimeZone, Timestamp};
use heard_web::{AppState, Clock, Limits, MailSettings, Rate, SafeguardingPolicy, Settings};

use crate::demo;
use crate::import::{DiscussionNaming, discussion_import, talk_london};

#[derive(Debug, Parser)]
#[command(
    name = "heard",
    version,
    about = "A self-hostable public-consultation platform with a built-in analysis engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives: a data directory (SQLite) or a database URL.
#[derive(Debug, clap::Args)]
struct Database {
    /// The data directory; the SQLite database is DIR/heard.db.
    #[arg(long, default_value = "heard-data", conflicts_with = "database_url")]
    data_dir: PathBuf,
    /// sqlite://PATH or postgres://USER@HOST/DB, instead of the data directory.
    #[arg(long, env = "HEARD_DATABASE_URL")]
    database_url: Option<String>,
    /// The install's time zone (an IANA name): dates and times are local, and a consultation
    /// closes at the end of its closing day there.
    #[arg(long, env = "HEARD_TIME_ZONE", default_value = TimeZone::DEFAULT, value_parser = parse_time_zone)]
    time_zone: TimeZone,
    #[command(flatten)]
    areas: AreaOptions,
    #[command(flatten)]
    tuning: StoreTuning,
}

/// The install's areas: the operator's list, or none.
#[derive(Debug, clap::Args)]
struct AreaOptions {
    /// A file of the install's areas (wards, boroughs, districts), one name a line; `#` starts a
    /// comment. Without it the install has no areas and nobody is asked where they live.
    #[arg(long, env = "HEARD_AREAS")]
    areas: Option<PathBuf>,
    /// What one area is called on pages ("ward", "borough", "London borough").
    #[arg(long, env = "HEARD_AREA_NOUN", default_value = "area")]
    area_noun: String,
}

impl AreaOptions {
    /// The list from `--areas`, or `default` without it.
    fn read(&self, default: Areas) -> Result<Areas> {
        let Some(path) = &self.areas else { return Ok(default) };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the areas file {}", path.display()))?;
        Areas::parse(&text, &self.area_noun).with_context(|| format!("the areas file {}", path.display()))
    }
}

fn parse_sqlite_sync(s: &str) -> Result<SqliteSync, String> {
    SqliteSync::parse(s).ok_or_else(|| format!("{s:?} is not `full` or `normal`"))
}

/// How heard uses its database, as an operator may tune it.
#[derive(Debug, clap::Args)]
struct StoreTuning {
    /// SQLite: `full` syncs every commit to disk before it is acknowledged, so an acknowledged post
    /// survives a power cut; `normal` syncs only at checkpoints (faster; a crash of heard loses
    /// nothing, a power cut or kernel panic can lose the last commits).
    #[arg(long, env = "HEARD_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = parse_sqlite_sync)]
    sqlite_synchronous: SqliteSync,
    /// PostgreSQL: seconds a request waits for a database connection (the server down or
    /// restarting, every connection busy) before it is answered 503 "try again shortly".
    #[arg(
        long,
        env = "HEARD_DATABASE_TIMEOUT_SECS",
        default_value_t = heard_store::DEFAULT_CONNECT_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    database_timeout_secs: u64,
}

impl StoreTuning {
    fn options(&self) -> StoreOptions {
        StoreOptions {
            sqlite_sync: self.sqlite_synchronous,
            connect_timeout: std::time::Duration::from_secs(self.database_timeout_secs),
        }
    }
}

impl Database {
    /// Opens a database that must exist already: commands that read or add to a consultation's
    /// register should not make an empty data directory where a path was mistyped.
    async fn open_existing(&self) -> Result<Store> {
        if self.database_url.is_none() && !self.data_dir.join(heard_store::SQLITE_FILE).is_file() {
            bail!(
                "there is no heard database in {}: give the data directory that heard demo or heard serve \
                 uses (--data-dir DIR), or --database-url",
                self.data_dir.display()
            );
        }
        self.open().await
    }

    async fn open(&self) -> Result<Store> {
        // A bad areas file is refused before a database is made or migrated.
        let areas = self.areas.read(Areas::none())?;
        let options = self.tuning.options();
        let store = match &self.database_url {
            Some(url) => Store::connect_with(url, &options).await.context("opening the database")?,
            None => Store::open_data_dir_with(&self.data_dir, &options)
                .await
                .with_context(|| format!("opening the data directory {}", self.data_dir.display()))?,
        };
        Ok(store.with_time_zone(self.time_zone.clone()).with_areas(areas))
    }
}

fn parse_time_zone(s: &str) -> Result<TimeZone, String> {
    TimeZone::named(s).map_err(|e| e.to_string())
}

fn parse_safeguarding(s: &str) -> Result<SafeguardingPolicy, String> {
    SafeguardingPolicy::parse(s).ok_or_else(|| format!("{s:?} is not `hold` or `publish-and-flag`"))
}

#[derive(Debug, clap::Args)]
struct WebOptions {
    /// How long, in milliseconds, a rendered public page may be served again to visitors without
    /// a session (0 turns the cache off).
    #[arg(long, default_value_t = 1000)]
    page_cache_ms: u64,
    /// Unresolved reports that hide a comment until a moderator reviews it.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i64).range(1..))]
    reports_to_hold: i64,
    /// What happens to a comment the checks before posting flag because someone may be at risk:
    /// `hold` it for a moderator before anyone else sees it, or `publish-and-flag` it. Either way
    /// its author sees the support page's numbers and moderators are told.
    #[arg(long, default_value = "hold", value_parser = parse_safeguarding)]
    safeguarding: SafeguardingPolicy,
    /// Read each comment with the model as well as the patterns for safeguarding, when the model is
    /// installed: on our held-out sentences it catches 0.95 of risks where the patterns alone catch
    /// 0.71, and it flags about 1 in 100 ordinary comments, which moderators then release.
    #[arg(long)]
    safeguarding_model: bool,
    /// The SMTP server that sends password reset links: smtp://HOST:PORT (plain SMTP, to a relay).
    #[arg(long, env = "HEARD_SMTP_URL")]
    smtp_url: Option<String>,
    /// Who email comes from.
    #[arg(long, env = "HEARD_MAIL_FROM", default_value = "heard <no-reply@localhost>")]
    mail_from: String,
    /// The site's address as people reach it, for links in emails (default: http://ADDR).
    #[arg(long, env = "HEARD_PUBLIC_URL")]
    public_url: Option<String>,
    /// Mark cookies Secure and send Strict-Transport-Security: set this when the site is served
    /// over HTTPS.
    #[arg(long, env = "HEARD_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Seconds a connection may take to send a request's headers before it is closed.
    #[arg(
        long,
        env = "HEARD_HEADER_TIMEOUT_SECS",
        default_value_t = heard_web::DEFAULT_HEADER_READ_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    header_timeout_secs: u64,
    /// Seconds a request may take, its body (a form, an upload) included, before it is answered
    /// 408 and its connection closed.
    #[arg(
        long,
        env = "HEARD_REQUEST_TIMEOUT_SECS",
        default_value_t = heard_web::DEFAULT_REQUEST_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    request_timeout_secs: u64,
    /// Take visitors' addresses (for rate limits) from the last X-Forwarded-For entry: set this
    /// only behind one trusted reverse proxy.
    #[arg(long, env = "HEARD_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Rate limit: comments, replies and edits one account may send a minute.
    #[arg(
        long,
        env = "HEARD_POSTS_PER_ACCOUNT_PER_MINUTE",
        default_value_t = Limits::default().posts_per_account.limit,
        value_parser = clap::value_parser!(i64).range(1..)
    )]
    posts_per_account_per_minute: i64,
    /// Rate limit: comments, replies and edits one address (all its accounts) may send a minute.
    #[arg(
        long,
        env = "HEARD_POSTS_PER_ADDRESS_PER_MINUTE",
        default_value_t = Limits::default().posts_per_address.limit,
        value_parser = clap::value_parser!(i64).range(1..)
    )]
    posts_per_address_per_minute: i64,
    /// Rate limit: requests to the open-data API and downloads one address may make a minute.
    #[arg(
        long,
        env = "HEARD_API_REQUESTS_PER_ADDRESS_PER_MINUTE",
        default_value_t = Limits::default().api_requests_per_address.limit,
        value_parser = clap::value_parser!(i64).range(1..)
    )]
    api_requests_per_address_per_minute: i64,
    /// The embedding model analysis runs use (default: $HEARD_MODEL_DIR; for the demo, else
    /// DATA_DIR/model/all-MiniLM-L6-v2). Without it, runs fall back to the lexical mode and say so.
    #[arg(long, env = "HEARD_MODEL_DIR")]
    model_dir: Option<PathBuf>,
    /// Who runs this site and controls the personal data it holds, as the privacy notice names it
    /// ("Mayor's Office for Policing and Crime").
    #[arg(long, env = "HEARD_ORGANISATION", default_value = "")]
    organisation: String,
    /// How people reach the organisation (or its data protection officer) about their personal
    /// data: an email or postal address, shown in the privacy notice.
    #[arg(long, env = "HEARD_PRIVACY_CONTACT", default_value = "")]
    privacy_contact: String,
    /// A file with the organisation's own privacy notice, shown at /privacy instead of heard's
    /// default: plain text, paragraphs separated by blank lines, "## " starting a heading and "- " a
    /// list item.
    #[arg(long, env = "HEARD_PRIVACY_NOTICE")]
    privacy_notice: Option<PathBuf>,
    /// Months after a consultation's results are published when its personal data is removed (by
    /// `heard retention`, which reads the same setting); the privacy notice says so.
    #[arg(long, env = "HEARD_RETENTION_MONTHS", value_parser = clap::value_parser!(u32).range(1..))]
    retention_months: Option<u32>,
    /// Answer /metrics (Prometheus's text format: requests by route and status, latency, database
    /// connections, the job queue), to requests made on this machine directly only (loopback, not
    /// through a proxy).
    #[arg(long, env = "HEARD_METRICS")]
    metrics: bool,
}

impl WebOptions {
    fn state(
        &self,
        store: Store,
        addr: SocketAddr,
        model_dir: Option<PathBuf>,
        demo: bool,
    ) -> Result<AppState> {
        let mail = match &self.smtp_url {
            Some(url) => Some(MailSettings::from_url(url, &self.mail_from).map_err(anyhow::Error::msg)?),
            None => None,
        };
        let privacy_notice = match &self.privacy_notice {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the privacy notice {}", path.display()))?;
                if text.trim().is_empty() {
                    bail!("the privacy notice {} is empty", path.display());
                }
                Some(text)
            }
            None => None,
        };
        if !demo && self.organisation.trim().is_empty() {
            tracing::warn!(
                "the privacy notice at /privacy does not say who runs this site: name the organisation with \
                 --organisation NAME (and how to reach it with --privacy-contact)"
            );
        }
        let settings = Settings {
            reports_to_hold: self.reports_to_hold,
            safeguarding: self.safeguarding,
            safeguarding_model: self.safeguarding_model,
            secure_cookies: self.secure_cookies,
            header_read_timeout: std::time::Duration::from_secs(self.header_timeout_secs),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            trust_forwarded_for: self.trust_forwarded_for,
            mail,
            public_url: self.public_url.clone().unwrap_or_else(|| format!("http://{addr}")),
            model_dir: model_dir.or_else(|| self.model_dir.clone()),
            organisation: self.organisation.trim().to_owned(),
            privacy_contact: self.privacy_contact.trim().to_owned(),
            privacy_notice,
            demo,
            retention_months: self.retention_months,
            metrics: self.metrics,
            limits: Limits {
                posts_per_account: Rate::per_minute(self.posts_per_account_per_minute),
                posts_per_address: Rate::per_minute(self.posts_per_address_per_minute),
                api_requests_per_address: Rate::per_minute(self.api_requests_per_address_per_minute),
                ..Limits::default()
            },
        };
        let ttl = std::time::Duration::from_millis(self.page_cache_ms);
        Ok(AppState::build(store, Clock::System, ttl, settings))
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the demo: the Mayor's Police and Crime Plan 2025-29 consultation, on SQLite.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[arg(long, default_value = "heard-data")]
        data_dir: PathBuf,
        /// The folder of saved Talk London pages to import (default: ../shared/seeds when present).
        #[arg(long)]
        seeds: Option<PathBuf>,
        /// Fill the data directory, then exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// The install's time zone (an IANA name), as for `heard serve`.
        #[arg(long, env = "HEARD_TIME_ZONE", default_value = TimeZone::DEFAULT, value_parser = parse_time_zone)]
        time_zone: TimeZone,
        /// The demo's areas are London's 33 boroughs unless `--areas` names another list.
        #[command(flatten)]
        areas: AreaOptions,
        #[command(flatten)]
        tuning: StoreTuning,
        #[command(flatten)]
        web: WebOptions,
    },
    /// Serve the site from a database.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        database: Database,
        #[command(flatten)]
        web: WebOptions,
    },
    /// Write a consistent copy of a data directory's SQLite database to FILE, safe while heard
    /// serves and writes (for PostgreSQL, use pg_dump).
    Backup {
        /// The data directory heard serves (its database is DIR/heard.db).
        #[arg(long)]
        data_dir: PathBuf,
        /// The backup to write; it must not exist yet.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace a data directory's SQLite database with a backup (refused while heard uses the
    /// directory); the database it replaces is kept beside it under a new name.
    Restore {
        /// The backup, as `heard backup` wrote it.
        file: PathBuf,
        /// The data directory to restore into (created when missing); no heard may be using it.
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// The register of responses: import letters, emails and event notes from a CSV file; export
    /// every response of every channel.
    #[command(subcommand)]
    Responses(Responses),
    /// List the consultations with their status and number of respondents.
    #[command(subcommand)]
    Consultations(Consultations),
    /// Import responses or discussions from a file.
    #[command(subcommand)]
    Import(Import),
    /// Manage accounts: create the first administrator.
    #[command(subcommand)]
    Users(Users),
    /// Write synthetic (generated, clearly marked) content, for demos and benchmarks.
    #[command(subcommand)]
    Synth(Synth),
    /// Check one text from standard input for personal data, incident reports and safeguarding
    /// risks, and print what was found and the text with the personal data redacted. The flags are
    /// read as posting reads them: by the patterns, and with `--safeguarding-model` by the model too.
    Redact {
        /// Print JSON: {"findings": [...], "flags": [...], "redacted": "..."}.
        #[arg(long)]
        json: bool,
        /// Read the text with the model as well as the patterns for safeguarding, as `heard serve
        /// --safeguarding-model` reads comments.
        #[arg(long)]
        safeguarding_model: bool,
        #[command(flatten)]
        model: crate::analyse::ModelLocation,
    },
    /// Remove personal data (senders' email addresses, attached files, survey addresses and drafts,
    /// event places) from consultations whose results were published at least --retention-months
    /// ago; the responses' words and counts stay. Run it daily, from cron or a timer.
    Retention {
        /// Months after the results are published (the same setting `heard serve` shows in the
        /// privacy notice).
        #[arg(long, env = "HEARD_RETENTION_MONTHS", value_parser = clap::value_parser!(u32).range(1..))]
        retention_months: Option<u32>,
        /// List what would be removed, and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        database: Database,
    },
    /// Install, check or distil the embedding model the analysis engine uses.
    #[command(subcommand)]
    Model(crate::model::ModelCommand),
    /// Analyse free-text responses: themes, mapping, stance, campaigns, and a report.
    Analyse(crate::analyse::AnalyseArgs),
    /// Measure the engine against gold outputs.
    #[command(subcommand)]
    Eval(crate::eval::EvalCommand),
    /// Group the participants of a Polis conversation by their votes, as Polis does, and print the
    /// groups, the statements that set each apart, and those every group agrees with or splits on.
    OpinionGroups(crate::opinion_groups::OpinionGroupsArgs),
}

#[derive(Debug, Subcommand)]
enum Import {
    /// Read a saved Talk London discussion page (page text) and store it, or print it as JSON.
    TalkLondon {
        file: PathBuf,
        /// Print what the page holds as JSON instead of storing it.
        #[arg(long)]
        json: bool,
        /// The consultation to add the discussion to (default: made from the page's title).
        #[arg(long)]
        consultation: Option<String>,
        /// The discussion's title (default: its first question).
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
enum Responses {
    /// Check a CSV file (columns channel, received, respondent_type, organisation, borough, text, and
    /// optionally question and email) and import every row, or nothing when any row is wrong.
    Import {
        file: PathBuf,
        /// The consultation's slug.
        #[arg(long)]
        consultation: String,
        #[command(flatten)]
        database: Database,
    },
    /// Write every response of every channel (comments and replies, survey answers, letters,
    /// emails, event notes), one line per text, multi-line text intact.
    Export {
        #[arg(long)]
        consultation: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::responses::ExportFormat,
        /// The file to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
enum Consultations {
    /// Slug, title, status and the number of distinct respondents of every consultation.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
enum Users {
    /// Create an account. The password is read from the first line of standard input.
    Create {
        #[arg(long, value_parser = ["resident", "host", "moderator", "admin"])]
        role: String,
        #[arg(long)]
        email: String,
        /// The display name shown beside their comments.
        #[arg(long)]
        name: String,
        /// Read the password from standard input (what happens anyway; for scripts to say so).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
enum Synth {
    /// Add a discussion of generated comments to an existing consultation.
    Discussion {
        #[arg(long)]
        consultation: String,
        #[arg(long, default_value = "synthetic")]
        slug: String,
        #[arg(long, default_value_t = 200)]
        comments: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        database: Database,
    },
    /// Write a consultation's responses with planted themes and campaigns, for benchmarks: FILE
    /// as JSONL (`response_id`, `response`), and beside it FILE.planted.json with the question,
    /// the planted themes and campaigns, and each response's planted themes.
    Responses {
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The JSONL file to write (e.g. corpus.jsonl; the sidecar is corpus.planted.json).
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Every command has awaited its work by now, but what it dropped may still be closing (the
    // SQLite connections' last checkpoint), so wait for that as dropping the runtime would. Only an
    // analysis that `serve` handed back on shutdown, still computing on a blocking thread, would
    // keep the wait going: its job is queued again, so give up on it after a few seconds.
    runtime.shutdown_timeout(std::time::Duration::from_secs(10));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo { addr, data_dir, seeds, no_serve, time_zone, areas, tuning, web } => {
            let areas = areas.read(Areas::london())?;
            run_demo(addr, &data_dir, seeds, no_serve, &tuning.options(), &time_zone, areas, &web).await
        }
        Command::Backup { data_dir, out } => backup(&data_dir, &out).await,
        Command::Restore { file, data_dir } => restore(&file, &data_dir).await,
        Command::Serve { addr, database, web } => {
            let store = database.open().await?;
            let state = web.state(store.clone(), addr, None, false)?;
            serve(addr, &store, state).await
        }
        Command::Users(Users::Create { role, email, name, password_stdin: _, database }) => {
            crate::users::create(&role, &email, &name, &database.open().await?).await
        }
        Command::Responses(Responses::Import { file, consultation, database }) => {
            let store = database.open_existing().await?;
            crate::responses::import(&store, &consultation, &file, store.today(Timestamp::now())).await
        }
        Command::Responses(Responses::Export { consultation, format, out, database }) => {
            crate::responses::export(&database.open_existing().await?, &consultation, format, out.as_ref())
                .await
        }
        Command::Consultations(Consultations::List { json, database }) => {
            let store = database.open_existing().await?;
            crate::responses::list(&store, json, store.today(Timestamp::now())).await
        }
        Command::Import(Import::TalkLondon { file, json, consultation, title, database }) => {
            import_talk_london(&file, json, consultation, title, &database).await
        }
        Command::Synth(Synth::Discussion { consultation, slug, comments, seed, database }) => {
            let store = database.open().await?;
            synth_discussion(&store, &consultation, &slug, comments, seed).await
        }
        Command::Synth(Synth::Responses { count, seed, out }) => synth_responses(count, seed, &out),
        Command::Redact { json, safeguarding_model, model } => {
            let model_dir = crate::model::resolve_model_dir(model.model_dir, &model.data_dir);
            crate::redact::run(json, safeguarding_model.then_some(model_dir.as_path()))
        }
        Command::Retention { retention_months, dry_run, database } => {
            let Some(months) = retention_months else {
                bail!(
                    "say how long to keep personal data after a consultation's results are published: \
                     --retention-months N (or HEARD_RETENTION_MONTHS)"
                );
            };
            let store = database.open_existing().await?;
            crate::responses::retention(&store, months, dry_run, store.today(Timestamp::now())).await
        }
        Command::Model(command) => crate::model::run(command),
        Command::Analyse(args) => crate::analyse::run(args),
        Command::Eval(command) => crate::eval::run(command),
        Command::OpinionGroups(args) => crate::opinion_groups::run(args),
    }
}

async fn run_demo(
    addr: SocketAddr,
    data_dir: &Path,
    seeds: Option<PathBuf>,
    no_serve: bool,
    options: &StoreOptions,
    time_zone: &TimeZone,
    areas: Areas,
    web: &WebOptions,
) -> Result<()> {
    let seeds = match seeds {
        Some(dir) if !dir.is_dir() => bail!("the seed folder {} does not exist", dir.display()),
        Some(dir) => Some(dir),
        None => demo::default_seeds_dir(),
    };
    let store = Store::open_data_dir_with(data_dir, options)
        .await
        .with_context(|| format!("opening the data directory {}", data_dir.display()))?
        .with_time_zone(time_zone.clone())
        .with_areas(areas);
    let model_dir = crate::model::resolve_model_dir(web.model_dir.clone(), data_dir);
    if demo::is_new(&store).await?
        && let Some(why) = crate::model::prepare_for_demo(&model_dir)
    {
        println!(
            "could not install the model, so the demo's analysis runs in lexical mode (words counted, no model): {why}"
        );
    }
    let report = demo::prepare(&store, seeds.as_deref(), store.today(Timestamp::now()), &model_dir).await?;
    if report.created {
        for (path, comments) in &report.imported_pages {
            println!("imported {comments} comments from {path}");
        }
        if report.synthetic_discussions > 0 {
            println!(
                "no seed pages found: filled {} discussions with synthetic comments (marked as such)",
                report.synthetic_discussions
            );
        }
        if report.synthetic_survey_submissions > 0 {
            println!(
                "added {} synthetic survey submissions to the Police and Crime Plan (marked as such)",
                report.synthetic_survey_submissions
            );
        }
        if report.synthetic_responses > 0 {
            println!(
                "added {} synthetic responses by email, post, phone and at events (marked as such)",
                report.synthetic_responses
            );
        }
        if let Some(model) = &report.results_model {
            println!(
                "analysed every response against the plan's objectives ({model}) and published what we heard"
            );
        }
    } else {
        println!("reopened the demo in {}", data_dir.display());
    }
    if no_serve {
        store.close().await;
        return Ok(());
    }
    let state = web.state(store.clone(), addr, Some(model_dir), true)?;
    serve(addr, &store, state).await
}

async fn serve(addr: SocketAddr, store: &Store, state: AppState) -> Result<()> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr()?;
    println!("heard is serving on http://{local}/ (Ctrl-C to stop)");
    heard_web::serve(listener, state).await.context("serving")?;
    store.close().await;
    Ok(())
}

/// `heard backup`: a consistent copy of the database while heard may be serving.
async fn backup(data_dir: &Path, out: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let report = heard_store::backup_data_dir(data_dir, out)
        .await
        .with_context(|| format!("backing up {}", data_dir.display()))?;
    println!(
        "backed up {} to {} ({:.1} MB: {} comments, {} responses) in {:.1} s; it holds personal data, so \
         keep it as safe as the data directory",
        data_dir.display(),
        out.display(),
        report.bytes as f64 / 1e6,
        report.comments,
        report.responses,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `heard restore`: a backup in place of the data directory's database.
async fn restore(file: &Path, data_dir: &Path) -> Result<()> {
    let report = heard_store::restore_data_dir(file, data_dir)
        .await
        .with_context(|| format!("restoring {} into {}", file.display(), data_dir.display()))?;
    println!(
        "restored {} into {} ({} comments, {} responses)",
        file.display(),
        data_dir.display(),
        report.comments,
        report.responses
    );
    if let Some(replaced) = report.replaced {
        println!(
            "the database it replaced is kept as {} (with its -wal file when it had one): delete it once you \
             are sure",
            replaced.display()
        );
    }
    Ok(())
}

async fn import_talk_london(
    file: &Path,
    json: bool,
    consultation: Option<String>,
    title: Option<String>,
    database: &Database,
) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (bad byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let page = talk_london::parse(&text)
        .with_context(|| format!("{} is not a saved Talk London discussion page", file.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&page.to_json())?);
        return Ok(());
    }
    let naming =
        DiscussionNaming { consultation_slug: consultation, discussion_title: title, discussion_slug: None };
    let import = discussion_import(&page, &naming).map_err(anyhow::Error::msg)?;
    let store = database.open().await?;
    let outcome = store.import_discussion(&import).await.context("storing the discussion")?;
    println!(
        "imported {} comments into \"{}\" ({} consultation {})",
        outcome.comments,
        import.discussion.title,
        if outcome.consultation_created { "new" } else { "existing" },
        import.consultation.slug,
    );
    store.close().await;
    Ok(())
}

async fn synth_discussion(
    store: &Store,
    consultation: &str,
    slug: &str,
    count: usize,
    seed: u64,
) -> Result<()> {
    let Some(found) = store.consultation_by_slug(consultation).await? else {
        bail!("there is no consultation called {consultation:?}");
    };
    let s = &found.summary;
    let new_consultation = heard_store::NewConsultation {
        slug: s.slug.clone(),
        title: s.title.clone(),
        summary: s.summary.clone(),
        organisation: s.organisation.clone(),
        respondent_noun: s.respondent_noun.clone(),
        opens_on: s.opens_on,
        closes_on: s.closes_on,
        recorded_responses: s.recorded_responses,
        results_expected: None,
        accessible_formats: String::new(),
        objectives: vec![],
        timeline: vec![],
        documents: vec![],
        channels: vec![],
    };
    let import = heard_store::DiscussionImport {
        consultation: new_consultation,
        discussion: heard_store::NewDiscussion {
            slug: slug.into(),
            title: format!("Synthetic discussion ({count} generated comments)"),
            intro: "Every comment here was written by heard's generator, for testing and benchmarks.".into(),
            opens_on: s.opens_on,
            closes_on: s.closes_on,
            questions: vec!["What makes you feel safe in public spaces?".into()],
            hosts: vec![],
            host_organisation: String::new(),
        },
        host_names: vec![],
        comments: demo::synthetic_comments(
            &heard_analysis::synth::PUBLIC_SAFETY,
            count,
            seed,
            s.opens_on,
            s.closes_on,
        ),
    };
    let outcome = store.import_discussion(&import).await?;
    println!(
        "added {} synthetic comments to /consultations/{consultation}/discussions/{slug}",
        outcome.comments
    );
    Ok(())
}

/// `heard synth responses`: the corpus as JSONL, and what was planted in it beside it.
fn synth_responses(count: usize, seed: u64, out: &Path) -> Result<()> {
    use std::io::Write;

    #[derive(serde::Serialize)]
    struct Line<'a> {
        response_id: &'a str,
        response: &'a str,
    }
    #[derive(serde::Serialize)]
    struct Sidecar<'a> {
        synthetic: bool,
        generator: &'a str,
        seed: u64,
        count: usize,
        question: &'a str,
        themes: &'a [heard_analysis::synth::PlantedTheme],
        campaigns: Vec<serde_json::Value>,
        responses: Vec<Planted<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Planted<'a> {
        response_id: &'a str,
        themes: Vec<&'a str>,
        campaign: Option<&'a str>,
    }

    let started = std::time::Instant::now();
    let corpus = heard_analysis::synth::corpus(count, seed);
    let create = |path: &Path| {
        std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .with_context(|| format!("creating {}", path.display()))
    };
    let mut responses = create(out)?;
    for r in &corpus.responses {
        serde_json::to_writer(&mut responses, &Line { response_id: &r.id, response: &r.text })?;
        responses.write_all(b"\n")?;
    }
    responses.flush().with_context(|| format!("writing {}", out.display()))?;

    let sidecar = out.with_extension("planted.json");
    let planted: Vec<Planted> = corpus
        .responses
        .iter()
        .map(|r| Planted {
            response_id: &r.id,
            themes: r.themes.iter().map(|&t| corpus.themes[t].id.as_str()).collect(),
            campaign: r.campaign.map(|c| corpus.campaigns[c].id.as_str()),
        })
        .collect();
    let campaigns: Vec<serde_json::Value> = corpus
        .campaigns
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "themes": c.themes.iter().map(|&t| &corpus.themes[t].id).collect::<Vec<_>>(),
                "template": c.template,
            })
        })
        .collect();
    let mut file = create(&sidecar)?;
    serde_json::to_writer(
        &mut file,
        &Sidecar {
            synthetic: true,
            generator: "heard synth responses",
            seed,
            count,
            question: &corpus.question,
            themes: &corpus.themes,
            campaigns,
            responses: planted,
        },
    )?;
    file.write_all(b"\n")?;
    file.flush().with_context(|| format!("writing {}", sidecar.display()))?;
    println!(
        "wrote {count} synthetic responses to {} and what was planted in them to {} in {:.1} s",
        out.display(),
        sidecar.display(),
        started.elapsed().as_secs_f32()
    );
    Ok(())
}
