//! Backing up and restoring a data directory's SQLite database, and the lock that says a heard
//! process is using the directory.
//!
//! - Every store opened on a data directory ([`crate::Store::open_data_dir`]) holds a shared lock on
//!   `DIR/heard.lock` for as long as it lives; the system drops it when the process ends, however
//!   it ends (`kill -9` included), so a lock is never stale.
//! - [`backup_data_dir`] copies the database with `VACUUM INTO`: one read transaction, so the copy
//!   is the database as of one moment, every commit before it included (the ones still in the
//!   write-ahead log too), while a server goes on serving and writing. Copying `heard.db` alone
//!   misses what is still in `heard.db-wal`. The copy is written beside the target, checked, synced
//!   and renamed into place, so nothing half-written is left under the target's name.
//! - [`restore_data_dir`] takes the lock exclusively (refused while any heard process uses the
//!   directory), checks the backup (a SQLite file, intact, heard's, not from a newer heard) on a
//!   copy inside the directory, moves the database it replaces aside with its `-wal` and `-shm`
//!   (renamed together, so they still belong together), and renames the copy into place. An old
//!   `-wal` left beside a restored database would be replayed into it and corrupt it.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use sqlx::Connection;

use crate::{LOCK_FILE, Result, SCHEMA_VERSION, SQLITE_FILE, StoreError, Timestamp};

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub comments: i64,
    pub responses: i64,
}

/// What a restore put in place, and where the database it replaced went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub comments: i64,
    pub responses: i64,
    /// The replaced database, kept under a new name (with its `-wal` when it had one).
    pub replaced: Option<PathBuf>,
}

/// Writes a consistent copy of the database in `dir` to `out` (which must not exist), while
/// servers and commands may go on using it.
pub async fn backup_data_dir(dir: &Path, out: &Path) -> Result<BackupReport> {
    let db = dir.join(SQLITE_FILE);
    if !db.is_file() {
        return Err(invalid(format!("there is no heard database in {} (no {SQLITE_FILE})", dir.display())));
    }
    if out.exists() {
        return Err(invalid(format!(
            "{} exists already: give a new file, or remove it first",
            out.display()
        )));
    }
    let partial = with_suffix(out, ".partial");
    remove_if_there(&partial)?;
    let result = async {
        let mut source = sqlite_connection(&db, "rw").await?;
        sqlx::raw_sql("PRAGMA busy_timeout = 10000").execute(&mut source).await?;
        let target =
            partial.to_str().ok_or_else(|| invalid(format!("{} is not a UTF-8 path", out.display())))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&mut source).await?;
        source.close().await?;
        let (comments, responses) = check_database(&partial, out).await?;
        // SQLite does not sync what VACUUM INTO writes; a backup that a power cut can undo is none.
        let file = File::open(&partial).map_err(|e| io(&partial, e))?;
        file.sync_all().map_err(|e| io(&partial, e))?;
        let bytes = file.metadata().map_err(|e| io(&partial, e))?.len();
        private(&partial)?;
        std::fs::rename(&partial, out).map_err(|e| io(out, e))?;
        sync_dir(out);
        Ok(BackupReport { bytes, comments, responses })
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Replaces the database in `dir` with the backup `file`, refusing while a heard process uses
/// the directory and before touching anything when the backup is missing, damaged or not heard's.
pub async fn restore_data_dir(file: &Path, dir: &Path) -> Result<RestoreReport> {
    let mut header = [0u8; 16];
    match File::open(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(invalid(format!("there is no file {}", file.display())));
        }
        Err(e) => return Err(io(file, e)),
        Ok(mut f) => {
            if f.read_exact(&mut header).is_err() || &header != b"SQLite format 3\0" {
                return Err(invalid(format!(
                    "{} is not a heard backup: it is not a SQLite database",
                    file.display()
                )));
            }
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|source| StoreError::DataDir { path: dir.display().to_string(), source })?;
    let lock = open_lock(dir)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(invalid(format!(
                "a heard server or command is using {}: stop it first (heard serve, heard demo, or the \
                 command still running), then restore",
                dir.display()
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(&dir.join(LOCK_FILE), e)),
    }
    let db = dir.join(SQLITE_FILE);
    let restoring = with_suffix(&db, ".restoring");
    remove_if_there(&restoring)?;
    let checked = async {
        std::fs::copy(file, &restoring).map_err(|e| io(&restoring, e))?;
        File::open(&restoring).and_then(|f| f.sync_all()).map_err(|e| io(&restoring, e))?;
        check_database(&restoring, file).await
    }
    .await;
    let (comments, responses) = match checked {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_file(&restoring);
            for suffix in ["-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(with_suffix(&restoring, suffix));
            }
            return Err(e);
        }
    };
    // The database being replaced goes aside with its log, under one new name, so it can still be
    // opened; a log with no database beside it is stale and goes.
    let replaced = if db.exists() {
        let aside = with_suffix(&db, &format!(".before-restore-{}", Timestamp::now().0));
        for suffix in ["-wal", "-shm"] {
            let from = with_suffix(&db, suffix);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&aside, suffix)).map_err(|e| io(&from, e))?;
            }
        }
        std::fs::rename(&db, &aside).map_err(|e| io(&db, e))?;
        Some(aside)
    } else {
        for suffix in ["-wal", "-shm"] {
            remove_if_there(&with_suffix(&db, suffix))?;
        }
        None
    };
    std::fs::rename(&restoring, &db).map_err(|e| io(&db, e))?;
    sync_dir(&db);
    drop(lock);
    Ok(RestoreReport { comments, responses, replaced })
}

/// Takes the shared lock a store on `dir` holds; refused while a restore holds it exclusively.
pub(crate) fn lock_shared(dir: &Path) -> Result<File> {
    let lock = open_lock(dir)?;
    match lock.try_lock_shared() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(StoreError::DataDirRestoring(dir.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(io(&dir.join(LOCK_FILE), e)),
    }
}

fn open_lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| io(&path, e))
}

/// Checks that `path` is an intact heard database that this heard can open (`named` is what the
/// messages call it), and counts its comments and responses.
async fn check_database(path: &Path, named: &Path) -> Result<(i64, i64)> {
    let damaged = |why: String| invalid(format!("{} is damaged: {why}", named.display()));
    let mut conn = sqlite_connection(path, "rw").await.map_err(|e| damaged(e.to_string()))?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| damaged(database_message(&e)))?;
    if problems != ["ok"] {
        let first: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
        return Err(damaged(format!("SQLite's integrity check found: {}", first.join("; "))));
    }
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(|_| invalid(format!("{} is a SQLite database, but not heard's", named.display())))?;
    let version = version.unwrap_or(0);
    if version > SCHEMA_VERSION {
        return Err(invalid(format!(
            "{} comes from a newer heard (schema {version}; this one knows {SCHEMA_VERSION}): upgrade heard first",
            named.display()
        )));
    }
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&mut conn).await?;
    let responses: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses").fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok((comments, responses))
}

async fn sqlite_connection(path: &Path, mode: &str) -> Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode={mode}", path.display());
    Ok(sqlx::AnyConnection::connect(&url).await?)
}

fn database_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path, e)),
        _ => Ok(()),
    }
}

/// A backup holds everyone's personal data: readable by its owner only.
fn private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| io(path, e))
}

/// Syncs the folder holding `path`, so that a rename into it survives a power cut.
fn sync_dir(path: &Path) {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

fn invalid(message: String) -> StoreError {
    StoreError::Invalid(message)
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("{}: {e}", path.display()))
}
