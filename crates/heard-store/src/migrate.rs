//! Schema migrations: numbered SQL files per database, applied once each, in order, in a transaction.

use crate::{Backend, Result, Store, Timestamp};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every migration, oldest first. A migration, once released, is never edited: add a new one.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "public_site",
        sqlite: include_str!("../migrations/sqlite/0001_public_site.sql"),
        postgres: include_str!("../migrations/postgres/0001_public_site.sql"),
    },
    Migration {
        version: 2,
        name: "taking_part",
        sqlite: include_str!("../migrations/sqlite/0002_taking_part.sql"),
        postgres: include_str!("../migrations/postgres/0002_taking_part.sql"),
    },
    Migration {
        version: 3,
        name: "channels",
        sqlite: include_str!("../migrations/sqlite/0003_channels.sql"),
        postgres: include_str!("../migrations/postgres/0003_channels.sql"),
    },
    Migration {
        version: 4,
        name: "survey",
        sqlite: include_str!("../migrations/sqlite/0004_survey.sql"),
        postgres: include_str!("../migrations/postgres/0004_survey.sql"),
    },
    Migration {
        version: 5,
        name: "events",
        sqlite: include_str!("../migrations/sqlite/0005_events.sql"),
        postgres: include_str!("../migrations/postgres/0005_events.sql"),
    },
    Migration {
        version: 6,
        name: "analysis",
        sqlite: include_str!("../migrations/sqlite/0006_analysis.sql"),
        postgres: include_str!("../migrations/postgres/0006_analysis.sql"),
    },
    Migration {
        version: 7,
        name: "event_cancellation",
        sqlite: include_str!("../migrations/sqlite/0007_event_cancellation.sql"),
        postgres: include_str!("../migrations/postgres/0007_event_cancellation.sql"),
    },
    Migration {
        version: 8,
        name: "personal_data",
        sqlite: include_str!("../migrations/sqlite/0008_personal_data.sql"),
        postgres: include_str!("../migrations/postgres/0008_personal_data.sql"),
    },
    Migration {
        version: 9,
        name: "withdrawing",
        sqlite: include_str!("../migrations/sqlite/0009_withdrawing.sql"),
        postgres: include_str!("../migrations/postgres/0009_withdrawing.sql"),
    },
    Migration {
        version: 10,
        name: "jobs",
        sqlite: include_str!("../migrations/sqlite/0010_jobs.sql"),
        postgres: include_str!("../migrations/postgres/0010_jobs.sql"),
    },
];

/// The latest migration: what a database is at once migrated (`Store::schema_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

pub(crate) async fn run(store: &Store) -> Result<()> {
    let mut tx = store.begin_write().await?;
    if store.backend == Backend::Postgres {
        // Several app instances may start at once; only one migrates, the others wait and then
        // find the work done.
        sqlx::query("SELECT pg_advisory_xact_lock(7206551)").execute(&mut *tx).await?;
    }
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(&mut *tx).await?;
    for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let sql = match store.backend {
            Backend::Sqlite => migration.sqlite,
            Backend::Postgres => migration.postgres,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(Timestamp::now().0)
            .execute(&mut *tx)
            .await?;
        tracing::info!(migration.version, migration.name, "applied migration");
    }
    tx.commit().await?;
    Ok(())
}
