//! A micro-cache of rendered public pages, per app instance.
//!
//! Public pages are the same for every visitor without a session, and a busy discussion is read far
//! more often than it changes. A page rendered here is served again for at most `ttl` (1 second by
//! default), so a crowd of readers costs one render a second; writes made through this instance
//! clear the cache so their author sees them at once, and other instances within the TTL: this layer
//! clears it after every successful POST, so no handler can forget to.
//! Requests carrying a cookie (a signed-in visitor, or one who opened a form) are never served
//! from the cache, responses that set a cookie or say `no-store` are never kept, and responses to a
//! signed-in visitor are marked `Cache-Control: private, no-store` for any cache on the way.
//!
//! When a page expires, one request renders it again while the others are served the copy just
//! expired: without that, every request arriving in that instant renders at once, and on two cores
//! the queue behind them is what a visitor waits in (p99 68 ms against 5 ms, measured by
//! `cargo xtask bench web`). A copy is never served more than `MAX_STALE` past its time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// The most pages kept at once; past it the cache starts again empty (pages are cheap to render).
const MAX_PAGES: usize = 2_000;
/// The largest page kept.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;
/// How long past its time an expired copy may still be served while another request renders.
const MAX_STALE: Duration = Duration::from_secs(5);

pub struct PageCache {
    ttl: Duration,
    pages: Mutex<HashMap<String, CachedPage>>,
}

#[derive(Clone)]
struct CachedPage {
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
    /// Whether a request is rendering this page again now.
    refreshing: bool,
}

/// What to do with a request, given the cache.
enum Lookup {
    Serve(CachedPage),
    Render,
}

impl PageCache {
    /// A cache keeping pages for `ttl`; a zero TTL turns it off.
    pub fn new(ttl: Duration) -> PageCache {
        PageCache { ttl, pages: Mutex::new(HashMap::new()) }
    }

    pub fn clear(&self) {
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn lookup(&self, key: &str) -> Lookup {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let Some(page) = pages.get_mut(key) else { return Lookup::Render };
        let age = page.at.elapsed();
        if age < self.ttl || (page.refreshing && age < self.ttl + MAX_STALE) {
            return Lookup::Serve(page.clone());
        }
        page.refreshing = true;
        Lookup::Render
    }

    /// A render that was to refresh `key` failed: let the next request try.
    fn abandon(&self, key: &str) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages.remove(key);
    }

    fn put(&self, key: String, page: CachedPage) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, page);
    }
}

/// Middleware: serves a fresh cached copy of a public GET, or renders it and keeps it; clears the
/// cache after a write.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cache = state.page_cache();
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let response = next.run(request).await;
        if response.status().is_success() || response.status().is_redirection() {
            cache.clear();
        }
        return personal(response);
    }
    let has_cookie = request.headers().contains_key(header::COOKIE);
    let cacheable = cache.ttl > Duration::ZERO
        && request.method() == Method::GET
        && !has_cookie
        && !request.headers().contains_key(header::AUTHORIZATION);
    if !cacheable {
        let response = next.run(request).await;
        return if has_cookie { personal(response) } else { response };
    }
    let key = request.uri().to_string();
    if let Lookup::Serve(page) = cache.lookup(&key) {
        let mut response = (StatusCode::OK, page.body).into_response();
        *response.headers_mut() = page.headers;
        return response;
    }
    let response = next.run(request).await;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().contains_key(header::CACHE_CONTROL);
    if !keep {
        cache.abandon(&key);
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            cache.abandon(&key);
            tracing::error!(error = %e, "reading a rendered page for the cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let page = CachedPage {
        at: Instant::now(),
        headers: parts.headers.clone(),
        body: body.clone(),
        refreshing: false,
    };
    cache.put(key, page);
    Response::from_parts(parts, Body::from(body))
}

/// Marks a response to a visitor with a cookie as theirs alone, unless it says otherwise already.
fn personal(mut response: Response) -> Response {
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> CachedPage {
        CachedPage {
            at: Instant::now(),
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"page"),
            refreshing: false,
        }
    }

    #[test]
    fn one_request_refreshes_an_expired_page_while_the_others_get_the_old_copy() {
        let cache = PageCache::new(Duration::from_millis(1));
        assert!(matches!(cache.lookup("/a"), Lookup::Render), "nothing cached yet");
        cache.put("/a".into(), page());
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(cache.lookup("/a"), Lookup::Render), "the first to find it expired renders");
        assert!(matches!(cache.lookup("/a"), Lookup::Serve(_)), "the next is served the old copy");
        cache.abandon("/a");
        assert!(matches!(cache.lookup("/a"), Lookup::Render), "a failed refresh lets the next one try");
    }
}
