//! Staff exports of the register: the CSV and the spreadsheet downloaded, opened and read back.

use axum::http::StatusCode;
use heard_store::*;
use heard_web::Settings;

use crate::api::{OpenData, csv_rows, open_data_app, unzip};

/// A letter with a line break, and an email too long for a spreadsheet cell (in emoji, which count
/// twice in a cell's limit).
async fn register_with_every_kind(backend: Backend) -> (OpenData, String) {
    let data = open_data_app(backend, Settings::default()).await;
    let parks = data.app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let long = "🌳".repeat(20_000);
    let response = |channel, organisation: &str, text: &str| NewResponse {
        consultation_id: parks,
        channel,
        source: ResponseSource::Staff,
        received_on: Date::parse_iso("2025-02-20").unwrap(),
        respondent_type: if organisation.is_empty() {
            RespondentType::Individual
        } else {
            RespondentType::Organisation
        },
        organisation: organisation.into(),
        borough: "Camden".into(),
        user_id: None,
        email: None,
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: text.into() }],
        attachment: None,
    };
    data.app
        .store
        .record_responses(&[
            response(
                ResponseChannel::Post,
                "Friends of the Pond",
                "Dear team,\n\"More benches\", please, & lights.",
            ),
            response(ResponseChannel::Email, "", &long),
        ])
        .await
        .unwrap();
    (data, long)
}

async fn staff_download_the_register_and_read_it_back(backend: Backend) {
    let (data, long) = register_with_every_kind(backend).await;
    let app = &data.app;
    let parks = app.store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let entries = app.store.register_all(parks).await.unwrap();
    let lines: Vec<_> = entries.iter().flat_map(|e| e.export_lines()).collect();
    let (host, _) = app.signed_in(Role::Host, "Hana").await;

    let csv = host.get("/admin/consultations/parks/export/responses.csv").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.html);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.headers["content-disposition"], "attachment; filename=\"parks-responses.csv\"");
    assert_eq!(csv.headers["cache-control"], "private, no-store");
    let rows = csv_rows(&csv.html);
    assert_eq!(rows.len(), lines.len(), "one row per register line");
    for (row, line) in rows.iter().zip(&lines) {
        for (column, value) in REGISTER_COLUMNS.iter().zip(line.fields()) {
            assert_eq!(row[*column], value, "{column} of {}", line.id);
        }
        // The themes of the latest finished run, which read the visible comment only.
        let themes = if line.id == format!("c{}", data.visible) { "Lighting; Seating" } else { "" };
        assert_eq!(row["themes"], themes, "themes of {}", line.id);
    }
    let letter = rows.iter().find(|r| r["organisation"] == "Friends of the Pond").expect("the letter");
    assert_eq!(letter["text"], "Dear team,\n\"More benches\", please, & lights.");
    assert_eq!(letter["channel"], "post");
    // Staff see held and hidden comments, marked by their state.
    let states: Vec<&str> = rows.iter().map(|r| r["state"].as_str()).collect();
    assert!(states.contains(&"hidden") && states.contains(&"held"), "{states:?}");
    assert!(rows.iter().any(|r| r["text"] == long), "the CSV keeps a long text whole");

    let xlsx = host.get("/admin/consultations/parks/export/responses.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.html);
    assert_eq!(
        xlsx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(xlsx.headers["content-disposition"], "attachment; filename=\"parks-responses.xlsx\"");
    let parts = unzip(&xlsx.bytes);
    let part = |name: &str| &parts.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1;
    let sheet = part("xl/worksheets/sheet1.xml");
    assert_eq!(sheet.matches("<row ").count(), lines.len() + 1, "a header row and one per line");
    let strings = shared_strings(part("xl/sharedStrings.xml"));
    for column in REGISTER_COLUMNS.iter().chain(&["themes"]) {
        assert!(strings.contains(&column.to_string()), "the header has {column}");
    }
    assert!(strings.contains(&"Lighting; Seating".to_owned()), "the themes column");
    assert!(strings.contains(&"Dear team,\n\"More benches\", please, & lights.".to_owned()), "{strings:?}");
    assert!(strings.contains(&"Brighter paths by the pond, please.\nAnd benches.".to_owned()));
    let cut = strings.iter().find(|s| s.starts_with("🌳🌳")).expect("the long email, cut");
    assert!(cut.encode_utf16().count() <= 32_767, "{}", cut.encode_utf16().count());
    assert!(
        cut.ends_with(" [cut: 20,000 characters in all, more than a spreadsheet cell holds; the CSV download has the whole text]"),
        "{}",
        &cut[cut.len() - 200..]
    );
}

/// The texts of a workbook's shared strings, unescaped.
fn shared_strings(xml: &str) -> Vec<String> {
    xml.split("<t")
        .skip(1)
        .filter_map(|piece| {
            let piece = piece.strip_prefix('>').or_else(|| piece.split_once('>').map(|(_, rest)| rest))?;
            let text = &piece[..piece.find("</t>")?];
            Some(
                text.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

#[tokio::test]
async fn staff_exports_read_back_on_sqlite() {
    staff_download_the_register_and_read_it_back(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_exports_read_back_on_postgres() {
    staff_download_the_register_and_read_it_back(Backend::Postgres).await;
}

/// What a respondent types that a spreadsheet would run as a formula.
const FORMULA_COMMENT: &str = "=HYPERLINK(\"https://evil.example/\",\"Click for your results\")";

/// A comment, a letter and a survey response that begin like formulas reach every CSV heard
/// writes (the register download, the open-data zip, the results' figures) with a quote before
/// them, so a spreadsheet shows them as text; the spreadsheet download keeps them as typed, since
/// its cells are text already.
async fn csv_downloads_never_start_a_formula(backend: Backend) {
    let data = open_data_app(backend, Settings::default()).await;
    let app = &data.app;
    let store = &app.store;
    let now = app.state.now();
    let rosa = store.account_by_email(crate::api::EMAILS[0]).await.unwrap().unwrap().user.id;
    store
        .add_comment(&NewComment {
            discussion_id: data.discussion_id,
            parent_id: None,
            author_id: rosa,
            body: FORMULA_COMMENT.into(),
            posted_at: now,
            source: CommentSource::Web,
            flags: Vec::new(),
        })
        .await
        .unwrap();
    let letter = |consultation_id, borough: &str, organisation: &str, text: &str, received| NewResponse {
        consultation_id,
        channel: ResponseChannel::Post,
        source: ResponseSource::Staff,
        received_on: Date::parse_iso(received).unwrap(),
        respondent_type: RespondentType::Organisation,
        organisation: organisation.into(),
        borough: borough.into(),
        user_id: None,
        email: None,
        entered_by: None,
        texts: vec![ResponseText { question: String::new(), text: text.into() }],
        attachment: None,
    };
    let parks = store.consultation_by_slug("parks").await.unwrap().unwrap().summary.id;
    let old = store.consultation_by_slug("old").await.unwrap().unwrap().summary.id;
    store
        .record_responses(&[
            letter(
                parks,
                "Camden",
                "@Friends of the Pond",
                "-2 stars: the lights are out again.",
                "2025-02-20",
            ),
            letter(old, "=Camden", "Friends of the Gate", "+1 for later gates.", "2024-01-20"),
        ])
        .await
        .unwrap();

    let (host, _) = app.signed_in(Role::Host, "Hana").await;
    let register = csv_rows(&host.get("/admin/consultations/parks/export/responses.csv").await.html);
    let letter = register.iter().find(|r| r["channel"] == "post").expect("the letter");
    assert_eq!(letter["organisation"], "'@Friends of the Pond");
    assert_eq!(letter["text"], "'-2 stars: the lights are out again.");
    assert_eq!(letter["borough"], "Camden", "a cell that is no formula is left as it is");
    let comment = register.iter().find(|r| r["text"].contains("HYPERLINK")).expect("the comment");
    assert_eq!(comment["text"], format!("'{FORMULA_COMMENT}"));

    let zipped = crate::api::zip_bytes(app, "/consultations/parks/open-data.zip").await;
    let files = unzip(&zipped);
    let comments = &files.iter().find(|(name, _)| name == "comments.csv").expect("comments.csv").1;
    let published = csv_rows(comments);
    let comment = published.iter().find(|r| r["text"].contains("HYPERLINK")).expect("the comment");
    assert_eq!(comment["text"], format!("'{FORMULA_COMMENT}"));
    assert!(published.iter().all(|r| !r["agreements"].starts_with('\'')), "counts are written as numbers");

    let figures = app.browser("203.0.113.9").get("/consultations/old/results/figures.csv").await;
    assert_eq!(figures.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(figures.html.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let borough = rows.iter().find(|r| &r[0] == "responses by borough" && r[1].contains("Camden")).unwrap();
    assert_eq!((&borough[1], &borough[2]), ("'=Camden", "1"));

    let xlsx = host.get("/admin/consultations/parks/export/responses.xlsx").await;
    let parts = unzip(&xlsx.bytes);
    let strings = shared_strings(&parts.iter().find(|(n, _)| n == "xl/sharedStrings.xml").unwrap().1);
    assert!(strings.contains(&"-2 stars: the lights are out again.".to_owned()), "{strings:?}");
}

#[tokio::test]
async fn csv_downloads_never_start_a_formula_on_sqlite() {
    csv_downloads_never_start_a_formula(Backend::Sqlite).await;
}

#[tokio::test]
async fn csv_downloads_never_start_a_formula_on_postgres() {
    csv_downloads_never_start_a_formula(Backend::Postgres).await;
}

#[tokio::test]
async fn residents_and_moderators_cannot_export_the_register() {
    let (data, _) = register_with_every_kind(Backend::Sqlite).await;
    let app = &data.app;
    for role in [Role::Resident, Role::Moderator] {
        let (browser, _) = app.signed_in(role, &format!("Not staff {}", role.as_str())).await;
        for uri in [
            "/admin/consultations/parks/export/responses.csv",
            "/admin/consultations/parks/export/responses.xlsx",
        ] {
            let page = browser.get(uri).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?} {uri}");
            page.lacks("Friends of the Pond");
        }
    }
    let anonymous = app.browser("203.0.113.20").get("/admin/consultations/parks/export/responses.csv").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/login?next="));
    // The hub links them for those who may.
    let (admin, _) = app.signed_in(Role::Admin, "Adele").await;
    admin
        .get("/admin/consultations/parks")
        .await
        .shows(r#"<a href="/admin/consultations/parks/export/responses.csv" download>CSV</a>"#)
        .shows(
            r#"<a href="/admin/consultations/parks/export/responses.xlsx" download>spreadsheet (XLSX)</a>"#,
        );
    assert_eq!(
        admin.get("/admin/consultations/nowhere/export/responses.csv").await.status,
        StatusCode::NOT_FOUND
    );
}
