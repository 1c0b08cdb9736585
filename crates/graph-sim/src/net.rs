//! The accept loop. It is hand-written rather than `axum::serve` for one
//! reason: the "connection reset" fault must be able to drop the one TCP
//! connection a request arrived on, with an RST, without answering.
//!
//! Each connection gets a `Killer` (put into every request's extensions)
//! and its socket is wrapped in `SimStream`, which sets `SO_LINGER` to zero
//! when it is dropped after a kill, so the peer sees a reset rather than a
//! clean close.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower_service::Service;

/// Lets a request handler reset its own connection.
#[derive(Debug, Default)]
pub struct Killer {
    killed: AtomicBool,
    notify: Notify,
}

impl Killer {
    /// Resets the connection: the serving task drops it at once.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// A TCP stream that closes with RST once its `Killer` fired.
struct SimStream {
    inner: TcpStream,
    killer: Arc<Killer>,
}

impl Drop for SimStream {
    fn drop(&mut self) {
        if self.killer.killed.load(Ordering::SeqCst) {
            // Linger zero turns the close into a reset; failure to set it
            // only downgrades the fault to a clean close.
            let _ = socket2::SockRef::from(&self.inner).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for SimStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `shutdown` turns true; then stops
/// accepting, drops the listener (closing the port) and every open
/// connection.
pub async fn serve(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, router.clone(), shutdown.clone()));
                }
                Err(error) => tracing::warn!(%error, "accept failed"),
            },
            _ = shutdown.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

async fn connection(stream: TcpStream, router: Router, mut shutdown: watch::Receiver<bool>) {
    let killer = Arc::new(Killer::default());
    let io = TokioIo::new(SimStream {
        inner: stream,
        killer: killer.clone(),
    });
    let request_killer = killer.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(request_killer.clone());
        let mut router = router.clone();
        async move { router.call(request).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::select! {
        result = conn => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with error");
            }
        }
        _ = killer.notify.notified() => tracing::debug!("connection reset by fault injection"),
        _ = shutdown.changed() => {}
    }
}
