//! heard's web application: the router, its handlers, the page templates and static assets.
//!
//! Pages are rendered on the server with auto-escaping templates and work without JavaScript.
//! The crate knows the store's public API and nothing of the analysis engine's internals.

mod cache;
mod controllers;
mod errors;
mod format;
mod router;
mod security;

use std::sync::Arc;
use std::time::Duration;

pub use cache::PageCache;

pub use errors::WebError;
pub use router::router;

use heard_store::{Store, Timestamp};

/// What every handler can reach. Cheap to clone; app instances share nothing else, so several can
/// run behind a load balancer on one PostgreSQL database.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Clock,
    page_cache: PageCache,
}

/// How long a rendered public page may be served again, unless configured otherwise.
pub const DEFAULT_PAGE_CACHE_TTL: Duration = Duration::from_secs(1);

/// Where "now" comes from: the system clock, or a fixed instant (tests and screenshots).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl AppState {
    /// The application on `store`, caching public pages for `page_cache_ttl` (zero: no cache).
    pub fn new(store: Store, page_cache_ttl: Duration) -> AppState {
        AppState::build(store, Clock::System, page_cache_ttl)
    }

    /// For tests: a fixed clock and no page cache, so every request renders.
    pub fn with_clock(store: Store, clock: Clock) -> AppState {
        AppState::build(store, clock, Duration::ZERO)
    }

    fn build(store: Store, clock: Clock, page_cache_ttl: Duration) -> AppState {
        let page_cache = PageCache::new(page_cache_ttl);
        AppState { inner: Arc::new(Inner { store, clock, page_cache }) }
    }

    pub fn page_cache(&self) -> &PageCache {
        &self.inner.page_cache
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn now(&self) -> Timestamp {
        match self.inner.clock {
            Clock::System => Timestamp::now(),
            Clock::Fixed(at) => at,
        }
    }
}

/// Serves the application on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
