//! How soon an open `StreamPackages` client hears of a new package version, and how fast
//! `GetPackage` answers while several clients read at once.
//!
//! - [`StreamWatch`] follows every force's packages (one stream per force, as an analyst, who may
//!   follow any force) for the whole load and records when each (package, version) first arrived.
//!   The bench joins that with the versions it reads from the store: a version's latency runs
//!   from the acknowledgement of the latest incident it newly cites (as for the store) to its
//!   arrival on a stream (a stream that was behind delivers a later version instead).
//! - [`read_load`] times `GetPackage` from several concurrent clients over loopback against the
//!   gRPC health check measured the same way in the same run (the cost of a round trip with no
//!   work), so the figure is a ratio and not a machine's speed.

use anyhow::{Context, Result};
use orca_model::ForceRegistry;
use orca_proto::v1::intelligence_service_client::IntelligenceServiceClient;
use orca_proto::v1::{self, package_event::Event};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::task::JoinHandle;
use tokio_stream::StreamExt;
use tonic::transport::Channel;

/// (package id, version) → when a stream first delivered it (Unix ms).
pub type Arrivals = HashMap<(String, i64), i64>;

pub struct StreamWatch {
    arrivals: Arc<Mutex<Arrivals>>,
    tasks: Vec<JoinHandle<()>>,
}

impl StreamWatch {
    pub async fn start(endpoint: &str, key: &str) -> Result<Self> {
        let channel = Channel::from_shared(endpoint.to_owned())?.connect().await?;
        let arrivals = Arc::new(Mutex::new(Arrivals::new()));
        let mut tasks = Vec::new();
        for force in ForceRegistry::global().iter() {
            let request = v1::StreamPackagesRequest {
                force: force.id.to_string(),
                purpose: "benchmark: stream latency".into(),
                cursor: String::new(),
                role: 0,
            };
            let mut client = IntelligenceServiceClient::new(channel.clone());
            let mut events = client.stream_packages(authorized(request, key)?).await?.into_inner();
            let arrivals = arrivals.clone();
            tasks.push(tokio::spawn(async move {
                while let Some(Ok(event)) = events.next().await {
                    if let Some(Event::Package(summary)) = event.event {
                        let at = super::unix_ms();
                        let mut arrivals = arrivals.lock().expect("arrivals lock");
                        arrivals.entry((summary.package_id, i64::from(summary.version))).or_insert(at);
                    }
                }
            }));
        }
        Ok(Self { arrivals, tasks })
    }

    /// What arrived so far; the streams stop.
    pub fn finish(self) -> Arrivals {
        for task in &self.tasks {
            task.abort();
        }
        std::mem::take(&mut *self.arrivals.lock().expect("arrivals lock"))
    }
}

/// The analyst key `name` from a keys file.
pub fn analyst_key(keys: &Path, name: &str) -> Result<String> {
    let keys: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(keys)?)?;
    keys["analysts"][name].as_str().map(str::to_owned).with_context(|| format!("no analyst key for `{name}`"))
}

fn authorized<T>(message: T, key: &str) -> Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {key}").parse()?);
    Ok(request)
}

/// `GetPackage` and health-check latencies (µs, sorted) from `clients` concurrent clients, each
/// making `per_client` calls, cycling through `packages`.
pub struct ReadLoad {
    pub clients: usize,
    pub get_package_us: Vec<i64>,
    pub health_us: Vec<i64>,
}

pub async fn read_load(
    endpoint: &str,
    key: &str,
    packages: &[String],
    clients: usize,
    per_client: usize,
) -> Result<ReadLoad> {
    anyhow::ensure!(!packages.is_empty(), "no packages to read");
    let channel = Channel::from_shared(endpoint.to_owned())?.connect().await?;
    let mut health_us = Vec::new();
    let mut get_package_us = Vec::new();
    for health in [true, false] {
        let mut tasks = Vec::new();
        for client in 0..clients {
            let channel = channel.clone();
            let key = key.to_owned();
            let packages = packages.to_vec();
            tasks.push(tokio::spawn(async move {
                let mut intel = IntelligenceServiceClient::new(channel.clone()).max_decoding_message_size(64 << 20);
                let mut check = tonic_health::pb::health_client::HealthClient::new(channel);
                let mut times = Vec::with_capacity(per_client);
                for call in 0..per_client {
                    let started = Instant::now();
                    if health {
                        check.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await?;
                    } else {
                        let request = v1::GetPackageRequest {
                            package_id: packages[(client * per_client + call) % packages.len()].clone(),
                            purpose: "benchmark: concurrent reads".into(),
                            ..Default::default()
                        };
                        intel.get_package(authorized(request, &key)?).await?;
                    }
                    times.push(started.elapsed().as_micros() as i64);
                }
                anyhow::Ok(times)
            }));
        }
        for task in tasks {
            let times = task.await??;
            if health { health_us.extend(times) } else { get_package_us.extend(times) }
        }
    }
    health_us.sort_unstable();
    get_package_us.sort_unstable();
    Ok(ReadLoad { clients, get_package_us, health_us })
}
