//! Responses by email, post, phone and at events, as staff enter them: the entry form, its checks
//! on dates and attachments, the CSV import, and the register.

use axum::http::StatusCode;
use heard_store::*;

use crate::{Browser, Page, TestApp, discussions_app};

/// The entry form of the open consultation ("parks", 1 February to 1 April 2025; today is 1 March).
const NEW: &str = "/admin/consultations/parks/responses/new";
/// The entry form of the closed one ("old", 1 January to 1 February 2024).
const NEW_CLOSED: &str = "/admin/consultations/old/responses/new";

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R'];

async fn host(app: &TestApp) -> Browser {
    app.signed_in(Role::Host, "Hannah Host").await.0
}

async fn consultation_id(app: &TestApp, slug: &str) -> i64 {
    app.store.consultation_by_slug(slug).await.unwrap().unwrap().summary.id
}

/// Enters a response through the form on `form`: a letter from an individual in Camden, with
/// `extra` in place of any of those fields or added to them.
async fn enter(browser: &Browser, form: &str, extra: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Page {
    let mut fields: Vec<(&str, &str)> = extra.to_vec();
    for (name, value) in [
        ("channel", "post"),
        ("received", "2025-02-20"),
        ("respondent_type", "individual"),
        ("borough", "Camden"),
        ("text", "More lighting on the canal towpath, please."),
    ] {
        if !extra.iter().any(|(k, _)| *k == name) {
            fields.push((name, value));
        }
    }
    let file = file.map(|(name, bytes)| ("attachment", name, bytes));
    browser.submit_multipart(form, form, &fields, file).await
}

#[track_caller]
fn refused(page: &Page) -> &Page {
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "expected the form back ({}):\n{}",
        page.status,
        page.html
    );
    page.shows("There is a problem")
}

#[track_caller]
fn saved(page: &Page) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "expected the response saved:\n{}", page.html);
    assert!(page.location().ends_with("/responses/entered"), "{}", page.location());
}

async fn an_entry_with_a_problem_keeps_everything_typed_and_names_the_field(backend: Backend) {
    let app = discussions_app(backend).await;
    let staff = host(&app).await;
    let form = staff.get(NEW).await;
    assert_eq!(form.status, StatusCode::OK);
    form.shows("Enter a response").shows(r#"enctype="multipart/form-data""#).shows(r#"value="2025-03-01""#);
    let page = enter(
        &staff,
        NEW,
        &[
            ("channel", "email"),
            ("respondent_type", "organisation"),
            ("organisation", "  "),
            ("borough", "Hackney"),
            ("email", "Residents@Example.org"),
            ("text", "Line one <b>bold</b>\r\nLine two"),
        ],
        Some(("letter.pdf", PDF)),
    )
    .await;
    refused(&page)
        .shows(r##"<a href="#organisation">Enter the name of the organisation.</a>"##)
        .shows(r#"<p class="error-message" id="organisation-error"><span class="visually-hidden">Error:</span> Enter the name of the organisation.</p>"#)
        .shows(r#"id="channel-email" name="channel" value="email" checked"#)
        .shows(r#"id="respondent_type-organisation" name="respondent_type" value="organisation" checked"#)
        .shows(r#"<option value="Hackney" selected>Hackney</option>"#)
        .shows(r#"value="Residents@Example.org""#)
        .shows("Line one &#60;b&#62;bold&#60;/b&#62;\r\nLine two</textarea>")
        .shows("Choose letter.pdf again: browsers do not keep a chosen file when a form comes back.");
    let id = consultation_id(&app, "parks").await;
    assert_eq!(
        app.store.respondent_count(id).await.unwrap(),
        0,
        "nothing is stored from a form with a problem"
    );

    // With the organisation's name it is saved, and the page after says where to go next.
    let page = enter(
        &staff,
        NEW,
        &[
            ("channel", "email"),
            ("respondent_type", "organisation"),
            ("organisation", "Friends of the Canal"),
        ],
        Some(("letter.pdf", PDF)),
    )
    .await;
    saved(&page);
    let next = staff.get(page.location()).await;
    next.shows("Response saved")
        .shows(r#"<a href="/admin/consultations/parks/responses/new">Enter another response</a>"#)
        .shows(r#"<a href="/admin/consultations/parks/responses">See the register of responses</a>"#);
    assert_eq!(app.store.respondent_count(id).await.unwrap(), 1);
}

#[tokio::test]
async fn entry_with_a_problem_keeps_what_was_typed_on_sqlite() {
    an_entry_with_a_problem_keeps_everything_typed_and_names_the_field(Backend::Sqlite).await;
}

#[tokio::test]
async fn entry_with_a_problem_keeps_what_was_typed_on_postgres() {
    an_entry_with_a_problem_keeps_everything_typed_and_names_the_field(Backend::Postgres).await;
}

#[tokio::test]
async fn a_response_needs_what_it_says_or_a_scanned_letter() {
    let app = discussions_app(Backend::Sqlite).await;
    let staff = host(&app).await;
    let page = enter(&staff, NEW, &[("text", "  \r\n ")], None).await;
    refused(&page).shows(
        "Enter what the response says, as one text or question by question, or attach the scanned letter.",
    );
    // A scanned letter can stand alone.
    saved(&enter(&staff, NEW, &[("text", "")], Some(("scan.png", PNG))).await);
}

#[tokio::test]
async fn dates_received_in_the_future_or_before_opening_are_refused() {
    let app = discussions_app(Backend::Sqlite).await;
    let staff = host(&app).await;
    refused(&enter(&staff, NEW, &[("received", "2025-03-02")], None).await)
        .shows(r##"<a href="#received">2 March 2025 is in the future.</a>"##)
        .shows(r#"value="2025-03-02""#);
    refused(&enter(&staff, NEW, &[("received", "2025-01-31")], None).await)
        .shows("31 January 2025 is before the consultation opened on 1 February 2025.");
    refused(&enter(&staff, NEW, &[("received", "20/02/2025")], None).await)
        .shows("Enter the date received as year, month and day, like 2025-02-10.");
    saved(&enter(&staff, NEW, &[("received", "2025-03-01")], None).await);
    saved(&enter(&staff, NEW, &[("received", "2025-02-01")], None).await);
}

async fn a_closed_consultation_takes_what_any_channel_received_in_time(backend: Backend) {
    let app = discussions_app(backend).await;
    let staff = host(&app).await;
    let form = staff.get(NEW_CLOSED).await;
    form.shows("This consultation closed on 1 February 2024.");
    // Posted before the deadline, arrived on the closing day, entered a year later: counted.
    saved(&enter(&staff, NEW_CLOSED, &[("channel", "post"), ("received", "2024-02-01")], None).await);
    // Arrived the day after: refused, with the date kept.
    refused(&enter(&staff, NEW_CLOSED, &[("channel", "post"), ("received", "2024-02-02")], None).await)
        .shows(r##"<a href="#received">2 February 2024 is after the consultation closed on 1 February 2024.</a>"##)
        .shows(r#"value="2024-02-02""#);
    // Notes of an event held before closing are written up afterwards: counted too.
    saved(&enter(&staff, NEW_CLOSED, &[("channel", "event"), ("received", "2024-01-20")], None).await);
    // So does every other channel: an email received in January is entered in March.
    for channel in ["email", "phone", "online"] {
        saved(&enter(&staff, NEW_CLOSED, &[("channel", channel), ("received", "2024-01-20")], None).await);
    }
    // Whatever the channel, one received after closing is refused with the reason, keeping the channel.
    refused(&enter(&staff, NEW_CLOSED, &[("channel", "email"), ("received", "2024-02-03")], None).await)
        .shows(r##"<a href="#received">3 February 2024 is after the consultation closed on 1 February 2024.</a>"##)
        .shows(r#"value="email" checked"#);
    let id = consultation_id(&app, "old").await;
    assert_eq!(app.store.respondent_count(id).await.unwrap(), 5, "each received in time, none late");

    // Once its results are published, a late letter is still taken, and staff are told it will not
    // be in them until the analysis is run again.
    const LATE: &str = "not in what we heard until the analysis is run again";
    form.lacks(LATE);
    let (_, admin) = app.signed_in(Role::Admin, "Ada Admin").await;
    assert!(app.store.publish_results(id, admin, app.state.now()).await.unwrap());
    staff.get(NEW_CLOSED).await.shows(LATE);
    staff.get("/admin/consultations/old/responses/import").await.shows(LATE);
    saved(&enter(&staff, NEW_CLOSED, &[("channel", "post"), ("received", "2024-01-31")], None).await);
}

#[tokio::test]
async fn closed_consultation_takes_any_channel_received_in_time_on_sqlite() {
    a_closed_consultation_takes_what_any_channel_received_in_time(Backend::Sqlite).await;
}

#[tokio::test]
async fn closed_consultation_takes_any_channel_received_in_time_on_postgres() {
    a_closed_consultation_takes_what_any_channel_received_in_time(Backend::Postgres).await;
}

#[tokio::test]
async fn attachments_are_checked_by_their_bytes_and_their_size() {
    let app = discussions_app(Backend::Sqlite).await;
    let staff = host(&app).await;
    let id = consultation_id(&app, "parks").await;
    refused(&enter(&staff, NEW, &[], Some(("letter.pdf", PNG))).await)
        .shows("The file&#39;s name does not match what it contains (a PNG image).")
        .shows("More lighting on the canal towpath, please.</textarea>");
    let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    refused(&enter(&staff, NEW, &[], Some(("letter.pdf", html))).await)
        .shows("The file must be a PDF, a JPEG or PNG image, or plain text; this file is none of those.");
    refused(&enter(&staff, NEW, &[], Some(("letter.exe", b"MZ\x90\x00\x03\x00\x00\x00"))).await)
        .shows("The file must be a PDF, a JPEG or PNG image, or plain text");
    // Just over 10 MB: read whole and refused.
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    refused(&enter(&staff, NEW, &[("borough", "Camden")], Some(("letter.pdf", &big[..]))).await)
        .shows("The file must be 10 MB or smaller.")
        .shows(r#"<option value="Camden" selected>Camden</option>"#);
    // Far over: cut off at the route's limit, and the fields before the file are still kept.
    big.resize(20 * 1024 * 1024, b' ');
    refused(&enter(&staff, NEW, &[("organisation", "Kept Society")], Some(("letter.pdf", &big[..]))).await)
        .shows("The file must be 10 MB or smaller.")
        .shows(r#"value="Kept Society""#);
    assert_eq!(app.store.respondent_count(id).await.unwrap(), 0, "no refused file left a response behind");
    // Exactly 10 MB is accepted.
    big.truncate(10 * 1024 * 1024);
    saved(&enter(&staff, NEW, &[], Some(("letter.pdf", &big[..]))).await);
}

#[tokio::test]
async fn a_form_with_a_file_and_no_token_stores_nothing() {
    let app = discussions_app(Backend::Sqlite).await;
    let staff = host(&app).await;
    let fields =
        [("channel", "post"), ("received", "2025-02-20"), ("respondent_type", "individual"), ("text", "Hi")];
    let page = staff.post_multipart(NEW, &fields, Some(("attachment", "letter.pdf", PDF))).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.shows("This form has expired");
    let mut forged = vec![("csrf", "not-the-token")];
    forged.extend_from_slice(&fields);
    assert_eq!(staff.post_multipart(NEW, &forged, None).await.status, StatusCode::FORBIDDEN);
    let csv =
        b"channel,received,respondent_type,organisation,borough,text\npost,2025-02-20,individual,,,Hi\n";
    let import = staff.post_multipart(IMPORT, &[], Some(("file", "letters.csv", csv))).await;
    assert_eq!(import.status, StatusCode::FORBIDDEN);
    let id = consultation_id(&app, "parks").await;
    assert_eq!(app.store.respondent_count(id).await.unwrap(), 0);
}

#[tokio::test]
async fn the_form_asks_each_prompt_question_and_keeps_the_answers() {
    let app = discussions_app(Backend::Sqlite).await;
    let id = consultation_id(&app, "parks").await;
    let day = |iso| Date::parse_iso(iso).unwrap();
    app.store
        .create_discussion(
            id,
            &NewDiscussion {
                slug: "lights".into(),
                title: "Lights".into(),
                intro: "Tell us.".into(),
                opens_on: day("2025-02-01"),
                closes_on: day("2025-04-01"),
                questions: vec!["Where do you feel unsafe?".into(), "What would help?".into()],
                hosts: vec![],
                host_organisation: String::new(),
            },
        )
        .await
        .unwrap();
    let staff = host(&app).await;
    staff.get(NEW).await.shows(r#"<label for="answer-1">Answer to: What would help?</label>"#);
    let page = enter(&staff, NEW, &[("text", ""), ("answer-1", "Lights."), ("received", "")], None).await;
    refused(&page)
        .shows(r#"name="answer-1" rows="5">Lights.</textarea>"#)
        .shows("Enter the date the response was received.");
    saved(&enter(&staff, NEW, &[("text", ""), ("answer-1", "Lights.")], None).await);
}

const REGISTER: &str = "/admin/consultations/parks/responses";
const IMPORT: &str = "/admin/consultations/parks/responses/import";

async fn a_person_who_responded_online_and_by_email_is_counted_once(backend: Backend) {
    let app = discussions_app(backend).await;
    // Ann comments in the discussion with her account, then writes in from the same address.
    let (ann, _) = app.signed_in(Role::Resident, "Ann").await;
    crate::post_comment(&ann, crate::OPEN, "Lights on the towpath, online.", None).await;
    let staff = host(&app).await;
    saved(
        &enter(
            &staff,
            NEW,
            &[
                ("channel", "email"),
                ("email", "ANN@example.org"),
                ("text", "Lights on the towpath, by email."),
            ],
            None,
        )
        .await,
    );
    // A letter from a society, with its scan.
    saved(
        &enter(
            &staff,
            NEW,
            &[("respondent_type", "organisation"), ("organisation", "Canal Society"), ("text", "")],
            Some(("Canal letter.pdf", PDF)),
        )
        .await,
    );
    let page = staff.get(REGISTER).await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("2 respondents, 3 responses")
        .shows(r#"<tr><th scope="row">Online</th><td class="number">1</td><td class="number">1</td></tr>"#)
        .shows(r#"<tr><th scope="row">Email</th><td class="number">1</td><td class="number">1</td></tr>"#)
        .shows(r#"<tr><th scope="row">Post</th><td class="number">1</td><td class="number">1</td></tr>"#)
        .shows(r#"<tr><th scope="row">Phone</th><td class="number">0</td><td class="number">0</td></tr>"#)
        .shows(
            r#"<tr><th scope="row">Individual</th><td class="number">2</td><td class="number">1</td></tr>"#,
        )
        .shows(
            r#"<tr><th scope="row">Organisation</th><td class="number">1</td><td class="number">1</td></tr>"#,
        )
        .shows("Lights on the towpath, online.")
        .shows("Lights on the towpath, by email.")
        .shows("Post: Organisation: Canal Society")
        .shows("Download Canal letter.pdf</a> <span class=\"meta\">(PDF, 77 bytes)</span>")
        .lacks("ANN@example.org");
    // Filters: by channel, and by respondent type.
    let email = staff.get(&format!("{REGISTER}?channel=email")).await;
    email.shows("1 email response</h2>").shows("by email.").lacks("Lights on the towpath, online.");
    let organisations = staff.get(&format!("{REGISTER}?respondent_type=organisation")).await;
    organisations
        .shows("1 response from organisations</h2>")
        .shows("Canal Society")
        .lacks("Lights on the towpath");
}

#[tokio::test]
async fn the_register_counts_a_person_once_across_channels_on_sqlite() {
    a_person_who_responded_online_and_by_email_is_counted_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_register_counts_a_person_once_across_channels_on_postgres() {
    a_person_who_responded_online_and_by_email_is_counted_once(Backend::Postgres).await;
}

/// The link to the first attachment the register shows.
fn attachment_href(register: &Page) -> String {
    let at = register.html.find("/responses/attachments/").expect("an attachment link");
    let start = register.html[..at].rfind('"').unwrap() + 1;
    let end = at + register.html[at..].find('"').unwrap();
    register.html[start..end].to_owned()
}

#[tokio::test]
async fn attachments_download_as_files_with_their_stored_type() {
    let app = discussions_app(Backend::Sqlite).await;
    let staff = host(&app).await;
    saved(&enter(&staff, NEW, &[], Some(("Zoë's letter.pdf", PDF))).await);
    let href = attachment_href(&staff.get(REGISTER).await);
    let file = staff.get(&href).await;
    assert_eq!(file.status, StatusCode::OK);
    let header =
        |name: &str| file.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"Zo__s letter.pdf\"; filename*=UTF-8''Zo%C3%AB%27s%20letter.pdf"
    );
    assert_eq!(file.html.as_bytes(), PDF);
    // Only staff, and only under its own consultation.
    let (resident, _) = app.signed_in(Role::Resident, "Rita").await;
    assert_eq!(resident.get(&href).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.browser("203.0.113.9").get(&href).await.status, StatusCode::SEE_OTHER);
    let elsewhere = href.replace("/parks/", "/old/");
    assert_eq!(staff.get(&elsewhere).await.status, StatusCode::NOT_FOUND);
}

async fn import_file(browser: &Browser, csv: &str) -> Page {
    browser.submit_multipart(IMPORT, IMPORT, &[], Some(("file", "responses.csv", csv.as_bytes()))).await
}

async fn an_import_with_a_bad_row_imports_nothing_and_lists_every_problem(backend: Backend) {
    let app = discussions_app(backend).await;
    let staff = host(&app).await;
    let id = consultation_id(&app, "parks").await;
    let csv = "channel,received,respondent_type,organisation,borough,text\n\
               email,2025-02-10,individual,,Camden,Fine\n\
               fax,2025-02-10,individual,,Camden,Bad channel\n\
               post,2025-02-11,organisation,,,\"Two\nlines, no organisation\"\n\
               post,2025-03-05,individual,,Hackney,In the future\n";
    let page = import_file(&staff, csv).await;
    // Every problem at once, the dates' included, in row order.
    refused(&page).shows("Nothing was imported: responses.csv has 3 problems.");
    page.shows("<tr><td>3</td><td>channel</td><td>&#34;fax&#34; is not one of online, email, post, event, phone</td></tr>")
        .shows("<tr><td>4</td><td>organisation</td><td>An organisation&#39;s response needs the organisation&#39;s name</td></tr>")
        .shows("<tr><td>5</td><td>received</td><td>5 March 2025 is in the future</td></tr>")
        .lacks("<tr><td>2</td>");
    assert_eq!(app.store.respondent_count(id).await.unwrap(), 0, "nothing imported");
    // The rows alone are right, but one is dated after today: still nothing is imported.
    let csv = "channel,received,respondent_type,organisation,borough,text\n\
               email,2025-02-10,individual,,Camden,Fine\n\
               post,2025-03-05,individual,,Hackney,In the future\n";
    refused(&import_file(&staff, csv).await)
        .shows("<tr><td>3</td><td>received</td><td>5 March 2025 is in the future</td></tr>");
    assert_eq!(app.store.respondent_count(id).await.unwrap(), 0, "nothing imported");
    // No file at all.
    let page = staff.submit_multipart(IMPORT, IMPORT, &[], None).await;
    refused(&page).shows(r##"<a href="#file">Choose the CSV file to import.</a>"##);
}

#[tokio::test]
async fn import_refusal_lists_rows_and_imports_nothing_on_sqlite() {
    an_import_with_a_bad_row_imports_nothing_and_lists_every_problem(Backend::Sqlite).await;
}

#[tokio::test]
async fn import_refusal_lists_rows_and_imports_nothing_on_postgres() {
    an_import_with_a_bad_row_imports_nothing_and_lists_every_problem(Backend::Postgres).await;
}

#[tokio::test]
async fn an_import_of_good_rows_says_how_many_and_fills_the_register() {
    let app = discussions_app(Backend::Sqlite).await;
    let staff = host(&app).await;
    let csv = "channel,received,respondent_type,organisation,borough,text,question\n\
               email,2025-02-10,individual,,Camden,\"First line\nSecond line\",What would help?\n\
               event,2025-02-12,organisation,Youth Club,Not known,Notes from the meeting,\n\
               post,2025-02-14,individual,,hackney,A letter <script>alert(1)</script>,\n";
    let page = import_file(&staff, csv).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    staff.get(page.location()).await.shows("3 responses were imported.");
    let register = staff.get(REGISTER).await;
    register
        .shows("3 respondents, 3 responses")
        .shows(r#"<p class="question">What would help?</p>"#)
        .shows("<p>First line</p><p>Second line</p>")
        .shows("Event: Organisation: Youth Club")
        .shows("Hackney · received")
        .shows("A letter &#60;script&#62;alert(1)&#60;/script&#62;")
        .lacks("<script>alert(1)");
}

#[tokio::test]
async fn long_responses_fold_and_the_register_pages() {
    let app = discussions_app(Backend::Sqlite).await;
    let id = consultation_id(&app, "parks").await;
    let letter = |n: usize| NewResponse {
        consultation_id: id,
        channel: ResponseChannel::Post,
        source: ResponseSource::Synthetic,
        received_on: Date::parse_iso("2025-02-10").unwrap(),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: String::new(),
        user_id: None,
        email: None,
        entered_by: None,
        texts: vec![ResponseText {
            question: String::new(),
            text: if n == 0 { "A long letter. ".repeat(100) } else { format!("Letter {n}.") },
        }],
        attachment: None,
    };
    let letters: Vec<NewResponse> = (0..51).map(letter).collect();
    app.store.record_responses(&letters).await.unwrap();
    let staff = host(&app).await;
    let first = staff.get(REGISTER).await;
    first
        .shows("51 responses</h2>")
        .shows("Page 1 of 2")
        .shows(r#"<span class="badge badge-synthetic""#)
        .shows("Borough not known")
        .shows(r#"<a href="/admin/consultations/parks/responses?page=2#register" rel="next">Next page</a>"#);
    let second = staff.get("/admin/consultations/parks/responses?page=2").await;
    second.shows("Page 2 of 2").shows(r#"<summary><span class="when-closed">Show full response</span>"#);
}
