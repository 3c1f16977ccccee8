//! Router tests: the real router, in process, on a fresh database with a fixed clock.

mod pages;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use heard_store::testing::fresh_store;
use heard_store::*;
use heard_web::{AppState, Clock};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A test application: a store filled through its public API, and a router to ask for pages.
pub struct TestApp {
    pub store: Store,
    state: AppState,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub html: String,
}

impl TestApp {
    /// An empty app whose clock stands at `today` noon UTC.
    pub async fn new(backend: Backend, today: &str) -> TestApp {
        let (store, _) = fresh_store(backend).await;
        let now = Timestamp(Date::parse_iso(today).unwrap().start().0 + 12 * 3600);
        let state = AppState::with_clock(store.clone(), Clock::Fixed(now));
        TestApp { store, state }
    }

    pub async fn get(&self, uri: &str) -> Page {
        let response = heard_web::router(self.state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page { status, headers, html: String::from_utf8(bytes.to_vec()).unwrap() }
    }
}

impl Page {
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
