//! `/metrics` and request ids: off unless asked for, and then only for this machine; requests
//! counted by route template and status, with their latency, the database's connections and the
//! job queue; every answer and every log line of its request carrying one id.

use axum::http::StatusCode;
use heard_store::*;
use heard_web::Settings;

use crate::TestApp;

fn with_metrics() -> Settings {
    Settings { metrics: true, ..Settings::default() }
}

#[tokio::test]
async fn metrics_are_off_unless_asked_for_and_then_only_for_this_machine() {
    let off = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    assert_eq!(off.browser("127.0.0.1").get("/metrics").await.status, StatusCode::NOT_FOUND);

    let on = TestApp::with_settings(Backend::Sqlite, "2025-03-01", with_metrics()).await;
    assert_eq!(on.browser("198.51.100.7").get("/metrics").await.status, StatusCode::NOT_FOUND);
    // Through a proxy on this machine, as every visitor comes behind nginx.
    let proxied = on.browser("127.0.0.1").get_with("/metrics", &[("x-forwarded-for", "198.51.100.7")]).await;
    assert_eq!(proxied.status, StatusCode::NOT_FOUND);
    let direct = on.browser("127.0.0.1").get("/metrics").await;
    assert_eq!(direct.status, StatusCode::OK);
    assert_eq!(direct.headers["content-type"], "text/plain; version=0.0.4");
}

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let app = TestApp::with_settings(backend, "2025-03-01", with_metrics()).await;
    let visitor = app.browser("198.51.100.7");
    for uri in ["/", "/", "/consultations/no-such-plan", "/no/such/page/SeCrEt"] {
        visitor.get(uri).await;
    }
    // A job of a kind no worker takes stays queued.
    let job = NewJob { kind: "for-the-metrics", payload: "{}", max_attempts: 1, unique_key: None };
    app.store.queue_job(&job, Timestamp::now()).await.unwrap();
    // A run recorded without its job (as the demo records one) stays queued.
    let consultation = app
        .store
        .create_consultation(&crate::new_consultation("parks", "2025-02-01", "2025-04-01"))
        .await
        .unwrap();
    let analyst = app.account(Role::Host, "Hana", &format!("hana-{backend:?}@example.org")).await;
    let run = NewRun {
        consultation_id: consultation,
        scope: RunScope::All,
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: None,
        mode: "lexical".into(),
    };
    app.store.create_run(&run, analyst, Timestamp::now()).await.unwrap();
    let text = app.browser("127.0.0.1").get("/metrics").await.html;
    for line in [
        r#"heard_http_requests_total{route="/",method="GET",status="200"} 2"#,
        r#"heard_http_requests_total{route="/consultations/{slug}",method="GET",status="404"} 1"#,
        r#"heard_http_requests_total{route="(no route)",method="GET",status="404"} 1"#,
        r#"heard_http_request_duration_seconds_bucket{route="/",le="+Inf"} 2"#,
        r#"heard_http_request_duration_seconds_count{route="/"} 2"#,
        r#"heard_jobs{state="queued"} 1"#,
        r#"heard_jobs{state="failed"} 0"#,
        r#"heard_analysis_runs{status="queued"} 1"#,
        r#"heard_analysis_runs{status="running"} 0"#,
        "# TYPE heard_http_request_duration_seconds histogram",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
    }
    // The buckets only grow, up to the count.
    let buckets: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with(r#"heard_http_request_duration_seconds_bucket{route="/","#))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 12, "{text}");
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]) && buckets[11] == 2, "{buckets:?}");
    let pool = match backend {
        Backend::Sqlite => r#"heard_database_connections_max{pool="writer"} 1"#,
        Backend::Postgres => r#"heard_database_connections_max{pool="database"} 16"#,
    };
    assert!(text.lines().any(|l| l == pool), "{pool} in:\n{text}");
    assert!(
        text.contains(r#"heard_database_connections{pool=""#) && text.contains(r#"state="in_use"}"#),
        "{text}"
    );
    // Routes are templates: no path that was asked for is in a label.
    assert!(!text.contains("no-such-plan") && !text.contains("SeCrEt"), "{text}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_on_sqlite() {
    metrics_count_requests_by_route_and_status(Backend::Sqlite).await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_on_postgres() {
    metrics_count_requests_by_route_and_status(Backend::Postgres).await;
}

#[tokio::test]
async fn every_answer_carries_a_request_id_found_on_every_log_line_of_its_request() {
    let log = crate::security::CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    let browser = app.browser("198.51.100.7");
    let fields = [
        ("display_name", "Ida"),
        ("email", "ida@example.org"),
        ("password", crate::PASSWORD),
        ("sixteen", "yes"),
    ];
    let registered = browser.submit("/register", "/register", &fields).await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER, "{}", registered.html);
    let id = registered.headers["x-request-id"].to_str().unwrap().to_owned();
    let again = browser.get("/").await.headers["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id, again, "each request has its own id");
    let text = log.text();
    let created: Vec<&str> = text.lines().filter(|l| l.contains("account created")).collect();
    assert_eq!(created.len(), 1, "{text}");
    assert!(created[0].contains(&format!("request{{id={id} method=POST route=/register}}")), "{text}");

    // Behind a proxy heard trusts, the proxy's id is kept, so both logs agree; otherwise not.
    let proxied = TestApp::with_settings(
        Backend::Sqlite,
        "2025-03-01",
        Settings { trust_forwarded_for: true, ..Settings::default() },
    )
    .await;
    let from_nginx = proxied.browser("127.0.0.1").get_with("/", &[("x-request-id", "4f2a9c0d1e")]).await;
    assert_eq!(from_nginx.headers["x-request-id"], "4f2a9c0d1e");
    let forged = app.browser("198.51.100.7").get_with("/", &[("x-request-id", "4f2a9c0d1e")]).await;
    assert_ne!(forged.headers["x-request-id"], "4f2a9c0d1e", "a visitor's own id is not taken");
}
