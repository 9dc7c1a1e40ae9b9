//! Session validation benchmarks, each reported as a ratio against a baseline measured in the
//! same run:
//!
//! 1. `validate_session` on a warm key cache (verified-token cache off) vs a bare
//!    `jsonwebtoken::decode` of the same token with the same key (target ≤ 1.10×);
//! 2. the same token validated again, through the verified-token cache (target ≤ 1 µs);
//! 3. 1,000 concurrent `validate_session` calls on a cold cache against a loopback HTTP JWKS
//!    server that counts requests (target: exactly 1).
//!
//! Run with `cargo bench -p descope-flows --bench validate`.

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use descope_flows::{Error, KeySource, SessionValidator, ValidationConfig};
use descope_transport::{TransportError, TransportErrorKind};
use descope_types::{Jwk, JwkSet, SessionToken};
use http_body_util::{BodyExt as _, Empty, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;

const PID: &str = "P2benchProjectId0000000000000000";
const KID: &str = "SK2benchKey";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

struct Signer {
    pair: KeyPair,
}

impl Signer {
    fn jwk(&self) -> Jwk {
        let public = self.pair.public_key();
        Jwk {
            kty: "RSA".into(),
            kid: Some(KID.into()),
            alg: Some("RS256".into()),
            use_: Some("sig".into()),
            n: Some(b64(public.modulus().big_endian_without_leading_zero())),
            e: Some(b64(public.exponent().big_endian_without_leading_zero())),
            ..Jwk::default()
        }
    }

    /// A session token shaped like Descope's (about 900 characters).
    fn mint(&self, user: &str) -> String {
        let header = json!({"alg": "RS256", "kid": KID, "typ": "JWT"});
        let now = now();
        let claims = json!({
            "amr": ["oauth"],
            "drn": "DS",
            "exp": now + 600,
            "iat": now,
            "iss": format!("https://api.descope.com/{PID}"),
            "sub": user,
            "roles": ["Tenant Admin", "viewer"],
            "permissions": ["User Admin", "read", "write"],
            "tenants": {"T2abcdefghijklmnopqrstu": {"roles": ["editor"], "permissions": ["edit"]}},
            "dct": "T2abcdefghijklmnopqrstu",
            "nsec": {"plan": "gold"},
        });
        let message = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message.as_bytes(),
                &mut sig,
            )
            .expect("sign");
        format!("{message}.{}", b64(&sig))
    }
}

/// Per-op time of the fastest of `rounds` runs of `iters` calls.
fn best_of<F: FnMut()>(rounds: usize, iters: u32, mut f: F) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed() / iters
        })
        .min()
        .unwrap_or_default()
}

/// Fetches `/v2/keys/{pid}` from the loopback server with a plain hyper client.
#[derive(Debug)]
struct HttpKeys {
    client: Client<HttpConnector, Empty<Bytes>>,
    url: String,
}

#[async_trait]
impl KeySource for HttpKeys {
    async fn fetch_keys(&self) -> Result<JwkSet, Error> {
        let request = http::Request::get(&self.url)
            .header("authorization", format!("Bearer {PID}"))
            .body(Empty::new())
            .map_err(|_| TransportError::new(TransportErrorKind::InvalidRequest))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| TransportError::new(TransportErrorKind::Connect).with_source(e))?;
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| TransportError::new(TransportErrorKind::Io).with_source(e))?
            .to_bytes();
        serde_json::from_slice(&body)
            .map_err(|e| TransportError::new(TransportErrorKind::InvalidResponse).with_source(e))
            .map_err(Error::from)
    }
}

/// A loopback JWKS server counting its requests; returns its base URL.
async fn serve_jwks(set: JwkSet, hits: Arc<AtomicUsize>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let body = Bytes::from(serde_json::to_vec(&set).expect("jwks json"));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (body, hits) = (body.clone(), hits.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                    let (body, hits) = (body.clone(), hits.clone());
                    async move {
                        hits.fetch_add(1, Ordering::SeqCst);
                        let status = if req.uri().path() == format!("/v2/keys/{PID}") {
                            200
                        } else {
                            404
                        };
                        let response = http::Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .body(Full::new(body))
                            .expect("response");
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

fn main() {
    let signer = Signer {
        pair: KeyPair::generate(KeySize::Rsa2048).expect("keygen"),
    };
    let jwk = signer.jwk();
    let set = JwkSet {
        keys: vec![jwk.clone()],
    };
    let raw = signer.mint("U2benchUser");
    let token = SessionToken::new(raw.as_str());
    println!("token: {} characters, RS256, RSA-2048", raw.len());

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // 1. Full validation on a warm key cache vs bare jsonwebtoken.
    let mut no_cache = ValidationConfig::new(PID);
    no_cache.token_cache_capacity = 0;
    let validator = SessionValidator::new(no_cache, Arc::new(set.clone())).expect("validator");
    rt.block_on(validator.validate_session(&token))
        .expect("warm-up validation");

    // The same key, built the same way (from the JWK's n and e) as the validator builds it.
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk.n.as_deref().expect("n"),
        jwk.e.as_deref().expect("e"),
    )
    .expect("decoding key");
    let mut bare = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    bare.leeway = 5;
    bare.validate_aud = false;
    jsonwebtoken::decode::<serde_json::Value>(&raw, &key, &bare).expect("bare decode");

    let (rounds, iters) = (30, 200u32);
    let mut ours = Duration::MAX;
    let mut baseline = Duration::MAX;
    rt.block_on(async {
        // Interleaved so that machine noise hits both alike.
        for _ in 0..rounds {
            baseline = baseline.min(best_of(1, iters, || {
                black_box(
                    jsonwebtoken::decode::<serde_json::Value>(black_box(&raw), &key, &bare)
                        .expect("bare decode"),
                );
            }));
            let start = Instant::now();
            for _ in 0..iters {
                black_box(
                    validator
                        .validate_session(black_box(&token))
                        .await
                        .expect("validate"),
                );
            }
            ours = ours.min(start.elapsed() / iters);
        }
    });
    let ratio = ours.as_secs_f64() / baseline.as_secs_f64();
    println!(
        "[1] validate_session, warm keys, no token cache: {:.2} µs/op; bare jsonwebtoken::decode: {:.2} µs/op; ratio {ratio:.3}× (target ≤ 1.10×)",
        ours.as_secs_f64() * 1e6,
        baseline.as_secs_f64() * 1e6,
    );

    // 2. The same token again, through the verified-token cache.
    let cached = SessionValidator::new(ValidationConfig::new(PID), Arc::new(set.clone()))
        .expect("validator");
    rt.block_on(cached.validate_session(&token)).expect("first");
    let mut hit = Duration::MAX;
    rt.block_on(async {
        for _ in 0..10 {
            let iters = 100_000u32;
            let start = Instant::now();
            for _ in 0..iters {
                black_box(
                    cached
                        .validate_session(black_box(&token))
                        .await
                        .expect("validate"),
                );
            }
            hit = hit.min(start.elapsed() / iters);
        }
    });
    println!(
        "[2] validate_session, same token again (cache hit): {} ns/op (target ≤ 1000 ns); {:.0}× faster than the bare decode",
        hit.as_nanos(),
        baseline.as_secs_f64() / hit.as_secs_f64(),
    );

    // 3. 1,000 concurrent validations on a cold cache, keys over loopback HTTP.
    let mt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let tokens: Vec<SessionToken> = (0..16)
        .map(|i| SessionToken::new(signer.mint(&format!("U2user{i}"))))
        .collect();
    let (requests, elapsed, ok) = mt.block_on(async {
        let hits = Arc::new(AtomicUsize::new(0));
        let base = serve_jwks(set, hits.clone()).await;
        let keys = HttpKeys {
            client: Client::builder(TokioExecutor::new()).build_http(),
            url: format!("{base}/v2/keys/{PID}"),
        };
        let validator =
            SessionValidator::new(ValidationConfig::new(PID), Arc::new(keys)).expect("validator");
        let start = Instant::now();
        let tasks: Vec<_> = (0..1000)
            .map(|i| {
                let validator = validator.clone();
                let token = tokens[i % tokens.len()].clone();
                tokio::spawn(async move { validator.validate_session(&token).await.is_ok() })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            ok += usize::from(task.await.expect("task"));
        }
        (hits.load(Ordering::SeqCst), start.elapsed(), ok)
    });
    println!(
        "[3] 1,000 concurrent validate_session, cold cache: {requests} JWKS request(s) (target exactly 1); {ok}/1000 valid; {:.1} ms total",
        elapsed.as_secs_f64() * 1e3,
    );
}
