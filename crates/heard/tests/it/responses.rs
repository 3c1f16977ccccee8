//! `heard responses import|export` and `heard consultations list`, run as a user runs them, while
//! the demo serves the same data directory.

use heard_store::testing::temp_dir;

use crate::{Server, run};

const PLAN: &str = "police-and-crime-plan-2025-29";

fn listed(dir: &str) -> serde_json::Value {
    let out = run(&["consultations", "list", "--data-dir", dir, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("consultations list --json prints JSON")
}

fn respondents(dir: &str, slug: &str) -> i64 {
    let all = listed(dir);
    let c = all.as_array().unwrap().iter().find(|c| c["slug"] == slug).expect("listed");
    c["responses"].as_i64().unwrap()
}

#[test]
fn letters_are_imported_whole_or_not_at_all_while_the_demo_serves() {
    let dir = temp_dir("register-cli");
    let data = dir.to_str().unwrap();
    let server = Server::start(&["demo", "--data-dir", data]);
    let all = listed(data);
    let plan = &all.as_array().unwrap()[0];
    assert_eq!(plan["slug"], PLAN);
    assert_eq!(plan["status"], "results_published", "the demo publishes what we heard");
    assert_eq!(plan["responses"], 1622, "the demo's register holds the real consultation's respondents");
    let table = run(&["consultations", "list", "--data-dir", data]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.lines().next().unwrap().starts_with("SLUG"), "{table}");
    assert!(table.contains("parks-after-dark") && table.contains("open"), "{table}");

    // One bad row among good ones: every problem named by its row, nothing imported, exit 1.
    let file = dir.join("letters.csv");
    std::fs::write(
        &file,
        "channel,received,respondent_type,organisation,borough,text,question\n\
         post,2025-02-10,individual,,Camden,\"Dear MOPAC,\n\nPlease light the towpath.\",\n\
         email,2025-01-15,organisation,,,Our members ask for more patrols,\n\
         post,2025-02-20,individual,,,Late letter,\n",
    )
    .unwrap();
    let out =
        run(&["responses", "import", "--data-dir", data, "--consultation", PLAN, file.to_str().unwrap()]);
    assert!(!out.status.success());
    let errors = String::from_utf8_lossy(&out.stderr);
    // Without --areas this install has none, so a row naming one is refused, by its row.
    assert!(
        errors.contains("row 2: borough: \"Camden\": this site lists no areas, so leave the column empty"),
        "{errors}"
    );
    assert!(
        errors.contains("row 3: organisation: an organisation's response needs the organisation's name"),
        "{errors}"
    );
    assert!(
        errors.contains(
            "row 4: received: 20 February 2025 is after the consultation closed on 12 February 2025"
        ),
        "{errors}"
    );
    assert!(errors.contains("nothing was imported: 3 problems"), "{errors}");
    assert_eq!(respondents(data, PLAN), 1622);
    // The operator's list of areas: a borough not on it is refused too.
    let areas = dir.join("areas.txt");
    std::fs::write(&areas, "# London boroughs we serve\nCamden\nHackney\n").unwrap();
    let areas = areas.to_str().unwrap();
    let with_areas = |file: &str| {
        run(&["responses", "import", "--data-dir", data, "--consultation", PLAN, "--areas", areas, file])
    };

    // Fixed, the file goes in: only post, since the consultation has closed, and it arrived in time.
    std::fs::write(
        &file,
        "channel,received,respondent_type,organisation,borough,text,question\n\
         post,2025-02-10,individual,,Camden,\"Dear MOPAC,\n\nPlease light the towpath.\",\n\
         post,2025-01-15,organisation,Towpath Users' Group,,Our members ask for more patrols,Safety\n",
    )
    .unwrap();
    let out = with_areas(file.to_str().unwrap());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 2 responses"));
    assert_eq!(respondents(data, PLAN), 1624);
    let (_, page) = server.get(&format!("/consultations/{PLAN}"));
    assert!(page.contains("1,624 Londoners have responded"), "the page counts the register");

    // The export holds every channel, the letter's blank line intact, and reads back as CSV.
    let out = run(&["responses", "export", "--data-dir", data, "--consultation", PLAN, "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let letter = rows.iter().find(|r| r[column("text")].starts_with("Dear MOPAC")).expect("the letter");
    assert_eq!(&letter[column("text")], "Dear MOPAC,\n\nPlease light the towpath.");
    assert_eq!(&letter[column("channel")], "post");
    assert_eq!(&letter[column("borough")], "Camden");
    let group = rows.iter().find(|r| &r[column("organisation")] == "Towpath Users' Group").unwrap();
    assert_eq!(&group[column("question")], "Safety");
    for channel in ["online", "email", "post", "event", "phone"] {
        assert!(rows.iter().any(|r| &r[column("channel")] == channel), "{channel} exported");
    }
    let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r.get(column("id")).unwrap()).collect();
    assert_eq!(ids.len(), rows.len(), "ids are unique");

    let out = run(&["responses", "export", "--data-dir", data, "--consultation", PLAN, "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), rows.len(), "CSV and JSONL hold the same lines");
    assert!(lines.iter().any(|l| l["text"] == "Dear MOPAC,\n\nPlease light the towpath."));

    // The open consultation's discussion has a reply: it is exported with the comment it answers.
    let out = run(&["responses", "export", "--data-dir", data, "--consultation", "parks-after-dark"]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let parks: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let reply = parks.iter().find(|r| !r[column("reply_to")].is_empty()).expect("a reply is exported");
    assert!(
        parks.iter().any(|r| r[column("id")] == reply[column("reply_to")]),
        "with the comment it answers"
    );

    let out = run(&[
        "responses",
        "import",
        "--data-dir",
        data,
        "--consultation",
        "no-such",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no consultation \"no-such\""));
    drop(server);
}

#[test]
fn a_mistyped_data_directory_is_an_error_not_a_new_empty_one() {
    let missing = temp_dir("register-missing").join("heard-dta");
    let data = missing.to_str().unwrap();
    for args in [
        vec!["consultations", "list", "--data-dir", data],
        vec!["responses", "export", "--data-dir", data, "--consultation", PLAN],
        vec!["responses", "import", "--data-dir", data, "--consultation", PLAN, "letters.csv"],
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}");
        let error = String::from_utf8_lossy(&out.stderr);
        assert!(error.contains("there is no heard database in"), "{args:?}: {error}");
    }
    assert!(!missing.exists(), "nothing was created");
}

/// A letter that begins like a spreadsheet formula is exported with a quote before it, so that a
/// spreadsheet opening the file shows the letter instead of running it.
#[test]
fn an_exported_letter_never_runs_as_a_formula() {
    let dir = temp_dir("register-formula");
    let data = dir.to_str().unwrap();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = heard_store::Store::open_data_dir(&dir).await.unwrap();
        let date = |iso| heard_store::Date::parse_iso(iso).unwrap();
        store
            .create_consultation(&heard_store::NewConsultation {
                slug: "gates".into(),
                title: "Park gates".into(),
                summary: String::new(),
                organisation: "The council".into(),
                respondent_noun: "residents".into(),
                opens_on: date("2025-01-01"),
                closes_on: date("2025-02-01"),
                recorded_responses: None,
                results_expected: None,
                accessible_formats: String::new(),
                objectives: Vec::new(),
                timeline: Vec::new(),
                documents: Vec::new(),
                channels: Vec::new(),
            })
            .await
            .unwrap();
    });
    let file = dir.join("letters.csv");
    std::fs::write(
        &file,
        "channel,received,respondent_type,organisation,borough,text\n\
         post,2025-01-10,individual,,Camden,\"=HYPERLINK(\"\"https://evil.example/\"\",\"\"Click\"\")\"\n\
         post,2025-01-11,organisation,@Gate Keepers,,-1 for closing at dusk\n",
    )
    .unwrap();
    let areas = dir.join("areas.txt");
    std::fs::write(&areas, "Camden\n").unwrap();
    let out = run(&[
        "responses",
        "import",
        "--data-dir",
        data,
        "--consultation",
        "gates",
        "--areas",
        areas.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["responses", "export", "--data-dir", data, "--consultation", "gates", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][column("text")], "'=HYPERLINK(\"https://evil.example/\",\"Click\")");
    assert_eq!(&rows[0][column("borough")], "Camden");
    assert_eq!(&rows[1][column("organisation")], "'@Gate Keepers");
    assert_eq!(&rows[1][column("text")], "'-1 for closing at dusk");
    assert_eq!(&rows[1][column("received")], "2025-01-11");
}
