//! A micro-cache of rendered public pages, per app instance.
//!
//! Public pages are the same for every visitor without a session, and a busy discussion is read far
//! more often than it changes. A page rendered here is served again for at most `ttl` (1 second by
//! default), so a crowd of readers costs one render a second; writes made through this instance
//! call [`PageCache::clear`] so their author sees them at once, and other instances within the TTL.
//! Requests carrying a cookie (a signed-in visitor, later) are never cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// The most pages kept at once; past it the cache starts again empty (pages are cheap to render).
const MAX_PAGES: usize = 2_000;
/// The largest page kept.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

pub struct PageCache {
    ttl: Duration,
    pages: Mutex<HashMap<String, CachedPage>>,
}

#[derive(Clone)]
struct CachedPage {
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

impl PageCache {
    /// A cache keeping pages for `ttl`; a zero TTL turns it off.
    pub fn new(ttl: Duration) -> PageCache {
        PageCache { ttl, pages: Mutex::new(HashMap::new()) }
    }

    pub fn clear(&self) {
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn get(&self, key: &str) -> Option<CachedPage> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages.get(key).filter(|p| p.at.elapsed() < self.ttl).cloned()
    }

    fn put(&self, key: String, page: CachedPage) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, page);
    }
}

/// Middleware: serves a fresh cached copy of a public GET, or renders it and keeps it.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cache = state.page_cache();
    let cacheable = cache.ttl > Duration::ZERO
        && request.method() == Method::GET
        && !request.headers().contains_key(header::COOKIE)
        && !request.headers().contains_key(header::AUTHORIZATION);
    if !cacheable {
        return next.run(request).await;
    }
    let key = request.uri().to_string();
    if let Some(page) = cache.get(&key) {
        let mut response = (StatusCode::OK, page.body).into_response();
        *response.headers_mut() = page.headers;
        return response;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "reading a rendered page for the cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    cache.put(key, CachedPage { at: Instant::now(), headers: parts.headers.clone(), body: body.clone() });
    Response::from_parts(parts, Body::from(body))
}
