//! Kindred's relay mailbox ([`kindred_core::relay::Mailbox`]) on an S3-compatible object store: Amazon S3, MinIO,
//! Garage, SeaweedFS, Cloudflare R2 and the like, with path-style addressing (`https://host/bucket/name`), which the
//! self-hosted ones need. Blocking, because the CLI is synchronous; the phones use their own HTTP stack through the
//! FFI's store instead.
//!
//! The store is trusted with nothing, and this crate keeps it that way on its side of the line: a body is read only
//! up to a limit (64 MiB unless told otherwise; one that announces more is refused before any of it is read), a
//! listing up to 8 MiB and an error answer up to 4 KiB; connecting gives up after 10 s and a whole request after 60 s;
//! redirects are not followed. Every failure is a [`StoreError`] that names the operation, the object's name and the
//! HTTP status (with S3's error code when it sent one) or the transport error, never the object's contents.
//!
//! Signing is [`rusty_s3`] (SigV4 presigned URLs, sans-IO) and HTTP is [`ureq`] 3 with rustls (ring, Mozilla's
//! roots), so `https://` works against real services and `http://` against a local server. Chosen by the size of a
//! release binary (the workspace's release profile: `opt-level = "z"`, fat LTO, stripped) doing put, get, list and
//! delete, each working against SeaweedFS 4.48, and by upkeep:
//!
//! | client | binary | crates | upkeep |
//! |---|---|---|---|
//! | (no S3 client: one request over std) | 310,584 B | 0 | |
//! | rusty-s3 0.11 + ureq 3.5, no TLS | 1,073,432 B | 61 | small, sans-IO, maintained; ureq is widely used |
//! | **rusty-s3 0.11 + ureq 3.5 + rustls** | **2,140,216 B** | 71 | the same; rustls and ring are the usual TLS |
//! | rust-s3 0.38, `sync-rustls-tls` (attohttpc) | 2,945,072 B | 92 | one maintainer, releases in bursts |
//! | aws-sdk-s3 1.157 + tokio (current thread) | 6,569,656 B | 155 | AWS's own, weekly releases, async only |
//!
//! rusty-s3 with ureq is the smallest with TLS by 0.8 MB over rust-s3 and 4.4 MB over the AWS SDK, and the only
//! one with no async runtime underneath; TLS itself costs about 1 MB. "crates" counts the distinct crates in each
//! program's normal dependency tree. Measured on 2026-12-07 with throwaway programs, one per client (see
//! `target/notes/s3-choice.md` on the machine that measured).
//!
//! Anonymous access (no credentials) sends unsigned requests, for a local server with no identities configured.
//! Proxies come from the environment as curl takes them (`HTTPS_PROXY`, `NO_PROXY`...), except for a loopback
//! endpoint, which is always reached directly.

use std::fmt;
use std::io::Read as _;
use std::time::Duration;

use kindred_core::relay::{Mailbox, StoreError, StoreListing, StoredObject};
use rusty_s3::actions::{CreateBucket, ListObjectsV2};
use rusty_s3::{Bucket, Credentials, S3Action as _, UrlStyle};

/// The largest object [`Mailbox::get`] reads unless [`S3Mailbox::with_max_object_bytes`] says otherwise.
pub const DEFAULT_MAX_OBJECT_BYTES: u64 = 64 * 1024 * 1024;
/// How long connecting to the store may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one whole request may take, from resolving the host to the last byte of the answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The region of a store that does not care (S3 tools' default).
pub const DEFAULT_REGION: &str = "us-east-1";

/// How long a presigned request stays valid: longer than a request may take, short enough to be useless later.
const SIGNATURE_VALIDITY: Duration = Duration::from_secs(5 * 60);
/// The most of a listing's XML that is read: 1,000 names of at most 1,024 bytes each, URL-encoded, fit.
const MAX_LISTING_BYTES: u64 = 8 * 1024 * 1024;
/// The most of an error answer that is read, to find S3's error code in it.
const MAX_ERROR_BYTES: u64 = 4 * 1024;
/// The most objects one listing asks for (S3's own maximum; some servers default to fewer).
const MAX_KEYS: usize = 1000;

/// A bucket of an S3-compatible store, as Kindred's relay mailbox. Cheap to share: calls take `&self` and may run
/// from several threads at once.
pub struct S3Mailbox {
    bucket: Bucket,
    credentials: Option<Credentials>,
    agent: ureq::Agent,
    max_object_bytes: u64,
}

impl fmt::Debug for S3Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credentials stay out of logs: only whether there are any.
        f.debug_struct("S3Mailbox")
            .field("bucket_url", &self.bucket.base_url().as_str())
            .field("region", &self.bucket.region())
            .field("signed", &self.credentials.is_some())
            .field("max_object_bytes", &self.max_object_bytes)
            .finish()
    }
}

impl S3Mailbox {
    /// The bucket `bucket` of the store at `endpoint_url` (`https://s3.example.org` or `http://127.0.0.1:8333`; a
    /// path in it is kept as a prefix), addressed path-style. `credentials` is `(access key id, secret access key)`
    /// to sign requests with SigV4 for `region`, or `None` for unsigned (anonymous) requests. Nothing is sent yet.
    ///
    /// # Errors
    /// The endpoint is not an `http` or `https` URL with a host, or the bucket name is empty.
    pub fn new(
        endpoint_url: &str,
        bucket: &str,
        region: &str,
        credentials: Option<(&str, &str)>,
    ) -> Result<Self, StoreError> {
        Self::with_credentials(
            endpoint_url,
            bucket,
            region,
            credentials.map(|(key, secret)| Credentials::new(key, secret)),
        )
    }

    /// [`S3Mailbox::new`] with what S3 tools read from the environment: `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN` if set; anonymous when neither key is set), and the region
    /// from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`. Empty variables count as unset.
    ///
    /// # Errors
    /// As [`S3Mailbox::new`], or only one of the two keys is set.
    pub fn from_env(endpoint_url: &str, bucket: &str) -> Result<Self, StoreError> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
        let credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(key), Some(secret)) => Some(match var("AWS_SESSION_TOKEN") {
                Some(token) => Credentials::new_with_token(key, secret, token),
                None => Credentials::new(key, secret),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(StoreError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into()));
            }
            (None, Some(_)) => {
                return Err(StoreError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not".into()));
            }
        };
        let region = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")).unwrap_or_else(|| DEFAULT_REGION.into());
        Self::with_credentials(endpoint_url, bucket, &region, credentials)
    }

    fn with_credentials(
        endpoint_url: &str,
        bucket: &str,
        region: &str,
        credentials: Option<Credentials>,
    ) -> Result<Self, StoreError> {
        if bucket.is_empty() {
            return Err(StoreError("the S3 bucket name is empty".into()));
        }
        let endpoint =
            endpoint_url.parse().map_err(|e| StoreError(format!("the S3 endpoint {endpoint_url:?} is no URL: {e}")))?;
        let bucket = Bucket::new(endpoint, UrlStyle::Path, bucket.to_owned(), region.to_owned())
            .map_err(|e| StoreError(format!("the S3 endpoint {endpoint_url:?} cannot be used: {e}")))?;
        // A proxy (HTTPS_PROXY and the like, which ureq reads as curl does) cannot reach this machine's own
        // loopback: a local server is always reached directly.
        let host = bucket.base_url().host_str().unwrap_or_default();
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let mut config = ureq::Agent::config_builder();
        if loopback {
            config = config.proxy(None);
        }
        let agent = config
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            // Statuses are answers to judge here, not transport errors; a redirect is an answer too (a signed
            // request is not replayed elsewhere).
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("kindred-s3/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Self { bucket, credentials, agent, max_object_bytes: DEFAULT_MAX_OBJECT_BYTES })
    }

    /// The same mailbox, refusing objects larger than `limit` bytes in [`Mailbox::get`].
    #[must_use]
    pub fn with_max_object_bytes(mut self, limit: u64) -> Self {
        self.max_object_bytes = limit;
        self
    }

    /// The largest object [`Mailbox::get`] reads.
    pub fn max_object_bytes(&self) -> u64 {
        self.max_object_bytes
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        self.bucket.name()
    }

    /// Creates the bucket unless it is there already (`HeadBucket`, then `CreateBucket` in the mailbox's region).
    ///
    /// # Errors
    /// The store cannot be reached, refuses to say whether the bucket exists (403: it may be someone else's), or
    /// refuses to create it.
    pub fn create_bucket_if_missing(&self) -> Result<(), StoreError> {
        let name = self.bucket.name();
        let url = self.bucket.head_bucket(self.credentials.as_ref()).sign(SIGNATURE_VALIDITY);
        let mut response = self.agent.head(url.as_str()).call().map_err(|e| transport("head bucket", name, &e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if status.as_u16() != 404 {
            return Err(answer("head bucket", name, &mut response));
        }
        // The body only names a region other than us-east-1. Unsigned for anonymous access: the placeholder
        // credentials only let rusty-s3 write that body.
        let placeholder = Credentials::new("", "");
        let create = CreateBucket::new(&self.bucket, self.credentials.as_ref().unwrap_or(&placeholder));
        let body = create.body();
        let url = match &self.credentials {
            Some(_) => create.sign(SIGNATURE_VALIDITY),
            None => self.bucket.base_url().clone(),
        };
        let mut response =
            self.agent.put(url.as_str()).send(body.as_bytes()).map_err(|e| transport("create bucket", name, &e))?;
        if response.status().is_success() {
            return Ok(());
        }
        let code = error_code(&mut response);
        if response.status().as_u16() == 409 && code.as_deref() == Some("BucketAlreadyOwnedByYou") {
            // Made by someone else with the same keys since the HEAD.
            return Ok(());
        }
        Err(failed("create bucket", name, response.status(), code))
    }

    fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }
}

impl Mailbox for S3Mailbox {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let url = self.bucket.put_object(self.credentials(), name).sign(SIGNATURE_VALIDITY);
        let mut response = self
            .agent
            .put(url.as_str())
            .header("content-type", "application/octet-stream")
            .send(bytes)
            .map_err(|e| transport("put", name, &e))?;
        if response.status().is_success() { Ok(()) } else { Err(answer("put", name, &mut response)) }
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let url = self.bucket.get_object(self.credentials(), name).sign(SIGNATURE_VALIDITY);
        let mut response = self.agent.get(url.as_str()).call().map_err(|e| transport("get", name, &e))?;
        let status = response.status();
        if status.as_u16() == 404 {
            return missing("get", name, &mut response).map(|()| None);
        }
        if !status.is_success() {
            return Err(answer("get", name, &mut response));
        }
        let limit = self.max_object_bytes;
        let too_big = |size: &str| {
            StoreError(format!("S3 get {name:?}: the object is {size} bytes, over the limit of {limit} bytes"))
        };
        // Refused before reading when the store says how big it is; otherwise read one byte past the limit at most.
        if let Some(length) = response.body().content_length()
            && length > limit
        {
            return Err(too_big(&length.to_string()));
        }
        match response.body_mut().with_config().limit(limit).read_to_vec() {
            Ok(bytes) => Ok(Some(bytes)),
            Err(ureq::Error::BodyExceedsLimit(_)) => Err(too_big("more than")),
            Err(e) => Err(StoreError(format!("S3 get {name:?}: the answer broke off ({e})"))),
        }
    }

    fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError> {
        let what = match after {
            Some(after) => format!("{prefix:?} after {after:?}"),
            None => format!("{prefix:?}"),
        };
        let mut action = self.bucket.list_objects_v2(self.credentials());
        action.with_prefix(prefix);
        if let Some(after) = after {
            action.with_start_after(after);
        }
        action.with_max_keys(MAX_KEYS);
        let url = action.sign(SIGNATURE_VALIDITY);
        let mut response = self.agent.get(url.as_str()).call().map_err(|e| transport("list", &what, &e))?;
        if !response.status().is_success() {
            return Err(answer("list", &what, &mut response));
        }
        let xml = match response.body_mut().with_config().limit(MAX_LISTING_BYTES).read_to_string() {
            Ok(xml) => xml,
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                return Err(StoreError(format!(
                    "S3 list {what}: the listing is over the limit of {MAX_LISTING_BYTES} bytes"
                )));
            }
            Err(e) => return Err(StoreError(format!("S3 list {what}: the answer broke off ({e})"))),
        };
        let listing = ListObjectsV2::parse_response(&xml)
            .map_err(|e| StoreError(format!("S3 list {what}: the listing cannot be read ({e})")))?;
        Ok(StoreListing {
            objects: listing
                .contents
                .into_iter()
                .map(|object| StoredObject { name: object.key, size: object.size.unwrap_or(0) })
                .collect(),
            // rusty-s3 keeps the continuation token exactly when the listing says IsTruncated (and refuses a
            // truncated listing without one).
            more: listing.next_continuation_token.is_some(),
        })
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        let url = self.bucket.delete_object(self.credentials(), name).sign(SIGNATURE_VALIDITY);
        let mut response = self.agent.delete(url.as_str()).call().map_err(|e| transport("delete", name, &e))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.as_u16() == 404 {
            // S3 answers 204 for a missing object, some servers 404: either way it is not there.
            missing("delete", name, &mut response)
        } else {
            Err(answer("delete", name, &mut response))
        }
    }
}

/// A 404 for an object: fine unless it is the bucket that is missing.
fn missing(operation: &str, name: &str, response: &mut ureq::http::Response<ureq::Body>) -> Result<(), StoreError> {
    match error_code(response) {
        Some(code) if code == "NoSuchBucket" => Err(failed(operation, name, response.status(), Some(code))),
        _ => Ok(()),
    }
}

/// The request got no answer: the link, the name or the store's TLS certificate, or a timeout.
fn transport(operation: &str, name: &str, error: &ureq::Error) -> StoreError {
    StoreError(format!("S3 {operation} {name:?}: no answer from the store ({error})"))
}

/// An answer whose status says no.
fn answer(operation: &str, name: &str, response: &mut ureq::http::Response<ureq::Body>) -> StoreError {
    let code = error_code(response);
    failed(operation, name, response.status(), code)
}

fn failed(operation: &str, name: &str, status: ureq::http::StatusCode, code: Option<String>) -> StoreError {
    let code = code.map(|code| format!(" ({code})")).unwrap_or_default();
    StoreError(format!("S3 {operation} {name:?}: HTTP {status}{code}"))
}

/// S3's error code (`<Code>NoSuchBucket</Code>`) from the first few KiB of an error answer, if it has a plausible
/// one. Nothing else of the answer is kept.
fn error_code(response: &mut ureq::http::Response<ureq::Body>) -> Option<String> {
    let mut head = Vec::new();
    response.body_mut().as_reader().take(MAX_ERROR_BYTES).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
    let start = text.find("<Code>")? + "<Code>".len();
    let rest = text.get(start..)?;
    let code = rest.get(..rest.find("</Code>")?)?;
    (!code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
        .then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    //! What needs no S3 server (tests/scenarios/tests/s3_store.rs runs against a real one): configuration, and a
    //! hostile or broken "store" on a local socket.

    use std::io::{Read as _, Write as _};
    use std::net::TcpListener;
    use std::time::Instant;

    use super::*;

    /// A one-connection server on a free local port that reads the request head, then does `respond`.
    fn serve_once(respond: impl FnOnce(std::net::TcpStream, Vec<u8>) + Send + 'static) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.extend_from_slice(&byte);
            }
            respond(stream, head);
        });
        format!("http://127.0.0.1:{port}")
    }

    #[test]
    fn refuses_what_is_no_endpoint() {
        assert!(S3Mailbox::new("not a url", "b", "us-east-1", None).is_err());
        assert!(S3Mailbox::new("ftp://example.org", "b", "us-east-1", None).is_err());
        assert!(S3Mailbox::new("http://127.0.0.1:9", "", "us-east-1", None).is_err());
        assert!(S3Mailbox::new("https://s3.example.org/some/prefix", "b", "eu-west-1", Some(("k", "s"))).is_ok());
    }

    #[test]
    fn debug_shows_no_secret() {
        let mailbox = S3Mailbox::new("http://127.0.0.1:9", "bucket", "us-east-1", Some(("AKIDKEY", "s3cr3t-value")))
            .unwrap()
            .with_max_object_bytes(10);
        let shown = format!("{mailbox:?}");
        assert!(!shown.contains("s3cr3t") && !shown.contains("AKIDKEY"), "{shown}");
        assert!(shown.contains("http://127.0.0.1:9/bucket/"), "{shown}");
        assert_eq!(mailbox.max_object_bytes(), 10);
        assert_eq!(mailbox.bucket(), "bucket");
    }

    #[test]
    fn a_closed_port_is_a_store_error_naming_the_operation_not_the_contents() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mailbox = S3Mailbox::new(&format!("http://127.0.0.1:{port}"), "bucket", "us-east-1", None).unwrap();
        let error = mailbox.put("group/object", b"private words").unwrap_err();
        assert!(error.0.contains("put") && error.0.contains("group/object"), "{error}");
        assert!(!error.0.contains("private words"), "{error}");
    }

    #[test]
    fn an_error_answer_gives_status_and_code_only() {
        let endpoint = serve_once(|mut stream, _| {
            let body = "<Error><Code>SlowDown</Code><Message>private words</Message></Error>";
            let head = format!("HTTP/1.1 503 Service Unavailable\r\nContent-Length: {}\r\n\r\n", body.len());
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(body.as_bytes()).unwrap();
        });
        let mailbox = S3Mailbox::new(&endpoint, "bucket", "us-east-1", None).unwrap();
        let error = mailbox.get("object").unwrap_err();
        assert_eq!(error.0, "S3 get \"object\": HTTP 503 Service Unavailable (SlowDown)");
    }

    #[test]
    fn a_body_announced_over_the_limit_is_refused_without_reading_it() {
        let endpoint = serve_once(|mut stream, _| {
            // Announces 100 MB, sends a little and keeps the connection open: reading it all would hang.
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n").unwrap();
            stream.write_all(&[7u8; 1000]).unwrap();
            std::thread::sleep(Duration::from_secs(30));
        });
        let mailbox = S3Mailbox::new(&endpoint, "bucket", "us-east-1", None).unwrap().with_max_object_bytes(4096);
        let started = Instant::now();
        let error = mailbox.get("object").unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert!(error.0.contains("100000000 bytes, over the limit of 4096 bytes"), "{error}");
    }

    #[test]
    fn a_chunked_body_over_the_limit_is_cut_off_at_the_limit() {
        let (sent_tx, sent_rx) = std::sync::mpsc::channel();
        let endpoint = serve_once(move |mut stream, _| {
            // No length given: chunks of 1 KiB for as long as the client reads (at most 64 MiB).
            stream.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
            let chunk = [b"400\r\n".as_slice(), &[1u8; 1024], b"\r\n"].concat();
            let mut sent = 0usize;
            while sent < 64 * 1024 * 1024 && stream.write_all(&chunk).is_ok() {
                sent += 1024;
            }
            sent_tx.send(sent).unwrap();
        });
        let mailbox = S3Mailbox::new(&endpoint, "bucket", "us-east-1", None).unwrap().with_max_object_bytes(8192);
        let error = mailbox.get("object").unwrap_err();
        assert!(error.0.contains("over the limit of 8192 bytes"), "{error}");
        // The client hung up after the limit; the server got far less than the 64 MiB it would have sent.
        let sent = sent_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert!(sent < 16 * 1024 * 1024, "the server sent {sent} bytes");
    }

    #[test]
    fn a_loopback_endpoint_is_reached_directly_even_with_a_proxy_configured() {
        // In a child process of this test binary, with a proxy in its environment (this one's is left alone).
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "tests::proxy_from_the_environment", "--nocapture"])
            .env("ALL_PROXY", "http://192.0.2.1:3128")
            .env("KINDRED_S3_PROXY_TEST", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && stdout.contains("1 passed"), "{stdout}");
    }

    #[test]
    fn proxy_from_the_environment() {
        if std::env::var_os("KINDRED_S3_PROXY_TEST").is_none() {
            return; // run by the test above, with a proxy set
        }
        let proxy = |endpoint: &str| {
            let mailbox = S3Mailbox::new(endpoint, "bucket", "us-east-1", None).unwrap();
            mailbox.agent.config().proxy().map(|proxy| proxy.uri().to_string())
        };
        assert_eq!(proxy("https://s3.example.org").as_deref(), Some("http://192.0.2.1:3128/"));
        for endpoint in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "http://127.8.9.10:9"] {
            assert_eq!(proxy(endpoint), None, "{endpoint}");
        }
    }

    #[test]
    fn https_speaks_tls() {
        // The first bytes the client sends to an https endpoint are a TLS handshake record (0x16), not HTTP.
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut first = [0u8; 1];
            stream.read_exact(&mut first).unwrap();
            first_tx.send(first[0]).unwrap();
        });
        let mailbox = S3Mailbox::new(&format!("https://127.0.0.1:{port}"), "bucket", "us-east-1", None).unwrap();
        let error = mailbox.get("object").unwrap_err();
        assert_eq!(first_rx.recv_timeout(Duration::from_secs(10)).unwrap(), 0x16);
        assert!(error.0.contains("no answer from the store"), "{error}");
    }

    #[test]
    fn signed_requests_carry_a_sigv4_signature_and_anonymous_ones_none() {
        for (credentials, signed) in [(Some(("AKIDKEY", "secret")), true), (None, false)] {
            let (head_tx, head_rx) = std::sync::mpsc::channel();
            let endpoint = serve_once(move |mut stream, head| {
                head_tx.send(String::from_utf8_lossy(&head).into_owned()).unwrap();
                stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").unwrap();
            });
            let mailbox = S3Mailbox::new(&endpoint, "bucket", "eu-west-1", credentials).unwrap();
            mailbox.put("dir/object name+1", b"bytes").unwrap();
            let head = head_rx.recv().unwrap();
            let target =
                if signed { "PUT /bucket/dir/object%20name%2B1?" } else { "PUT /bucket/dir/object%20name%2B1 " };
            assert!(head.starts_with(target), "{head}");
            assert_eq!(head.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"), signed, "{head}");
            assert_eq!(head.contains("eu-west-1"), signed, "{head}");
            assert!(!head.contains("secret"), "{head}");
        }
    }
}
