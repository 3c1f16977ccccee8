//! heard's storage: schema, migrations and queries, on SQLite (the embedded default) or PostgreSQL.
//!
//! One [`Store`] serves both databases through sqlx's `Any` driver: every query is written once in
//! the SQL both understand (`$1` placeholders in order, `RETURNING`, integers and text only), and
//! only the migrations differ per database. Dates are stored as ISO text, instants as Unix seconds.

mod accounts;
mod analysis;
pub mod csv_out;
pub mod date;
mod editing;
mod events;
mod limits;
pub mod links;
mod migrate;
pub mod model;
mod moderation;
mod posting;
mod queries;
mod register;
pub mod response_import;
mod retention;
mod survey;
pub mod testing;

use std::path::Path;
use std::str::FromStr;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

pub use accounts::{MAX_DISPLAY_NAME, email_key};
pub use analysis::*;
pub use date::{Date, TimeZone, TimeZoneError, Timestamp};
pub use editing::*;
pub use events::*;
pub use model::*;
pub use register::*;
pub use retention::*;
pub use survey::*;

/// What went wrong in the store. Users see [`StoreError::Invalid`] and [`StoreError::EmailTaken`];
/// the rest are internal.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("{0}")]
    Invalid(String),
    #[error("an account with this email address exists already")]
    EmailTaken,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to heard's database. Cheap to clone.
///
/// On SQLite, reads and writes go through different pools: `pool` has several connections for
/// reading, and `writer` one connection that does every write, so that writes from this process
/// queue for it in turn instead of meeting at SQLite's lock, where a writer that finds it taken
/// sleeps (1, 2, 5, 10 ms...) before trying again. On PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    writer: AnyPool,
    backend: Backend,
    /// The install's time zone: which day it is, and when a consultation's closing day ends.
    time_zone: std::sync::Arc<TimeZone>,
    /// The install's areas: where residents say they live and responses come from.
    areas: std::sync::Arc<Areas>,
}

/// The database file inside a data directory.
pub const SQLITE_FILE: &str = "heard.db";

impl Store {
    /// Opens (creating it if needed) the SQLite database in `dir`, and migrates it.
    pub async fn open_data_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::DataDir { path: dir.display().to_string(), source })?;
        let url = format!("sqlite://{}?mode=rwc", dir.join(SQLITE_FILE).display());
        Store::connect(&url).await
    }

    /// Connects to `sqlite://PATH` or `postgres://...`, and migrates the schema.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                // The writer first: it creates the file and turns WAL on before the readers open it.
                let writer = sqlite_pool(1).connect_with(options.clone()).await?;
                let readers = sqlite_pool(8).connect_with(options).await?;
                (readers, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new().max_connections(16).connect_with(options).await?;
                (pool.clone(), pool)
            }
        };
        let store = Store {
            pool,
            writer,
            backend,
            time_zone: std::sync::Arc::new(TimeZone::london()),
            areas: std::sync::Arc::new(Areas::none()),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// Begins a transaction that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that reads before it writes then waits its turn (the busy
    /// timeout) rather than failing with "database is locked" when another connection wrote in
    /// between, which a plain `BEGIN` does as soon as two writers overlap.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// This store keeping the install's days in `time_zone` (Europe/London unless set).
    pub fn with_time_zone(mut self, time_zone: TimeZone) -> Store {
        self.time_zone = std::sync::Arc::new(time_zone);
        self
    }

    /// This store with the operator's list of areas (none unless set).
    pub fn with_areas(mut self, areas: Areas) -> Store {
        self.areas = std::sync::Arc::new(areas);
        self
    }

    pub fn areas(&self) -> &Areas {
        &self.areas
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// The install's local day at `now`: what every rule about dates (open, closed, late) reads.
    pub fn today(&self, now: Timestamp) -> Date {
        self.time_zone.date(now)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// The one row a write with `RETURNING` gives back.
///
/// Such writes outside a transaction are read to their end (`fetch_all`), never stopped after the
/// first row (`fetch_one`): SQLite commits the statement when it runs to its end, and only then
/// runs the automatic checkpoint that copies the WAL file into the database and starts it again.
/// A statement stopped early commits when it is reset, with no checkpoint, and under steady
/// writing the WAL file grows without end (hundreds of megabytes a minute in `bench post`).
pub(crate) fn only_row<T>(rows: Vec<T>) -> Result<T> {
    rows.into_iter().next().ok_or(StoreError::Database(sqlx::Error::RowNotFound))
}

/// Connections to a SQLite file, each set up the same way.
fn sqlite_pool(connections: u32) -> AnyPoolOptions {
    // A connection to a local file does not go stale: no ping (a round trip to the connection's
    // thread) before every query.
    AnyPoolOptions::new().max_connections(connections).test_before_acquire(false).after_connect(|conn, _| {
        Box::pin(async move {
            // WAL lets readers go on while one writer writes; the busy timeout makes a second
            // writer (another command on the same data directory) wait.
            for pragma in [
                "PRAGMA journal_mode = WAL",
                "PRAGMA busy_timeout = 10000",
                "PRAGMA foreign_keys = ON",
                "PRAGMA synchronous = NORMAL",
            ] {
                sqlx::Executor::execute(&mut *conn, pragma).await?;
            }
            Ok(())
        })
    })
}
