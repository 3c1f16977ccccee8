//! What running heard for real needs of the router: the health and readiness checks, the page and
//! the form kept while the database is away, and text no database stores (a NUL character)
//! refused the same way on SQLite and PostgreSQL.

use axum::http::StatusCode;
use heard_store::*;

use crate::{OPEN, TestApp, discussions_app, post_comment};

async fn health_and_readiness(backend: Backend) {
    let app = TestApp::new(backend, "2025-03-01").await;
    let health = app.get("/healthz").await;
    assert_eq!((health.status, health.html.as_str()), (StatusCode::OK, "ok"));
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status, ready.html.as_str()), (StatusCode::OK, "ready"));
    assert_eq!(ready.headers["cache-control"], "no-store");
    // With the database gone, the process is still up, and not ready.
    app.store.close().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.html, "not ready: cannot reach the database");
    assert_eq!(ready.headers["retry-after"], "5");
}

#[tokio::test]
async fn healthz_and_readyz_on_sqlite() {
    health_and_readiness(Backend::Sqlite).await;
}

#[tokio::test]
async fn healthz_and_readyz_on_postgres() {
    health_and_readiness(Backend::Postgres).await;
}

async fn comment_posted_while_the_database_is_away_keeps_its_text(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let csrf = alice.get(OPEN).await.csrf();
    let text = "The lights by the pond have been out\nsince January.";
    app.store.close().await;
    let page = alice
        .post(&format!("{OPEN}/comments"), &[("csrf", &csrf), ("body", text), ("return_to", OPEN)])
        .await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers["retry-after"], "5");
    assert_eq!(page.headers["cache-control"], "no-store");
    page.shows("<h1>We are having trouble</h1>")
        .shows("Nothing you sent has been saved yet. Your text is below: try again in a moment.")
        .shows(&format!(r#"<form method="post" action="{OPEN}/comments" class="form">"#))
        .shows(&format!(r#"<input type="hidden" name="csrf" value="{csrf}">"#))
        .shows(&format!(r#"<input type="hidden" name="return_to" value="{OPEN}">"#))
        .shows(r#"<textarea id="retry-body" name="body" rows="8">The lights by the pond have been out"#)
        .shows("<button type=\"submit\" class=\"button\">Try again</button>")
        .lacks("pool")
        .lacks("acquire");
    // A page asked for (not a form) gets the same answer, without a form.
    let page = alice.get(OPEN).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    page.shows("We are having trouble").lacks("<form method=\"post\"");
    // A form with a password is not put back on the page.
    let page =
        alice.post("/login", &[("csrf", &csrf), ("email", "a@example.org"), ("password", "hunter2")]).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    page.lacks("hunter2");
}

#[tokio::test]
async fn comment_posted_while_the_database_is_away_keeps_its_text_on_sqlite() {
    comment_posted_while_the_database_is_away_keeps_its_text(Backend::Sqlite).await;
}

#[tokio::test]
async fn comment_posted_while_the_database_is_away_keeps_its_text_on_postgres() {
    comment_posted_while_the_database_is_away_keeps_its_text(Backend::Postgres).await;
}

async fn nul_in_a_comment_is_refused_with_the_text_kept(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let page = alice.submit(OPEN, &format!("{OPEN}/comments"), &[("body", "Pasted\0 from a PDF")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    page.shows("Your comment contains a NUL character (U+0000").shows("Pasted\0 from a PDF</textarea>");
    // Nothing stored; without it, the comment posts.
    let id = post_comment(&alice, OPEN, "Pasted from a PDF", None).await;
    assert_eq!(app.store.comment(id).await.unwrap().unwrap().body, "Pasted from a PDF");
    // Any other field of any form is refused by name, the same on both databases.
    let page =
        alice.submit(OPEN, &format!("{OPEN}/comments"), &[("body", "Fine"), ("return_to", "/\0")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("The field “return_to” contains a NUL character (U+0000");
}

#[tokio::test]
async fn nul_in_a_comment_is_refused_on_sqlite() {
    nul_in_a_comment_is_refused_with_the_text_kept(Backend::Sqlite).await;
}

#[tokio::test]
async fn nul_in_a_comment_is_refused_on_postgres() {
    nul_in_a_comment_is_refused_with_the_text_kept(Backend::Postgres).await;
}

async fn get_with(
    app: &TestApp,
    uri: &str,
    header: (&str, &str),
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request =
        axum::http::Request::get(uri).header(header.0, header.1).body(axum::body::Body::empty()).unwrap();
    let response = heard_web::router(app.state.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn static_assets_carry_an_etag_and_answer_304_when_unchanged() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    for asset in ["/static/style.css", "/static/survey.js", "/static/favicon.svg"] {
        let first = app.get(asset).await;
        assert_eq!(first.status, StatusCode::OK);
        let etag = first.headers["etag"].to_str().unwrap().to_owned();
        let last_modified = first.headers["last-modified"].to_str().unwrap().to_owned();
        assert!(etag.starts_with("W/\"") && etag.len() == 24, "{etag}");
        let (status, headers, body) = get_with(&app, asset, ("if-none-match", &etag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{asset}");
        assert!(body.is_empty());
        assert_eq!(headers["etag"].to_str().unwrap(), etag);
        let (status, _, _) = get_with(&app, asset, ("if-modified-since", &last_modified)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        let (status, _, body) = get_with(&app, asset, ("if-none-match", "\"something-older\"")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, first.bytes);
        let (status, _, _) =
            get_with(&app, asset, ("if-modified-since", "Mon, 01 Jan 2024 00:00:00 GMT")).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn pages_and_assets_are_sent_compressed_to_browsers_that_ask() {
    use std::io::Read;
    let app = crate::discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    for n in 0..9 {
        post_comment(
            &alice,
            OPEN,
            &format!("Comment {n}: the lights by the pond have been out since January."),
            None,
        )
        .await;
    }
    let plain = app.get(OPEN).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get("content-encoding").is_none(), "nothing compressed unless asked");
    let (status, headers, gzipped) = get_with(&app, OPEN, ("accept-encoding", "gzip")).await;
    assert_eq!((status, headers["content-encoding"].to_str().unwrap()), (StatusCode::OK, "gzip"));
    assert!(headers["vary"].to_str().unwrap().to_lowercase().contains("accept-encoding"));
    assert!(
        gzipped.len() * 3 < plain.bytes.len(),
        "{} bytes gzipped of {}",
        gzipped.len(),
        plain.bytes.len()
    );
    let mut page = Vec::new();
    flate2::read::GzDecoder::new(&gzipped[..]).read_to_end(&mut page).unwrap();
    assert_eq!(page, plain.bytes);
    let (status, headers, brotli) =
        get_with(&app, "/static/style.css", ("accept-encoding", "br, gzip")).await;
    assert_eq!((status, headers["content-encoding"].to_str().unwrap()), (StatusCode::OK, "br"));
    assert!(headers.contains_key("etag"));
    let mut css = Vec::new();
    brotli_decompressor::Decompressor::new(&brotli[..], 4096).read_to_end(&mut css).unwrap();
    assert_eq!(css, app.get("/static/style.css").await.bytes);
}
