//! Serving the HTTP router and the gRPC server over bounded connections: at most
//! `max_connections` open per listener (more are closed at once), HTTP headers read within
//! `header_read_timeout_ms`, TLS handshakes within the same time, and TLS when configured.

use crate::tls::ServerTls;
use anyhow::{Context, Result};
use axum::Router;
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use serde::{Deserialize, Serialize};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_stream::StreamExt;
use tokio_util::sync::CancellationToken;

/// Bounds on each listener's connections.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionLimits {
    /// Open connections per listener; one more is closed at once.
    pub max_connections: usize,
    /// Time allowed for a TLS handshake, and for an HTTP request's headers to arrive.
    pub header_read_timeout_ms: u64,
    /// Concurrent requests (gRPC streams) per connection.
    pub max_requests_per_connection: u32,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { max_connections: 1_024, header_read_timeout_ms: 10_000, max_requests_per_connection: 64 }
    }
}

impl ConnectionLimits {
    pub fn problem(&self) -> Option<String> {
        if self.max_connections == 0 {
            return Some("`limits.connections.max_connections` must be at least 1".into());
        }
        if !(100..=600_000).contains(&self.header_read_timeout_ms) {
            return Some("`limits.connections.header_read_timeout_ms` is between 100 and 600000".into());
        }
        if self.max_requests_per_connection == 0 {
            return Some("`limits.connections.max_requests_per_connection` must be at least 1".into());
        }
        None
    }

    fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }
}

/// A connection that holds one of its listener's slots until it closes.
pub struct Permitted<S> {
    inner: S,
    _permit: OwnedSemaphorePermit,
}

impl<S: AsyncRead + Unpin> AsyncRead for Permitted<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Permitted<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl tonic::transport::server::Connected for Permitted<TcpStream> {
    type ConnectInfo = tonic::transport::server::TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}

/// A listener's connection slots.
#[derive(Clone)]
struct Slots {
    listener: &'static str,
    semaphore: Arc<Semaphore>,
}

impl Slots {
    fn new(listener: &'static str, limits: &ConnectionLimits) -> Self {
        Self { listener, semaphore: Arc::new(Semaphore::new(limits.max_connections)) }
    }

    /// The connection with a slot, or `None` (it is then dropped, which closes it).
    fn admit<S>(&self, stream: S) -> Option<Permitted<S>> {
        match self.semaphore.clone().try_acquire_owned() {
            Ok(permit) => Some(Permitted { inner: stream, _permit: permit }),
            Err(_) => {
                metrics::counter!("orca_connections_refused_total", "listener" => self.listener).increment(1);
                tracing::warn!(listener = self.listener, "connection limit reached; closing a new connection");
                None
            }
        }
    }
}

/// axum-server's acceptor with connection slots.
#[derive(Clone)]
struct SlotAcceptor(Slots);

impl<S: Send + 'static> Accept<TcpStream, S> for SlotAcceptor {
    type Stream = Permitted<TcpStream>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Self::Stream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        std::future::ready(match self.0.admit(stream) {
            Some(stream) => Ok((stream, service)),
            None => Err(io::Error::other("connection limit reached")),
        })
    }
}

/// Serves `router` on `listener` until `shutdown`, then lets open requests finish (up to 10 s).
pub async fn serve_http(
    listener: TcpListener,
    router: Router,
    tls: Option<&ServerTls>,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) -> Result<()> {
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let listener = listener.into_std().context("handing the HTTP listener over")?;
    let slots = SlotAcceptor(Slots::new("http", &limits));
    let app = router.into_make_service();
    match tls {
        Some(tls) => {
            let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(tls.http.clone()))
                .handshake_timeout(limits.header_read_timeout())
                .acceptor(slots);
            let mut server = axum_server::from_tcp(listener).acceptor(acceptor).handle(handle);
            configure(server.http_builder(), &limits);
            server.serve(app).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener).acceptor(slots).handle(handle);
            configure(server.http_builder(), &limits);
            server.serve(app).await
        }
    }
    .context("HTTP server")
}

fn configure(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    limits: &ConnectionLimits,
) {
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits.header_read_timeout());
    builder
        .http2()
        .timer(hyper_util::rt::TokioTimer::new())
        .max_concurrent_streams(limits.max_requests_per_connection)
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(20));
}

/// The gRPC listener's connections, each holding a slot (TLS, if any, is tonic's, on top).
pub fn grpc_incoming(
    listener: TcpListener,
    limits: &ConnectionLimits,
) -> impl tokio_stream::Stream<Item = io::Result<Permitted<TcpStream>>> + Send + 'static {
    let slots = Slots::new("grpc", limits);
    tokio_stream::wrappers::TcpListenerStream::new(listener).filter_map(move |accepted| match accepted {
        Ok(stream) => slots.admit(stream).map(Ok),
        // A failed accept (the peer left, too many open files) is not the server's end.
        Err(error) => {
            tracing::debug!(%error, "a gRPC connection failed to open");
            None
        }
    })
}
