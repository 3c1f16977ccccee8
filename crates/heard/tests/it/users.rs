//! `heard users create`: the first administrator, made from the command line.

use std::io::Write;
use std::process::{Output, Stdio};

use heard_store::testing::temp_dir;
use heard_store::{Role, Store};

use crate::heard;

fn create(dir: &str, args: &[&str], password: &str) -> Output {
    let mut child = heard()
        .args(["users", "create"])
        .args(args)
        .args(["--data-dir", dir])
        .env("HEARD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run heard users create");
    // A command refused for its arguments (a bad role) may exit before reading the password: the
    // pipe is then closed, which is no failure of the test.
    if let Err(e) = child.stdin.take().unwrap().write_all(password.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "writing the password: {e}");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn users_create_makes_an_admin_whose_password_comes_from_standard_input() {
    let dir = temp_dir("users");
    let dir = dir.to_str().unwrap();
    let admin = ["--role", "admin", "--email", "Ada@Example.org", "--name", "Ada", "--password-stdin"];
    let out = create(dir, &admin, "a long enough password\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin account"), "{out:?}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = runtime.block_on(Store::open_data_dir(std::path::Path::new(dir))).unwrap();
    let account = runtime.block_on(store.account_by_email("ada@example.org")).unwrap().expect("created");
    assert_eq!(account.user.role, Role::Admin);
    assert_eq!(account.user.display_name, "Ada");
    assert!(account.email_confirmed_at.is_some(), "the operator vouches for the address");
    let hash = runtime.block_on(store.credentials("ada@example.org")).unwrap().unwrap().password_hash;
    assert!(hash.starts_with("$argon2id$") && !hash.contains("a long enough password"), "{hash}");
    runtime.block_on(store.close());

    let again = create(dir, &admin, "a long enough password\n");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("there is already an account with the email address")
    );
    let short = create(dir, &["--role", "admin", "--email", "b@example.org", "--name", "B"], "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("needs at least 10 characters"));
    let bad_role = create(
        dir,
        &["--role", "emperor", "--email", "c@example.org", "--name", "C"],
        "a long enough password\n",
    );
    assert!(!bad_role.status.success());
}
