//! A private Tansu broker for one test: its own port and its own SQLite storage in a temporary
//! directory, so it can be stopped and started again with everything it held.
//!
//! Why a broker per test rather than the shared one `ORCA_TEST_KAFKA` names: the pipeline's topics
//! (`orca.incidents.v1`, …) and consumer groups (`resolver`, …) have fixed names, so two pipelines
//! on one broker would read each other's records and share consumer groups. Tansu starts in well
//! under a second, which is cheaper and less invasive than threading a topic prefix through every
//! stage. The binary is `tansu` on the `PATH` (as `infra/tansu.sh` installs it), or `ORCA_TEST_TANSU`.

use crate::wait::wait_until;
use anyhow::{Context, Result, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::process::{Child, Command};

pub struct Broker {
    dir: TempDir,
    port: u16,
    starts: u32,
    child: Option<Child>,
}

impl Broker {
    /// Starts a broker on a free port with fresh storage.
    pub async fn start() -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut broker = Self { dir: tempfile::tempdir()?, port, starts: 0, child: None };
        broker.spawn().await?;
        Ok(broker)
    }

    /// `host:port` for `bootstrap.servers`.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join(format!("tansu-{}.log", self.starts))
    }

    async fn spawn(&mut self) -> Result<()> {
        self.starts += 1;
        let binary = std::env::var_os("ORCA_TEST_TANSU").unwrap_or_else(|| "tansu".into());
        let log = std::fs::File::create(self.log_path())?;
        let listener = format!("tcp://127.0.0.1:{}", self.port);
        // The SQLite path is relative to the working directory (an absolute one gets mangled).
        let mut child = Command::new(&binary)
            .args(["broker", "--listener-url", &listener, "--advertised-listener-url", &listener])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!(
                    "starting `{}` (install it with infra/tansu.sh, or set ORCA_TEST_TANSU)",
                    binary.to_string_lossy()
                )
            })?;
        let address = self.bootstrap();
        let listening = wait_until(&format!("tansu to listen on {address}"), Duration::from_secs(30), || {
            let exited = child.try_wait();
            let address = address.clone();
            async move {
                if let Some(status) = exited? {
                    bail!("tansu exited with {status}");
                }
                Ok(tokio::net::TcpStream::connect(&address).await.is_ok())
            }
        })
        .await;
        if let Err(error) = listening {
            let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
            return Err(error.context(format!("tansu log:\n{log}")));
        }
        self.child = Some(child);
        Ok(())
    }

    /// Stops the broker (SIGTERM) and waits for it to exit; its storage stays.
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            if let Some(pid) = child.id() {
                kill(Pid::from_raw(pid as i32), Signal::SIGTERM).context("stopping tansu")?;
            }
            if tokio::time::timeout(Duration::from_secs(20), child.wait()).await.is_err() {
                child.kill().await.context("killing tansu after it ignored SIGTERM")?;
            }
        }
        Ok(())
    }

    /// Starts the stopped broker again on the same port and storage.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop().await?;
        self.spawn().await
    }

    /// Whether the port refuses connections (the broker is really down).
    pub async fn is_down(&self) -> bool {
        tokio::net::TcpStream::connect(self.bootstrap()).await.is_err()
    }
}
