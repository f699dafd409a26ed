//! gRPC client helpers: connecting, authenticating, and streaming incidents with retries.

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use orca_model::problem::codes;
use orca_proto::v1::{self, IngestStatus, ingest_service_client::IngestServiceClient};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

/// How to reach `https://` endpoints: the CA to trust and, for servers that ask, a client
/// certificate. Set once from the command line (`--ca-file`, `--client-cert`, `--client-key`, or
/// `ORCA_CA_FILE`, `ORCA_CLIENT_CERT`, `ORCA_CLIENT_KEY`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ClientTls {
    /// CA certificate (PEM) that signed the server's certificate, for `https://` endpoints.
    #[arg(long, global = true, env = "ORCA_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM) to present to servers that ask for one.
    #[arg(long, global = true, env = "ORCA_CLIENT_CERT")]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, global = true, env = "ORCA_CLIENT_KEY")]
    pub client_key: Option<PathBuf>,
}

static CLIENT_TLS: OnceLock<ClientTls> = OnceLock::new();

/// Sets how every later [`connect`] reaches `https://` endpoints.
pub fn use_tls(tls: ClientTls) {
    let _ = CLIENT_TLS.set(tls);
}

/// Connects to `http://host:port` or `https://host:port` (the scheme is optional; plain by default).
pub async fn connect(endpoint: &str) -> Result<Channel> {
    let url = if endpoint.contains("://") { endpoint.to_owned() } else { format!("http://{endpoint}") };
    let mut builder = Endpoint::from_shared(url.clone())
        .with_context(|| format!("`{endpoint}` is not an endpoint URL"))?
        .connect_timeout(Duration::from_secs(10));
    if url.starts_with("https://") {
        builder = builder.tls_config(client_tls_config(CLIENT_TLS.get().cloned().unwrap_or_default())?)?;
    }
    builder.connect().await.with_context(|| format!("connecting to `{url}`"))
}

fn client_tls_config(tls: ClientTls) -> Result<ClientTlsConfig> {
    let read = |path: &PathBuf, what: &str| {
        std::fs::read(path).with_context(|| format!("reading the {what} `{}`", path.display()))
    };
    let ca_file = tls.ca_file.as_ref().context(
        "an `https://` endpoint needs `--ca-file` (or ORCA_CA_FILE): the CA certificate that signed the server's",
    )?;
    let mut config = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(read(ca_file, "CA certificate")?));
    match (&tls.client_cert, &tls.client_key) {
        (Some(cert), Some(key)) => {
            let identity = Identity::from_pem(read(cert, "client certificate")?, read(key, "client key")?);
            config = config.identity(identity);
        }
        (None, None) => {}
        _ => anyhow::bail!("`--client-cert` and `--client-key` go together"),
    }
    Ok(config)
}

/// Finds the key to send a retailer's records with.
pub type KeyLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Writes to standard output. A reader that went away (`orca packages | head`) ends the command
/// quietly and successfully, as Unix tools do.
pub fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.context("writing to standard output"),
    }
}

/// The same for commands that print with `println!`, which panics when the reader has gone:
/// that panic ends the process quietly with success instead of a panic message.
pub fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// The purpose the user stated (`--purpose` or `ORCA_PURPOSE`), or, at a terminal, asked for once.
/// Never invented: reads are audited with these words, so they must be the user's own.
pub fn stated_purpose(flag: Option<&str>) -> Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let given = flag.map(str::trim).unwrap_or_default();
    if !given.is_empty() {
        return Ok(given.to_owned());
    }
    let missing = "say why you are looking with `--purpose \"…\"` (or ORCA_PURPOSE): it is recorded in the audit log with your identity";
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        anyhow::bail!(missing);
    }
    eprint!("purpose of this read (recorded in the audit log with your identity): ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let typed = line.trim();
    anyhow::ensure!(!typed.is_empty(), missing);
    Ok(typed.to_owned())
}

/// A request carrying `authorization: Bearer <key>`.
pub fn authorized<T>(message: T, key: &str) -> Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    let value = format!("Bearer {key}").parse().context("the key is not valid header text")?;
    request.metadata_mut().insert("authorization", value);
    Ok(request)
}

/// One record to send, with where it came from (for the rejected-records file).
#[derive(Clone, Debug)]
pub struct Item {
    /// Line number in the input (1-based), or position in a generated stream.
    pub line: u64,
    /// The record as read, kept for the rejected-records file.
    pub raw: String,
    pub incident: v1::Incident,
}

/// A record ORCA refused, with its reasons.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Rejection {
    pub line: u64,
    pub retailer_ref: String,
    pub problems: Vec<ProblemOut>,
    pub record: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ProblemOut {
    pub field: String,
    pub code: String,
    pub reason: String,
}

/// An accepted record with ORCA's remarks on it (e.g. a field it could not use).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Warned {
    pub line: u64,
    pub retailer_ref: String,
    pub warnings: Vec<ProblemOut>,
}

impl ProblemOut {
    fn from_proto(problem: &v1::FieldProblem) -> Self {
        Self { field: problem.field.clone(), code: problem.code.clone(), reason: problem.reason.clone() }
    }
}

/// What came back for everything sent.
#[derive(Debug, Default)]
pub struct Totals {
    pub accepted: u64,
    pub duplicate: u64,
    pub rejected: Vec<Rejection>,
    /// Accepted records ORCA had remarks on.
    pub warned: Vec<Warned>,
    /// One receipt per record that was accepted or found to be a duplicate, in acknowledgement order.
    pub receipts: Vec<Receipt>,
}

/// What ORCA acknowledged for one record: the retailer's reference, the incident id it was given
/// and when the acknowledgement arrived (written by `orca ingest --receipts`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Receipt {
    pub line: u64,
    pub retailer_ref: String,
    pub incident_id: String,
    pub status: &'static str,
    pub acknowledged_at_ms: i64,
}

impl Totals {
    /// Warnings over every accepted record.
    pub fn warnings(&self) -> usize {
        self.warned.iter().map(|w| w.warnings.len()).sum()
    }

    /// Adds another file's or stream's totals.
    pub fn absorb(&mut self, other: Totals) {
        self.accepted += other.accepted;
        self.duplicate += other.duplicate;
        self.warned.extend(other.warned);
        self.rejected.extend(other.rejected);
        self.receipts.extend(other.receipts);
    }
}

/// How many times a record answered `RETRY` (or caught in a broken stream) is sent again.
const MAX_ATTEMPTS: u32 = 20;

/// Streams incidents to `StreamIncidents`, one stream per retailer (each with its own key), and
/// resends whatever comes back `RETRY` or was in flight when a stream broke.
pub struct Uploader {
    channel: Channel,
    /// Send one record at a time with `Submit`, so the log holds them in input order.
    ordered: Option<Totals>,
    keys: KeyLookup,
    senders: HashMap<String, mpsc::Sender<Item>>,
    tasks: JoinSet<Result<Totals>>,
    bar: ProgressBar,
    /// Records for retailers with no key: rejected here, never sent.
    unsendable: Vec<Rejection>,
}

impl Uploader {
    pub fn new(channel: Channel, keys: KeyLookup, bar: ProgressBar) -> Self {
        Self {
            channel,
            ordered: None,
            keys,
            senders: HashMap::new(),
            tasks: JoinSet::new(),
            bar,
            unsendable: Vec::new(),
        }
    }

    /// An uploader that keeps input order on the log (one `Submit` at a time; slower). Two runs
    /// of the same input then give identical results, whatever the timing.
    pub fn ordered(channel: Channel, keys: KeyLookup, bar: ProgressBar) -> Self {
        Self { ordered: Some(Totals::default()), ..Self::new(channel, keys, bar) }
    }

    pub async fn send(&mut self, item: Item) -> Result<()> {
        if self.ordered.is_some() {
            return self.submit_one(item).await;
        }
        let retailer = item.incident.retailer_id.clone();
        if !self.senders.contains_key(&retailer) {
            let Some(key) = (self.keys)(&retailer) else {
                self.reject_unsendable(item);
                return Ok(());
            };
            let (tx, rx) = mpsc::channel(1_024);
            self.tasks.spawn(stream_retailer(self.channel.clone(), key, rx, self.bar.clone()));
            self.senders.insert(retailer.clone(), tx);
        }
        if self.senders[&retailer].send(item).await.is_err() {
            return Err(self.why_a_stream_stopped(&retailer).await);
        }
        Ok(())
    }

    /// The error a stream's task ended with (it stops taking records only when it fails).
    async fn why_a_stream_stopped(&mut self, retailer: &str) -> anyhow::Error {
        while let Some(ended) = self.tasks.join_next().await {
            match ended {
                Ok(Err(error)) => return error,
                Err(panicked) => return anyhow::anyhow!("an upload task panicked: {panicked}"),
                Ok(Ok(_)) => {}
            }
        }
        anyhow::anyhow!("the upload stream for `{retailer}` stopped")
    }

    async fn submit_one(&mut self, item: Item) -> Result<()> {
        let retailer = item.incident.retailer_id.clone();
        let Some(key) = (self.keys)(&retailer) else {
            self.reject_unsendable(item);
            return Ok(());
        };
        let mut client = IngestServiceClient::new(self.channel.clone());
        let mut attempt = 0;
        let ack = loop {
            let request =
                v1::SubmitRequest { incident: Some(item.incident.clone()), client_ref: item.line.to_string() };
            match client.submit(authorized(request, &key)?).await {
                Ok(ack) => break ack.into_inner(),
                Err(status) if is_transient(status.code()) && attempt < MAX_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt.min(10)))).await;
                }
                Err(status) => return Err(refused(&status).context(format!("sending line {}", item.line))),
            }
        };
        let totals = self.ordered.as_mut().expect("ordered mode");
        record_ack(totals, &ack, item);
        self.bar.inc(1);
        Ok(())
    }

    /// A record for a retailer the keys file has no key for: rejected and kept, and the run goes on.
    fn reject_unsendable(&mut self, item: Item) {
        let retailer = &item.incident.retailer_id;
        let reason = format!(
            "no key for retailer `{retailer}` in the keys file, so this record was not sent \
             (an administrator issues one with `orca keys issue --kind retailer --subject {retailer}`)"
        );
        self.unsendable.push(Rejection {
            line: item.line,
            retailer_ref: item.incident.retailer_ref.clone(),
            problems: vec![ProblemOut { field: "retailer_id".into(), code: codes::NO_KEY.into(), reason }],
            record: item.raw,
        });
        self.bar.inc(1);
    }

    pub async fn finish(mut self) -> Result<Totals> {
        self.senders.clear();
        let mut totals = self.ordered.take().unwrap_or_default();
        totals.rejected.append(&mut self.unsendable);
        while let Some(result) = self.tasks.join_next().await {
            totals.absorb(result.context("an upload task panicked")??);
        }
        Ok(totals)
    }
}

async fn stream_retailer(
    channel: Channel,
    key: String,
    mut rx: mpsc::Receiver<Item>,
    bar: ProgressBar,
) -> Result<Totals> {
    let mut totals = Totals::default();
    let mut queue: VecDeque<Item> = VecDeque::new();
    let mut input_open = true;
    let mut attempt = 0;
    loop {
        // One stream: the queued resends first, then fresh records while the input lasts.
        let (stream_tx, stream_rx) = mpsc::channel::<v1::SubmitRequest>(256);
        let in_flight: Arc<Mutex<VecDeque<Item>>> = Arc::default();
        let mut client = IngestServiceClient::new(channel.clone()).max_decoding_message_size(64 * 1024 * 1024);
        let request = authorized(ReceiverStream::new(stream_rx), &key)?;
        let feeder_in_flight = in_flight.clone();
        let mut resend = std::mem::take(&mut queue);
        let feeder = async {
            // Owning the sender here ends the request stream when the feeder is done.
            let stream_tx = stream_tx;
            let push = |item: Item| {
                let request =
                    v1::SubmitRequest { incident: Some(item.incident.clone()), client_ref: item.line.to_string() };
                feeder_in_flight.lock().expect("not poisoned").push_back(item);
                request
            };
            while let Some(item) = resend.pop_front() {
                if stream_tx.send(push(item)).await.is_err() {
                    return;
                }
            }
            while input_open {
                match rx.recv().await {
                    Some(item) => {
                        if stream_tx.send(push(item)).await.is_err() {
                            return;
                        }
                    }
                    None => input_open = false,
                }
            }
        };
        let reader = async {
            let mut retry = Vec::new();
            let mut responses = client.stream_incidents(request).await?.into_inner();
            while let Some(ack) = responses.next().await {
                let ack = ack?;
                let item = in_flight
                    .lock()
                    .expect("not poisoned")
                    .pop_front()
                    .ok_or_else(|| tonic::Status::internal("an acknowledgement for nothing sent"))?;
                if ack.status == IngestStatus::Retry as i32 {
                    retry.push(item);
                } else {
                    record_ack(&mut totals, &ack, item);
                    bar.inc(1);
                }
            }
            Ok::<_, tonic::Status>(retry)
        };
        let (_, outcome) = tokio::join!(feeder, reader);
        match outcome {
            Ok(retry) => queue.extend(retry),
            Err(status) if !is_transient(status.code()) => return Err(refused(&status)),
            Err(status) => {
                tracing::warn!(code = ?status.code(), message = status.message(), "ingest stream broke; resending")
            }
        }
        // Whatever was sent but not acknowledged goes round again.
        queue.extend(in_flight.lock().expect("not poisoned").drain(..));
        if queue.is_empty() && !input_open {
            return Ok(totals);
        }
        if !queue.is_empty() {
            attempt += 1;
            anyhow::ensure!(attempt <= MAX_ATTEMPTS, "ingest kept asking to retry {} records; giving up", queue.len());
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt.min(10)))).await;
        }
    }
}

/// Errors worth sending again after a pause: the server or the network may recover. Anything else
/// (a wrong key, an endpoint that does not take incidents, a request it cannot read) fails the run
/// at once instead of retrying what cannot succeed.
fn is_transient(code: tonic::Code) -> bool {
    use tonic::Code;
    matches!(
        code,
        Code::Unavailable
            | Code::DeadlineExceeded
            | Code::Aborted
            | Code::ResourceExhausted
            | Code::Cancelled
            | Code::Unknown
    )
}

/// A permanent refusal, said for the person running the upload.
pub fn refused(status: &tonic::Status) -> anyhow::Error {
    let what = match status.code() {
        tonic::Code::Unauthenticated | tonic::Code::PermissionDenied => "ingest refused the key",
        tonic::Code::Unimplemented => "this endpoint does not take incidents (is it an ingest server?)",
        _ => "ingest refused the upload",
    };
    match status.message() {
        "" => anyhow::anyhow!("{what} ({:?})", status.code()),
        message => anyhow::anyhow!("{what}: {message} ({:?})", status.code()),
    }
}

/// Counts an acknowledgement that settled a record (anything but `RETRY`).
fn record_ack(totals: &mut Totals, ack: &v1::IngestAck, item: Item) {
    let status = IngestStatus::try_from(ack.status).unwrap_or(IngestStatus::Unspecified);
    let receipt = |status: &'static str| Receipt {
        line: item.line,
        retailer_ref: item.incident.retailer_ref.clone(),
        incident_id: ack.incident_id.clone(),
        status,
        acknowledged_at_ms: unix_ms(),
    };
    match status {
        IngestStatus::Accepted => {
            totals.accepted += 1;
            if !ack.warnings.is_empty() {
                totals.warned.push(Warned {
                    line: item.line,
                    retailer_ref: item.incident.retailer_ref.clone(),
                    warnings: ack.warnings.iter().map(ProblemOut::from_proto).collect(),
                });
            }
            totals.receipts.push(receipt("accepted"));
        }
        IngestStatus::Duplicate => {
            totals.duplicate += 1;
            totals.receipts.push(receipt("duplicate"));
        }
        _ => totals.rejected.push(Rejection {
            line: item.line,
            retailer_ref: item.incident.retailer_ref.clone(),
            problems: ack.problems.iter().map(ProblemOut::from_proto).collect(),
            record: item.raw,
        }),
    }
}

fn unix_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
