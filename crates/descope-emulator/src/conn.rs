//! The listener and connection wrapper that let faults act below HTTP: a connection reset
//! (RST, nothing sent) and a truncated body (headers and half the body, then close).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// What to do to the next response written on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IoFault {
    Reset,
    Truncate,
}

/// Per-connection control shared between the connection and its requests' handlers.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    pending: Mutex<Option<IoFault>>,
}

impl ConnControl {
    pub(crate) fn arm(&self, fault: IoFault) {
        *self.pending.lock().unwrap_or_else(PoisonError::into_inner) = Some(fault);
    }

    fn take(&self) -> Option<IoFault> {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// Connection info handed to handlers: the peer, the local address it connected to, and
/// the connection's fault control.
#[derive(Debug, Clone)]
pub(crate) struct ClientConn {
    pub(crate) addr: SocketAddr,
    pub(crate) local: Option<SocketAddr>,
    pub(crate) control: Arc<ConnControl>,
}

impl Connected<IncomingStream<'_, FaultListener>> for ClientConn {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        Self {
            addr: *stream.remote_addr(),
            local: stream.io().stream.local_addr().ok(),
            control: Arc::clone(&stream.io().control),
        }
    }
}

/// A TCP listener whose connections are [`FaultIo`]s.
pub(crate) struct FaultListener(pub(crate) TcpListener);

impl Listener for FaultListener {
    type Io = FaultIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (FaultIo, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    // Small JSON answers: don't wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    return (
                        FaultIo {
                            stream,
                            control: Arc::default(),
                            truncate_left: None,
                        },
                        addr,
                    );
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A TCP stream that can be told to reset or truncate the next response.
pub(crate) struct FaultIo {
    stream: TcpStream,
    control: Arc<ConnControl>,
    /// Bytes still allowed through while truncating.
    truncate_left: Option<usize>,
}

impl AsyncRead for FaultIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

/// Header length plus half the body of the response at the start of `buf`.
fn truncated_length(buf: &[u8]) -> usize {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4) else {
        return buf.len() / 2;
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let body_len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(buf.len() - end);
    end + body_len / 2
}

impl AsyncWrite for FaultIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.truncate_left.is_none() {
            match self.control.take() {
                Some(IoFault::Reset) => {
                    // Zero linger: closing sends RST instead of FIN.
                    let _ = self.stream.set_zero_linger();
                    return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
                }
                Some(IoFault::Truncate) => self.truncate_left = Some(truncated_length(buf)),
                None => {}
            }
        }
        match self.truncate_left {
            None => Pin::new(&mut self.stream).poll_write(cx, buf),
            Some(0) => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
            Some(left) => {
                let n = left.min(buf.len());
                let written =
                    std::task::ready!(Pin::new(&mut self.stream).poll_write(cx, &buf[..n]))?;
                self.truncate_left = Some(left - written);
                Poll::Ready(Ok(written))
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
