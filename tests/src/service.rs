//! An `orca serve <role>` process: started with a config file (listeners on port 0, so the
//! addresses come from its start-up line), awaited until `/readyz` answers, scraped for metrics,
//! killed with SIGKILL or stopped with SIGTERM, and restarted on the same addresses.

use crate::Orca;
use crate::wait::wait_for;
use anyhow::{Context, Result, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Child;

/// Longest wait for a process to announce itself and report ready (restoring state included).
const START_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Service {
    orca: Orca,
    pub role: String,
    config: PathBuf,
    env: Vec<(String, String)>,
    log_dir: PathBuf,
    starts: u32,
    child: Option<Child>,
    pub grpc: Option<SocketAddr>,
    pub http: SocketAddr,
}

impl Service {
    /// Starts `orca serve ROLE --config CONFIG` with extra environment `env`; logs go to
    /// `LOG_DIR/ROLE-N.log` (N counts the starts).
    pub async fn start(orca: &Orca, role: &str, config: &Path, env: &[(&str, &str)], log_dir: &Path) -> Result<Self> {
        let mut service = Self {
            orca: orca.clone(),
            role: role.to_owned(),
            config: config.to_path_buf(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            log_dir: log_dir.to_path_buf(),
            starts: 0,
            child: None,
            grpc: None,
            http: ([127, 0, 0, 1], 0).into(),
        };
        service.spawn().await?;
        Ok(service)
    }

    async fn spawn(&mut self) -> Result<()> {
        self.starts += 1;
        let log = self.log_path();
        let out = std::fs::File::create(&log).with_context(|| format!("creating `{}`", log.display()))?;
        let mut command = self.orca.command(["serve", &self.role]);
        command.arg("--config").arg(&self.config).stdout(out.try_clone()?).stderr(out);
        command.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if self.starts > 1 {
            // A restart keeps its addresses, so clients reconnect to the same place.
            if let Some(grpc) = self.grpc {
                command.env("ORCA_GRPC_ADDR", grpc.to_string());
            }
            command.env("ORCA_HTTP_ADDR", self.http.to_string());
        }
        let mut child = command.spawn().with_context(|| format!("starting `orca serve {}`", self.role))?;
        let what = format!("`orca serve {}` to announce its addresses", self.role);
        let announced = wait_for(&what, START_TIMEOUT, || {
            let exited = child.try_wait();
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            async move {
                if let Some(status) = exited? {
                    return Ok(Some(Err(status)));
                }
                Ok(text.lines().find_map(parse_announcement).map(Ok))
            }
        })
        .await;
        let (grpc, http) = match announced {
            Ok(Ok(addresses)) => addresses,
            Ok(Err(status)) => bail!("`orca serve {}` exited with {status}:\n{}", self.role, self.log_tail()),
            Err(error) => return Err(error.context(self.log_tail())),
        };
        self.grpc = grpc;
        self.http = http;
        self.child = Some(child);
        self.wait_ready().await
    }

    fn log_path(&self) -> PathBuf {
        self.log_dir.join(format!("{}-{}.log", self.role, self.starts))
    }

    /// The last lines of the current log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "last lines of `{}`:\n{}",
            self.log_path().display(),
            lines[lines.len().saturating_sub(30)..].join("\n")
        )
    }

    async fn wait_ready(&mut self) -> Result<()> {
        let url = format!("http://{}/readyz", self.http);
        let client = http_client();
        let what = format!("`orca serve {}` to report ready", self.role);
        let ready = wait_until_ready(&client, &url, &what).await;
        ready.map_err(|error| error.context(self.log_tail()))
    }

    /// The gRPC endpoint (`http://host:port`).
    pub fn endpoint(&self) -> Result<String> {
        let grpc = self.grpc.with_context(|| format!("`orca serve {}` serves no gRPC", self.role))?;
        Ok(format!("http://{grpc}"))
    }

    /// The HTTP address (`http://host:port`): operations, REST ingest, the browser workspace.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// The process's peak resident memory so far (`VmHWM` in `/proc/PID/status`), in bytes.
    pub fn peak_rss_bytes(&self) -> Result<u64> {
        let pid = self.pid().with_context(|| format!("`orca serve {}` is not running", self.role))?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .with_context(|| format!("no VmHWM in /proc/{pid}/status"))?;
        Ok(kib * 1024)
    }

    /// SIGKILL: the process gets no chance to finish its batch or commit anything.
    pub async fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.start_kill().context("sending SIGKILL")?;
            child.wait().await.context("reaping the killed process")?;
        }
        Ok(())
    }

    /// SIGSTOP: the process stands still (a long pause, a hung VM) while keeping its connections.
    pub fn pause(&self) -> Result<()> {
        self.signal(Signal::SIGSTOP)
    }

    /// SIGCONT after [`Self::pause`].
    pub fn resume(&self) -> Result<()> {
        self.signal(Signal::SIGCONT)
    }

    fn signal(&self, signal: Signal) -> Result<()> {
        let pid = self.pid().with_context(|| format!("`orca serve {}` is not running", self.role))?;
        kill(Pid::from_raw(pid as i32), signal).with_context(|| format!("sending {signal}"))
    }

    /// What `/readyz` says, e.g. `ready; standing by for: resolver`.
    pub async fn readiness(&self) -> Result<String> {
        let url = format!("http://{}/readyz", self.http);
        Ok(http_client().get(&url).send().await.with_context(|| format!("GET {url}"))?.text().await?)
    }

    /// SIGTERM, then waits for the ordered shutdown.
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            if let Some(pid) = child.id() {
                kill(Pid::from_raw(pid as i32), Signal::SIGTERM).context("sending SIGTERM")?;
            }
            let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
                .await
                .with_context(|| format!("`orca serve {}` did not stop within 60 s after SIGTERM", self.role))??;
            if !status.success() {
                bail!("`orca serve {}` stopped with {status}:\n{}", self.role, self.log_tail());
            }
        }
        Ok(())
    }

    /// Starts the process again on the same addresses (after [`Self::kill`] or [`Self::stop`]).
    pub async fn restart(&mut self) -> Result<()> {
        self.kill().await?;
        self.spawn().await
    }

    /// The Prometheus exposition text.
    pub async fn metrics(&self) -> Result<String> {
        let url = format!("http://{}/metrics", self.http);
        let response = http_client().get(&url).send().await.with_context(|| format!("GET {url}"))?;
        Ok(response.error_for_status()?.text().await?)
    }

    /// The value of `name{labels…}` in the metrics, if exposed; `labels` is matched as text,
    /// e.g. `stage="resolver"`.
    pub async fn metric(&self, name: &str, labels: &str) -> Result<Option<f64>> {
        Ok(find_metric(&self.metrics().await?, name, labels))
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("a plain HTTP client builds")
}

async fn wait_until_ready(client: &reqwest::Client, url: &str, what: &str) -> Result<()> {
    crate::wait_until(what, START_TIMEOUT, || async move {
        let response = client.get(url).send().await?;
        Ok(response.status().is_success())
    })
    .await
}

/// `orca serving `ROLE`: gRPC ADDR|off, HTTP ADDR (…)`.
fn parse_announcement(line: &str) -> Option<(Option<SocketAddr>, SocketAddr)> {
    let rest = line.split_once("orca serving `")?.1;
    let grpc = rest.split_once("gRPC ")?.1.split(',').next()?.trim();
    let http = rest.split_once("HTTP ")?.1.split_whitespace().next()?;
    let grpc = if grpc == "off" { None } else { Some(grpc.parse().ok()?) };
    Some((grpc, http.parse().ok()?))
}

/// The value of one sample in Prometheus text.
pub fn find_metric(text: &str, name: &str, labels: &str) -> Option<f64> {
    text.lines().filter(|line| !line.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let matches = series == name
            || (series.starts_with(name) && series[name.len()..].starts_with('{') && series.contains(labels));
        if matches { value.parse().ok() } else { None }
    })
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            drop(child.start_kill());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_start_up_line() {
        let line = "orca serving `all`: gRPC 127.0.0.1:41234, HTTP 127.0.0.1:8080 (/metrics, /livez, /readyz)";
        assert_eq!(
            parse_announcement(line),
            Some((Some("127.0.0.1:41234".parse().unwrap()), "127.0.0.1:8080".parse().unwrap()))
        );
        let line = "orca serving `resolver`: gRPC off, HTTP 127.0.0.1:9 (/metrics, /livez, /readyz)";
        assert_eq!(parse_announcement(line), Some((None, "127.0.0.1:9".parse().unwrap())));
        assert_eq!(parse_announcement("INFO something else"), None);
    }

    #[test]
    fn finds_a_labelled_sample() {
        let text = "# TYPE orca_consumer_lag gauge\norca_consumer_lag{stage=\"resolver\"} 12\n\
                    orca_consumer_lag{stage=\"linker\"} 0\n";
        assert_eq!(find_metric(text, "orca_consumer_lag", "stage=\"resolver\""), Some(12.0));
        assert_eq!(find_metric(text, "orca_consumer_lag", "stage=\"linker\""), Some(0.0));
        assert_eq!(find_metric(text, "orca_consumer_lag", "stage=\"intel\""), None);
    }
}
