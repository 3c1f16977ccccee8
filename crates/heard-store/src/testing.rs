//! Fresh databases for tests: a new SQLite file in a temporary directory, or a new database on the
//! PostgreSQL server named by `HEARD_TEST_POSTGRES_URL` (which `scripts/test` starts and sets).
//!
//! Each test gets a database of its own, so tests run in parallel.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::{Backend, Store};

/// The environment variable naming an administrative connection to the test PostgreSQL server.
pub const POSTGRES_URL_VAR: &str = "HEARD_TEST_POSTGRES_URL";

/// A directory under the system's temporary directory, unique to this process and call.
pub fn temp_dir(label: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "heard-{label}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// A migrated, empty store on `backend`, with the URL it was opened from. Its areas are London's
/// boroughs, as the demo's are (tests of other lists set their own with `Store::with_areas`).
///
/// Panics with a clear message when PostgreSQL is asked for and the server is not configured:
/// a store test that silently skipped its PostgreSQL half would pass without testing it.
pub async fn fresh_store(backend: Backend) -> (Store, String) {
    let url = match backend {
        Backend::Sqlite => {
            format!("sqlite://{}?mode=rwc", temp_dir("store").join(crate::SQLITE_FILE).display())
        }
        Backend::Postgres => fresh_postgres_database().await,
    };
    let store = Store::connect(&url).await.unwrap_or_else(|e| panic!("open {backend:?} store: {e}"));
    (store.with_areas(crate::Areas::london()), url)
}

async fn fresh_postgres_database() -> String {
    let admin_url = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_URL_VAR} is not set: run the tests with scripts/test, which starts PostgreSQL, \
             or point it at a server where this user may create databases"
        )
    });
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "heard_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
    );
    sqlx::any::install_default_drivers();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("connect to the test PostgreSQL server: {e}"));
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
    // Replace the database part of the admin URL (the path) with the new database's name.
    let (base, query) = admin_url.split_once('?').map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
