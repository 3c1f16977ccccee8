//! Router tests: the real router, in process, on a fresh database with a fixed clock.

mod accounts;
mod analysis;
mod analysis_runs;
mod api;
mod backoffice;
mod checks;
mod closing;
mod exports;
mod jobs;
mod matrix;
mod metrics;
mod moderation;
mod openapi;
mod pages;
mod password_reset;
mod personal_data;
mod production;
mod responses;
mod results;
mod safeguarding;
mod security;
mod survey;
mod taking_part;
mod withdrawing;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use heard_store::testing::fresh_store;
use heard_store::*;
use heard_web::{AppState, Clock, Settings};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A test application: a store filled through its public API, and a router to ask for pages.
pub struct TestApp {
    pub store: Store,
    pub state: AppState,
}

/// The password every test account has.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub html: String,
    /// The body as sent, for downloads that are not text.
    pub bytes: Vec<u8>,
}

impl TestApp {
    /// An empty app whose clock stands at `today` noon UTC.
    pub async fn new(backend: Backend, today: &str) -> TestApp {
        TestApp::with_settings(backend, today, Settings::default()).await
    }

    pub async fn with_settings(backend: Backend, today: &str, settings: Settings) -> TestApp {
        let (store, _) = fresh_store(backend).await;
        let now = Timestamp(Date::parse_iso(today).unwrap().start().0 + 12 * 3600);
        let state = AppState::build(store.clone(), Clock::Fixed(now), std::time::Duration::ZERO, settings);
        // The worker sends the mail and runs the analysis runs that requests queue, as in `serve`.
        heard_web::jobs::start(state.clone());
        TestApp { store, state }
    }

    /// A browser of its own: keeps cookies, comes from `address`.
    pub fn browser(&self, address: &str) -> Browser {
        Browser {
            state: self.state.clone(),
            cookies: Mutex::new(BTreeMap::new()),
            address: address.to_owned(),
        }
    }

    /// A new account with `role`, signed in in a browser of its own.
    pub async fn signed_in(&self, role: Role, name: &str) -> (Browser, i64) {
        let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
        let id = self.account(role, name, &email).await;
        let browser = self.browser("198.51.100.7");
        let page = browser.sign_in(&email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{name} signs in:\n{}", page.html);
        (browser, id)
    }

    /// A new account with `role` and [`PASSWORD`].
    pub async fn account(&self, role: Role, name: &str, email: &str) -> i64 {
        let new = NewAccount {
            display_name: name.into(),
            email: email.into(),
            password_hash: heard_web::auth::hash_password(PASSWORD).unwrap(),
            role,
            borough: None,
            demographics: Demographics::default(),
            created_at: self.state.now(),
            email_confirmed: true,
            special_category_consent: false,
        };
        self.store.create_account(&new).await.unwrap()
    }

    pub async fn get(&self, uri: &str) -> Page {
        let response = heard_web::router(self.state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page { status, headers, html: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }
}

/// A browser: keeps the cookies the site sets, and sends them back.
pub struct Browser {
    state: AppState,
    cookies: Mutex<BTreeMap<String, String>>,
    address: String,
}

impl Browser {
    pub async fn get(&self, uri: &str) -> Page {
        self.send(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    /// GETs `uri` with extra `headers` (a proxy's, say).
    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// POSTs `fields` as a form, exactly as given (no CSRF token added).
    pub async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let request = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Opens `page_uri`, takes the CSRF token from its forms, and POSTs `fields` with it to `action`.
    pub async fn submit(&self, page_uri: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(page_uri).await;
        assert!(page.status.is_success(), "{page_uri} answered {}:\n{}", page.status, page.html);
        let token = page.csrf();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// POSTs `fields` and `file` (field, file name, bytes) as `multipart/form-data`, in that order,
    /// as a browser sends a form with a file input last.
    pub async fn post_multipart(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Page {
        const BOUNDARY: &str = "----heard-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((name, file_name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        // In pieces, as a connection delivers it, so that a size limit cuts it where it is reached.
        let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
            body.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
        let request = Request::post(uri)
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from_stream(futures_util::stream::iter(pieces)))
            .unwrap();
        self.send(request).await
    }

    /// Opens `page_uri`, takes the CSRF token from its forms, and POSTs `fields` and `file` with it
    /// to `action` as a form with a file input.
    pub async fn submit_multipart(
        &self,
        page_uri: &str,
        action: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Page {
        let page = self.get(page_uri).await;
        assert!(page.status.is_success(), "{page_uri} answered {}:\n{}", page.status, page.html);
        let token = page.csrf();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_multipart(action, &all, file).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.submit("/login", "/login", &[("email", email), ("password", password)]).await
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().unwrap().insert(name.to_owned(), value.to_owned());
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    async fn send(&self, mut request: Request<Body>) -> Page {
        let address: SocketAddr = format!("{}:40000", self.address).parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(address));
        let jar = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !jar.is_empty() {
            request.headers_mut().insert("cookie", jar.parse().unwrap());
        }
        let response = heard_web::router(self.state.clone()).oneshot(request).await.unwrap();
        for set in response.headers().get_all("set-cookie") {
            let text = set.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let mut jar = self.cookies.lock().unwrap();
            if text.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page { status, headers, html: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }
}

impl Page {
    /// The CSRF token of the page's forms.
    #[track_caller]
    pub fn csrf(&self) -> String {
        let at = self
            .html
            .find(r#"name="csrf" value=""#)
            .unwrap_or_else(|| panic!("no form token in:\n{}", self.html));
        let rest = &self.html[at + r#"name="csrf" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    /// Where a redirect leads.
    #[track_caller]
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .unwrap_or_else(|| panic!("not a redirect: {}\n{}", self.status, self.html))
            .to_str()
            .unwrap()
    }

    /// Asserts the page contains `needle`, showing the page when it does not.
    #[track_caller]
    pub fn shows(&self, needle: &str) -> &Page {
        assert!(self.html.contains(needle), "expected {needle:?} in the page:\n{}", self.html);
        self
    }

    #[track_caller]
    pub fn lacks(&self, needle: &str) -> &Page {
        assert!(!self.html.contains(needle), "did not expect {needle:?} in the page:\n{}", self.html);
        self
    }

    pub fn count(&self, needle: &str) -> usize {
        self.html.matches(needle).count()
    }
}

/// An open discussion, a closed one and one not yet open; the clock stands at 2025-03-01.
pub const OPEN: &str = "/consultations/parks/discussions/what-would-help";
pub const CLOSED: &str = "/consultations/old/discussions/closed-talk";
pub const UPCOMING: &str = "/consultations/soon/discussions/not-yet";

/// An app with [`OPEN`], [`CLOSED`] and [`UPCOMING`] discussions, no comments, default settings.
pub async fn discussions_app(backend: Backend) -> TestApp {
    discussions_app_with(backend, Settings::default()).await
}

pub async fn discussions_app_with(backend: Backend, settings: Settings) -> TestApp {
    let app = TestApp::with_settings(backend, "2025-03-01", settings).await;
    for (consultation, discussion, opens, closes) in [
        ("parks", "what-would-help", "2025-02-01", "2025-04-01"),
        ("old", "closed-talk", "2024-01-01", "2024-02-01"),
        ("soon", "not-yet", "2025-05-01", "2025-06-01"),
    ] {
        let day = |iso| Date::parse_iso(iso).unwrap();
        let id = app.store.create_consultation(&new_consultation(consultation, opens, closes)).await.unwrap();
        app.store
            .create_discussion(
                id,
                &NewDiscussion {
                    slug: discussion.into(),
                    title: format!("Talk about {consultation}"),
                    intro: "Tell us.".into(),
                    opens_on: day(opens),
                    closes_on: day(closes),
                    questions: vec![],
                    hosts: vec![],
                    host_organisation: String::new(),
                },
            )
            .await
            .unwrap();
    }
    app
}

/// A published consultation `slug`, "The SLUG plan" by City Hall, open between two ISO dates, with
/// nothing else on its page.
pub fn new_consultation(slug: &str, opens: &str, closes: &str) -> NewConsultation {
    let day = |iso| Date::parse_iso(iso).unwrap();
    NewConsultation {
        slug: slug.into(),
        title: format!("The {slug} plan"),
        summary: "What we plan.".into(),
        organisation: "City Hall".into(),
        respondent_noun: "Londoners".into(),
        opens_on: day(opens),
        closes_on: day(closes),
        recorded_responses: None,
        results_expected: None,
        accessible_formats: String::new(),
        objectives: vec![],
        timeline: vec![],
        documents: vec![],
        channels: vec![],
    }
}

/// Posts a comment (or a reply) through the discussion page's form; returns the new comment's id.
pub async fn post_comment(browser: &Browser, discussion: &str, body: &str, parent: Option<i64>) -> i64 {
    let parent = parent.map(|p| p.to_string()).unwrap_or_default();
    let page = browser
        .submit(discussion, &format!("{discussion}/comments"), &[("body", body), ("parent_id", &parent)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "posting failed:\n{}", page.html);
    let location = page.location();
    location[location.find("#comment-").expect("an anchor") + 9..].parse().unwrap()
}
