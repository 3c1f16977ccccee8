//! heard's web application: the router, its handlers, the page templates and static assets.
//!
//! Pages are rendered on the server with auto-escaping templates and work without JavaScript.
//! The crate knows the store's public API and nothing of the analysis engine's internals.

mod controllers;
mod errors;
mod format;
mod router;
mod security;

use std::sync::Arc;

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
    site_name: String,
}

/// Where "now" comes from: the system clock, or a fixed instant (tests and screenshots).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState::with_clock(store, Clock::System)
    }

    pub fn with_clock(store: Store, clock: Clock) -> AppState {
        AppState { inner: Arc::new(Inner { store, clock, site_name: "heard".into() }) }
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

    pub fn site_name(&self) -> &str {
        &self.inner.site_name
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
