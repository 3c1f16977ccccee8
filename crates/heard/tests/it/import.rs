//! `heard import talk-london`: JSON out, storing, and refusing bad pages without writing anything.

use heard_store::Store;
use heard_store::testing::temp_dir;

use crate::{fixture, run, seeds_dir};

#[test]
fn prints_a_saved_page_as_json() {
    let out = run(&["import", "talk-london", fixture("closed_discussion.txt").to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let consultation = &json["consultation"];
    for key in ["title", "status", "responses", "opens", "closes"] {
        assert!(!consultation[key].is_null(), "consultation.{key} missing: {json}");
    }
    assert!(consultation["opens"].as_str().unwrap().len() == 10, "ISO date: {}", consultation["opens"]);
    assert!(json["discussion"]["questions"].as_array().is_some_and(|q| !q.is_empty()));
    let comments = json["comments"].as_array().unwrap();
    assert!(!comments.is_empty());
    for comment in comments {
        let text = comment["text"].as_str().unwrap();
        assert!(!text.contains("Show full comment") && !text.contains("Show less of comment"), "{text}");
        assert!(comment["author"].as_str().is_some_and(|a| !a.is_empty()));
        assert!(comment["age"].as_str().is_some_and(|a| a.ends_with("ago") || a == "just now"));
    }
}

#[test]
fn every_seed_page_prints_as_json_with_each_comment_once() {
    let Some(dir) = seeds_dir() else {
        eprintln!("../shared/seeds is absent: nothing to check");
        return;
    };
    let mut discussions = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains("Join the conversation") {
            continue;
        }
        discussions += 1;
        let out = run(&["import", "talk-london", path.to_str().unwrap(), "--json"]);
        assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["consultation"]["responses"], 1622);
        assert_eq!(json["consultation"]["status"], "closed");
        assert_eq!(json["consultation"]["opens"], "2024-12-18");
        assert_eq!(json["consultation"]["closes"], "2025-02-12");
        assert_eq!(json["discussion"]["hosts"], serde_json::json!(["Alex", "Chervonne", "Dionne"]));
        let comments = json["comments"].as_array().unwrap();
        assert_eq!(comments.len(), text.matches("Community Member").count(), "{}", path.display());
        let texts: Vec<&str> = comments.iter().map(|c| c["text"].as_str().unwrap()).collect();
        for (i, t) in texts.iter().enumerate() {
            assert!(!t.contains("Show full comment") && !t.contains("Show less of comment"));
            // No comment's text is a preview of itself repeated: its first sentence appears once.
            let first = t.lines().next().unwrap();
            let head: String = first.chars().take(60).collect();
            assert_eq!(t.matches(head.as_str()).count(), 1, "comment {i} repeats its start: {t}");
        }
    }
    assert_eq!(discussions, 2, "the seed folder holds two discussion pages");
}

#[test]
fn stores_a_page_and_a_second_discussion_joins_the_same_consultation() {
    let dir = temp_dir("import");
    let data_dir = dir.to_str().unwrap();
    let page = fixture("closed_discussion.txt");
    let import_titled = |title: &str| {
        run(&[
            "import",
            "talk-london",
            page.to_str().unwrap(),
            "--data-dir",
            data_dir,
            "--consultation",
            "plan",
            "--title",
            title,
        ])
    };
    let out = import_titled("First");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("into \"First\" (new consultation plan)"), "{said}");
    let out = import_titled("Second");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(existing consultation plan)"));
    // The same title again is refused, and nothing of it is written.
    let out = import_titled("First");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already has a discussion called \"first\""), "{err}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::open_data_dir(&dir).await.unwrap();
        let consultation = store.consultation_by_slug("plan").await.unwrap().unwrap();
        assert_eq!(consultation.discussions.len(), 2);
        let expected = serde_json::from_slice::<serde_json::Value>(
            &run(&["import", "talk-london", page.to_str().unwrap(), "--json"]).stdout,
        )
        .unwrap()["comments"]
            .as_array()
            .unwrap()
            .len() as i64;
        assert!(consultation.discussions.iter().all(|d| d.comment_count == expected));
    });
}

#[test]
fn a_broken_page_is_an_error_naming_the_line_and_writes_nothing() {
    let dir = temp_dir("broken");
    for name in ["broken_impossible_date.txt", "broken_missing_author.txt", "broken_unclosed_show_full.txt"] {
        let out = run(&[
            "import",
            "talk-london",
            fixture(name).to_str().unwrap(),
            "--data-dir",
            dir.to_str().unwrap(),
        ]);
        assert!(!out.status.success(), "{name} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: ") && err.contains("line "), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing is reported as imported");
    }
    // The data directory was never even created: the page is read before the store is opened.
    assert!(!dir.join("heard.db").exists());
}

#[test]
fn a_missing_or_binary_file_is_a_clear_error() {
    let out = run(&["import", "talk-london", "/no/such/page.txt", "--json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading /no/such/page.txt"));
    let dir = temp_dir("binary");
    let path = dir.join("page.txt");
    std::fs::write(&path, b"Title\xff\xfe\nClosed\n").unwrap();
    let out = run(&["import", "talk-london", path.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not UTF-8 text (bad byte at offset 5)"));
}
