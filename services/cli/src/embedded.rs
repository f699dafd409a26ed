//! An embedded ORCA started inside a command (`orca demo`, `orca ingest --data-dir`): every stage,
//! the in-process log and SQLite under the data directory, gRPC and HTTP on local ports, and the
//! keys file that lets the command talk to it like any client.

use crate::commands::keys::KeysFile;
use crate::progress;
use anyhow::Result;
use orca_auth::{Authenticator, PrincipalKind};
use orca_runtime::{App, OrcaConfig, Roles, RunningApp};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct Embedded {
    pub app: RunningApp,
    pub keys: KeysFile,
    pub keys_path: PathBuf,
    authenticator: Authenticator,
}

impl Embedded {
    pub async fn start(data_dir: &Path, grpc_addr: SocketAddr, http_addr: SocketAddr) -> Result<Self> {
        let mut config = OrcaConfig::load(None)?;
        config.data_dir = data_dir.to_path_buf();
        config.grpc_addr = grpc_addr;
        config.http_addr = http_addr;
        let app = App::build(config, Roles::ALL).await?;
        let authenticator = Authenticator::new(app.backends().store.clone());
        let app = app.start();
        let keys_path = data_dir.join("keys.json");
        let keys = KeysFile::read_or_default(&keys_path)?;
        Ok(Self { app, keys, keys_path, authenticator })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.app.grpc_addr.expect("embedded mode serves gRPC"))
    }

    /// A key for the subject, issued (and saved to the keys file) the first time.
    pub async fn key(&mut self, kind: PrincipalKind, subject: &str) -> Result<String> {
        let known = self.keys.map_mut(kind).contains_key(subject);
        let key = self.keys.ensure(&self.authenticator, kind, subject).await?;
        if !known {
            self.keys.write(&self.keys_path)?;
        }
        Ok(key)
    }

    pub fn store(&self) -> Arc<dyn orca_store::Store> {
        self.app.backends().store.clone()
    }
}

impl Embedded {
    /// Waits for the pipeline to process everything sent, showing how far it has got (records
    /// through resolve, link and package, out of all on their inputs so far).
    pub async fn wait_for_processing(&self) -> Result<()> {
        let bar = progress::bar(0, "processing (records through resolve, link, package)");
        let follow = async {
            loop {
                self.show_progress(&bar).await;
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        };
        tokio::select! {
            settled = self.app.settled() => settled?,
            () = follow => {}
        }
        self.show_progress(&bar).await;
        progress::finish(&bar);
        Ok(())
    }

    /// Sets `bar` to the records the stages have accounted for, out of all on their inputs so far.
    async fn show_progress(&self, bar: &indicatif::ProgressBar) {
        if let Ok((done, total)) = self.app.progress().await {
            bar.set_length(total);
            bar.set_position(done);
        }
    }
}
