//! A user-written backend made with `from_fn`: hyper's low-level HTTP/1.1 connection API
//! and a tiny pool, the way someone with their own stack would plug it in.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use descope_transport::{BodyCollector, BodyLimit, Transport, TransportError, TransportErrorKind};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type Pool = Arc<Mutex<Vec<(String, SendRequest<Full<Bytes>>)>>>;

pub fn closure_transport() -> impl Transport {
    let pool = Pool::default();
    descope_transport::from_fn(move |request| send(pool.clone(), request))
}

fn io(error: hyper::Error) -> TransportError {
    let kind = if error.is_parse() || error.is_parse_status() {
        TransportErrorKind::InvalidResponse
    } else {
        TransportErrorKind::Io
    };
    TransportError::new(kind).with_source(error)
}

async fn send(
    pool: Pool,
    request: http::Request<Bytes>,
) -> Result<http::Response<Bytes>, TransportError> {
    let not_sent = |kind| TransportError::new(kind).with_may_have_been_sent(false);
    let limit = BodyLimit::of(&request);
    let authority = request
        .uri()
        .authority()
        .ok_or_else(|| not_sent(TransportErrorKind::InvalidRequest))?
        .to_string();

    let idle = {
        let mut pool = pool.lock().unwrap();
        let at = pool.iter().position(|(a, _)| *a == authority);
        at.map(|at| pool.swap_remove(at).1)
    };
    let reusable = match idle {
        Some(mut sender) => sender.ready().await.is_ok().then_some(sender),
        None => None,
    };
    let mut sender = match reusable {
        Some(sender) => sender,
        None => {
            let stream = TcpStream::connect(&authority)
                .await
                .map_err(|e| not_sent(TransportErrorKind::Connect).with_source(e))?;
            stream.set_nodelay(true).ok();
            let (sender, connection) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| not_sent(TransportErrorKind::Connect).with_source(e))?;
            tokio::spawn(connection);
            sender
        }
    };

    // The low-level API sends the URI as given: use origin-form plus Host.
    let (mut parts, body) = request.into_parts();
    let origin = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .parse()
        .map_err(|e| not_sent(TransportErrorKind::InvalidRequest).with_source(e))?;
    parts.uri = origin;
    parts.headers.insert(
        http::header::HOST,
        authority
            .parse()
            .map_err(|e| not_sent(TransportErrorKind::InvalidRequest).with_source(e))?,
    );

    let response = sender
        .send_request(http::Request::from_parts(parts, Full::new(body)))
        .await
        .map_err(io)?;
    let (parts, mut incoming) = response.into_parts();
    let mut collected = BodyCollector::new(limit, &parts.headers)?;
    while let Some(frame) = incoming.frame().await {
        if let Ok(data) = frame.map_err(io)?.into_data() {
            collected.push(data)?;
        }
    }
    pool.lock().unwrap().push((authority, sender));
    Ok(http::Response::from_parts(parts, collected.finish()))
}
