//! heard's web application: the router, its handlers, the page templates and static assets.
//!
//! Pages are rendered on the server with auto-escaping templates and work without JavaScript.
//! The crate knows the store's public API and the analysis engine's (its `lib.rs`): the checks a
//! comment goes through before it is published (`heard_analysis::checks`), and the analysis runs
//! staff start (`analyst`, `controllers/analysis.rs`), which read responses from the store and
//! write what the engine found back to it.

pub mod analyst;
pub mod auth;
mod cache;
mod controllers;
mod errors;
mod files;
mod format;
pub mod jobs;
mod mail;
pub mod metrics;
mod nav;
mod notify;
mod outage;
mod policy;
mod privacy;
mod request_log;
mod router;
mod security;
mod settings;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

pub use cache::PageCache;

pub use errors::{ApiError, RETRY_AFTER_SECS, WebError};
pub use mail::Mailer;
pub use router::router;
pub use settings::{
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, Limits, MailSettings, Rate, SafeguardingPolicy,
    Settings,
};

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
    /// Seconds a fixed clock has been moved on by [`AppState::advance_clock`].
    clock_offset: AtomicI64,
    page_cache: PageCache,
    settings: Settings,
    mailer: Option<Mailer>,
    /// The model's safeguarding reading beside the patterns, when the model is installed.
    reading: Option<Arc<heard_analysis::checks::reading::Reading>>,
    queue: jobs::Queue,
    metrics: metrics::Metrics,
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
        AppState::build(store, Clock::System, page_cache_ttl, Settings::default())
    }

    /// For tests: a fixed clock and no page cache, so every request renders.
    pub fn with_clock(store: Store, clock: Clock) -> AppState {
        AppState::build(store, clock, Duration::ZERO, Settings::default())
    }

    /// The application with its settings (limits, cookies, mail) spelt out.
    pub fn build(store: Store, clock: Clock, page_cache_ttl: Duration, settings: Settings) -> AppState {
        let page_cache = PageCache::new(page_cache_ttl);
        let mailer = settings.mail.as_ref().map(Mailer::new);
        let reading = settings.model_dir.as_deref().filter(|_| settings.safeguarding_model).and_then(|dir| {
            match heard_analysis::checks::reading::Reading::load(dir) {
                Ok(reading) => {
                    tracing::info!("the safeguarding checks read comments with the model as well as the patterns");
                    Some(Arc::new(reading))
                }
                Err(why) => {
                    tracing::warn!("the safeguarding checks are the patterns alone: {why}");
                    None
                }
            }
        });
        AppState {
            inner: Arc::new(Inner {
                store,
                clock,
                clock_offset: AtomicI64::new(0),
                page_cache,
                settings,
                mailer,
                reading,
                queue: jobs::Queue::new(),
                metrics: metrics::Metrics::default(),
            }),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The model's safeguarding reading, when the model is installed (`checks::reading`).
    pub fn reading(&self) -> Option<Arc<heard_analysis::checks::reading::Reading>> {
        self.inner.reading.clone()
    }

    /// How email is sent, when it is set up.
    pub fn mailer(&self) -> Option<&Mailer> {
        self.inner.mailer.as_ref()
    }

    /// What this instance has answered, for `/metrics`.
    pub fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    /// For tests: moves a fixed clock on by `secs` (the system clock moves by itself).
    pub fn advance_clock(&self, secs: i64) {
        self.inner.clock_offset.fetch_add(secs, Ordering::Relaxed);
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
            Clock::Fixed(at) => Timestamp(at.0 + self.inner.clock_offset.load(Ordering::Relaxed)),
        }
    }

    /// The install's time zone (the store's): every day and clock time on a page is local.
    pub fn time_zone(&self) -> &heard_store::TimeZone {
        self.inner.store.time_zone()
    }

    /// Today, in the install's time zone.
    pub fn today(&self) -> heard_store::Date {
        self.time_zone().date(self.now())
    }

    /// The local day `at` fell on.
    pub fn local_date(&self, at: Timestamp) -> heard_store::Date {
        self.time_zone().date(at)
    }

    /// "18 December 2024, 14:05": an instant as people read it, in local time.
    pub fn when(&self, at: Timestamp) -> String {
        format!("{}, {}", self.local_date(at).long(), self.time_zone().clock(at))
    }

    /// `at` in local time with its offset, for `<time datetime>`.
    pub fn datetime(&self, at: Timestamp) -> String {
        self.time_zone().rfc3339(at)
    }
}

/// Serves the application on `listener` until Ctrl-C or SIGTERM, with this instance's job worker
/// and its share of the periodic work. On the signal it stops taking connections and jobs, lets the
/// requests in flight finish, and hands back the jobs it was running.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    // The checks build their patterns on first use: do it now rather than in the first post.
    tokio::task::spawn_blocking(|| {
        heard_analysis::checks::check("Call 020 7946 0018 about SW1A 1AA last night.")
    });
    let store = state.store().clone();
    if store.backend() == heard_store::Backend::Sqlite {
        // One process owns a SQLite file, so the jobs still marked running were held by the last
        // server, which has stopped: they are taken again now rather than when their leases lapse.
        // (On PostgreSQL another instance may be running them.)
        match store.release_all_jobs().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "taking again the jobs the last server left running"),
            Err(e) => tracing::warn!(error = %e, "could not hand back the last server's jobs"),
        }
    }
    let worker = jobs::start(state.clone());
    let scheduling = tokio::spawn(jobs::schedule(state.clone()));
    let served = serve_connections(listener, state, || worker.stop_claiming()).await;
    scheduling.abort();
    worker.stop().await;
    served
}

/// Accepts connections until Ctrl-C or SIGTERM, then lets those open finish their requests. Each
/// connection has `Settings::header_read_timeout` to send a request's headers (hyper closes it
/// otherwise), and `security::request_timeout` bounds the rest of the request.
async fn serve_connections(
    listener: tokio::net::TcpListener,
    state: AppState,
    on_signal: impl FnOnce(),
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let header_read_timeout = state.settings().header_read_timeout;
    let app = router(state);
    let (closing, closed) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => {
                on_signal();
                break;
            }
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), request.map(axum::body::Body::new))
            });
        let mut closed = closed.clone();
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = closed.wait_for(|closing| *closing) => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
        // Forget connections that have finished.
        while connections.try_join_next().is_some() {}
    }
    // Refuse new connections at once rather than leave them waiting in the backlog.
    drop(listener);
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
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
