//! heard's storage: schema, migrations and queries, on SQLite (the embedded default) or PostgreSQL.
//!
//! One [`Store`] serves both databases through sqlx's `Any` driver: every query is written once in
//! the SQL both understand (`$1` placeholders in order, `RETURNING`, integers and text only), and
//! only the migrations differ per database. Dates are stored as ISO text, instants as Unix seconds.

mod accounts;
pub mod date;
mod limits;
mod migrate;
pub mod model;
mod moderation;
mod posting;
mod queries;
pub mod testing;

use std::path::Path;
use std::str::FromStr;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

pub use accounts::{MAX_DISPLAY_NAME, email_key};
pub use date::{Date, Timestamp};
pub use model::*;

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
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
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
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers go on while one writer writes; the busy timeout makes
                            // a second writer (another command on the same data directory) wait.
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
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(16).connect_with(options).await?,
        };
        let store = Store { pool, backend };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// Begins a transaction that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that reads before it writes then waits its turn (the busy
    /// timeout) rather than failing with "database is locked" when another connection wrote in
    /// between, which a plain `BEGIN` does as soon as two writers overlap.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
