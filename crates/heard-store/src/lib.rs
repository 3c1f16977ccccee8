//! heard's storage: schema, migrations and queries, on SQLite (the embedded default) or PostgreSQL.
//!
//! One [`Store`] serves both databases through sqlx's `Any` driver: every query is written once in
//! the SQL both understand (`$1` placeholders in order, `RETURNING`, integers and text only), and
//! only the migrations differ per database. Dates are stored as ISO text, instants as Unix seconds.

mod accounts;
mod analysis;
mod backup;
pub mod csv_out;
pub mod date;
mod editing;
mod events;
mod jobs;
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
use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

pub use accounts::{MAX_DISPLAY_NAME, email_key};
pub use analysis::*;
pub use backup::{BackupReport, RestoreReport, backup_data_dir, restore_data_dir};
pub use date::{Date, TimeZone, TimeZoneError, Timestamp};
pub use editing::*;
pub use events::*;
pub use jobs::*;
pub use migrate::SCHEMA_VERSION;
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
    #[error(
        "the data directory {0} is being restored (heard restore); start again once the restore has finished"
    )]
    DataDirRestoring(String),
}

impl StoreError {
    /// Whether the database could not be reached (PostgreSQL stopped or restarting, the network
    /// down, every connection busy past [`StoreOptions::connect_timeout`], SQLite's lock held past
    /// its busy timeout), as opposed to a query that went wrong. Such a failure passes by itself:
    /// the web answers it 503 with `Retry-After`, and the pool reconnects once the database is back.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(e) = self else { return false };
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|code| {
                // PostgreSQL: connection exceptions (08...), the server shutting down or starting
                // (57P01 to 57P03), too many connections (53300). SQLite: busy and locked.
                code.starts_with("08")
                    || code.starts_with("57P")
                    || code == "53300"
                    || matches!(&*code, "5" | "6" | "261" | "517")
            }),
            _ => false,
        }
    }
}

/// How SQLite makes a commit durable (`PRAGMA synchronous`, in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// The write-ahead log is synced to disk at every commit, before the commit is acknowledged:
    /// an acknowledged post survives a power cut or a kernel panic. The default.
    #[default]
    Full,
    /// The log is synced only when it is checkpointed into the database: faster, and a crash of
    /// heard itself still loses nothing, but a power cut or a kernel panic can lose every commit
    /// since the last checkpoint (up to about 4 MB of log). The database stays consistent.
    Normal,
}

impl SqliteSync {
    /// `full` or `normal`.
    pub fn parse(s: &str) -> Option<SqliteSync> {
        match s {
            "full" => Some(SqliteSync::Full),
            "normal" => Some(SqliteSync::Normal),
            _ => None,
        }
    }

    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "PRAGMA synchronous = FULL",
            SqliteSync::Normal => "PRAGMA synchronous = NORMAL",
        }
    }
}

/// What an operator may tune about the connection to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// SQLite: how a commit reaches the disk.
    pub sqlite_sync: SqliteSync,
    /// PostgreSQL: how long a query waits for a connection (the server down or restarting, or all
    /// of the pool's connections busy) before it fails as [`StoreError::is_unavailable`]. Without
    /// it a request waited sqlx's default of 30 s while the server was down.
    pub connect_timeout: Duration,
}

/// How long a query waits for a PostgreSQL connection, unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions { sqlite_sync: SqliteSync::Full, connect_timeout: DEFAULT_CONNECT_TIMEOUT }
    }
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
    /// A store opened on a data directory holds a shared lock on its `heard.lock` for as long as
    /// it lives (every clone shares it), so that `heard restore` knows nothing uses the directory.
    _data_dir_lock: Option<Arc<std::fs::File>>,
    /// The install's time zone: which day it is, and when a consultation's closing day ends.
    time_zone: std::sync::Arc<TimeZone>,
    /// The install's areas: where residents say they live and responses come from.
    areas: std::sync::Arc<Areas>,
}

/// One pool's connections, at the moment it was asked (see [`Store::pool_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub name: &'static str,
    /// Connections open, in use or idle.
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// The database file inside a data directory.
pub const SQLITE_FILE: &str = "heard.db";
/// The file in a data directory that every heard process using it holds a shared lock on
/// (released by the system when the process ends, however it ends); `heard restore` takes it
/// exclusively.
pub const LOCK_FILE: &str = "heard.lock";

impl Store {
    /// Opens (creating it if needed) the SQLite database in `dir`, and migrates it.
    pub async fn open_data_dir(dir: &Path) -> Result<Store> {
        Store::open_data_dir_with(dir, &StoreOptions::default()).await
    }

    /// [`Store::open_data_dir`] with the operator's options.
    pub async fn open_data_dir_with(dir: &Path, options: &StoreOptions) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::DataDir { path: dir.display().to_string(), source })?;
        let lock = backup::lock_shared(dir)?;
        let url = format!("sqlite://{}?mode=rwc", dir.join(SQLITE_FILE).display());
        let mut store = Store::connect_with(&url, options).await?;
        store._data_dir_lock = Some(Arc::new(lock));
        Ok(store)
    }

    /// Connects to `sqlite://PATH` or `postgres://...`, and migrates the schema.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    /// [`Store::connect`] with the operator's options.
    pub async fn connect_with(url: &str, store_options: &StoreOptions) -> Result<Store> {
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
                let sync = store_options.sqlite_sync;
                let writer = sqlite_pool(1, sync).connect_with(options.clone()).await?;
                let readers = sqlite_pool(8, sync).connect_with(options).await?;
                (readers, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(store_options.connect_timeout)
                    .connect_with(options)
                    .await?;
                (pool.clone(), pool)
            }
        };
        let store = Store {
            pool,
            writer,
            backend,
            _data_dir_lock: None,
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

    /// SQLite's `PRAGMA synchronous` as the writer runs it (2 is FULL, 1 NORMAL); `None` on
    /// PostgreSQL. For checks and tests.
    pub async fn sqlite_synchronous(&self) -> Result<Option<i64>> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        Ok(Some(sqlx::query_scalar("PRAGMA synchronous").fetch_one(&self.writer).await?))
    }

    /// How many connections each pool holds and how many of them are idle, for the operator's
    /// metrics: on SQLite the readers and the one writer, on PostgreSQL the one pool.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        let stats = |name, pool: &AnyPool| PoolStats {
            name,
            size: pool.size(),
            idle: pool.num_idle() as u32,
            max: pool.options().get_max_connections(),
        };
        match self.backend {
            Backend::Sqlite => vec![stats("readers", &self.pool), stats("writer", &self.writer)],
            Backend::Postgres => vec![stats("database", &self.pool)],
        }
    }

    /// The latest migration applied to the database: [`SCHEMA_VERSION`] once migrated. Fails when
    /// the database cannot be reached (see [`StoreError::is_unavailable`]).
    pub async fn schema_version(&self) -> Result<i64> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(&self.pool).await?;
        Ok(version.unwrap_or(0))
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// The character no text heard stores may hold: PostgreSQL refuses it in text ("invalid byte
/// sequence 0x00") where SQLite keeps it, so the store refuses it on both, naming `field`. Forms
/// and imports check first, to say so beside the field or the row.
pub const NUL: char = '\0';

/// Refuses `text` with a NUL character ([`NUL`]) in it, naming `field` ("the comment").
pub fn refuse_nul(field: &str, text: &str) -> Result<()> {
    if text.contains(NUL) {
        return Err(StoreError::Invalid(nul_message(field)));
    }
    Ok(())
}

/// "the comment contains a NUL character (U+0000)...": what the store, the forms and the import say.
pub fn nul_message(field: &str) -> String {
    let mut chars = field.chars();
    let field: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    format!(
        "{field} contains a NUL character (U+0000, an invisible control character, usually pasted in by \
         accident), which cannot be stored: remove it and try again"
    )
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
fn sqlite_pool(connections: u32, sync: SqliteSync) -> AnyPoolOptions {
    // A connection to a local file does not go stale: no ping (a round trip to the connection's
    // thread) before every query.
    AnyPoolOptions::new().max_connections(connections).test_before_acquire(false).after_connect(
        move |conn, _| {
            Box::pin(async move {
                // WAL lets readers go on while one writer writes; the busy timeout makes a second
                // writer (another command on the same data directory) wait; `synchronous` says
                // whether a commit is on disk when it returns (FULL, unless the operator chose speed).
                for pragma in [
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA busy_timeout = 10000",
                    "PRAGMA foreign_keys = ON",
                    sync.pragma(),
                ] {
                    sqlx::Executor::execute(&mut *conn, pragma).await?;
                }
                Ok(())
            })
        },
    )
}
