//! A data directory as an operator runs it: how commits reach the disk, and the lock that keeps a
//! restore away from a directory in use.

use heard_store::testing::temp_dir;
use heard_store::*;

#[tokio::test]
async fn every_commit_is_synced_by_default_and_normal_is_a_choice() {
    let dir = temp_dir("sync");
    let store = Store::open_data_dir(&dir).await.unwrap();
    assert_eq!(
        store.sqlite_synchronous().await.unwrap(),
        Some(2),
        "FULL: a power cut loses nothing acknowledged"
    );
    store.close().await;
    drop(store);
    let options = StoreOptions { sqlite_sync: SqliteSync::Normal, ..StoreOptions::default() };
    let store = Store::open_data_dir_with(&dir, &options).await.unwrap();
    assert_eq!(store.sqlite_synchronous().await.unwrap(), Some(1));
    assert_eq!(SqliteSync::parse("normal"), Some(SqliteSync::Normal));
    assert_eq!(SqliteSync::parse("off"), None);
}

#[tokio::test]
async fn a_restore_waits_for_every_store_on_the_directory_to_go() {
    let dir = temp_dir("lock");
    let backup = dir.join("backup.db");
    let data = dir.join("data");
    let store = Store::open_data_dir(&data).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
    store.create_user("Resident One", Role::Resident, false).await.unwrap();
    let report = backup_data_dir(&data, &backup).await.unwrap();
    assert!(report.bytes > 0);
    // Two stores (two commands) may share the directory; a restore may not.
    let second = Store::open_data_dir(&data).await.unwrap();
    let refused = restore_data_dir(&backup, &data).await.unwrap_err().to_string();
    assert!(refused.starts_with("a heard server or command is using"), "{refused}");
    second.close().await;
    drop(second);
    assert!(restore_data_dir(&backup, &data).await.is_err(), "the first store still holds it");
    store.close().await;
    drop(store);
    let restored = restore_data_dir(&backup, &data).await.unwrap();
    assert!(restored.replaced.is_some());
    let store = Store::open_data_dir(&data).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
}
