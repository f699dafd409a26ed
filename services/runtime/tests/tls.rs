//! TLS and connection limits on the listeners, as clients see them: certificates the test makes
//! itself, a gRPC client that must trust the CA, force keys that need a client certificate,
//! connections over the limit closed, and a request whose headers never finish cut off.

use orca_auth::{Authenticator, ExposeSecret, KeyRequest, PrincipalKind};
use orca_proto::v1::{self, intelligence_service_client::IntelligenceServiceClient};
use orca_runtime::tls::{ClientAuth, TlsSettings};
use orca_runtime::{App, OrcaConfig, Roles, RunningApp};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

/// A CA, a server certificate for localhost signed by it, and a client certificate, as PEM files.
struct Pki {
    ca: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: String,
    client_key: String,
}

fn make_pki(dir: &Path) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "ORCA test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client_params = CertificateParams::new(vec!["kent-officer".to_owned()]).unwrap();
    client_params.distinguished_name.push(DnType::CommonName, "DC 4471 Sam Patel");
    let client_cert = client_params.signed_by(&client_key, &issuer).unwrap();
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    Pki {
        ca: write("ca.pem", ca_cert.pem()),
        server_cert: write("server.pem", server_cert.pem()),
        server_key: write("server.key", server_key.serialize_pem()),
        client_cert: client_cert.pem(),
        client_key: client_key.serialize_pem(),
    }
}

async fn start(dir: &Path, change: impl FnOnce(&mut OrcaConfig)) -> RunningApp {
    let mut config = OrcaConfig {
        data_dir: dir.join("data"),
        grpc_addr: ([127, 0, 0, 1], 0).into(),
        http_addr: ([127, 0, 0, 1], 0).into(),
        ..OrcaConfig::default()
    };
    change(&mut config);
    config.validate().unwrap();
    App::build(config, Roles::ALL).await.unwrap().start()
}

fn tls_settings(pki: &Pki) -> TlsSettings {
    TlsSettings {
        cert_file: Some(pki.server_cert.clone()),
        key_file: Some(pki.server_key.clone()),
        ..TlsSettings::default()
    }
}

async fn force_key(app: &RunningApp) -> String {
    let auth = Authenticator::new(app.backends().store.clone());
    let request = KeyRequest {
        kind: PrincipalKind::Force,
        subject: "kent".into(),
        holder: "DC 4471 Sam Patel".into(),
        expires_at_ms: None,
    };
    auth.issue(&request).await.unwrap().secret.expose_secret().to_owned()
}

fn list_packages(key: &str) -> tonic::Request<v1::ListPackagesRequest> {
    let mut request =
        tonic::Request::new(v1::ListPackagesRequest { purpose: "triage of new packages".into(), ..Default::default() });
    request.metadata_mut().insert("authorization", format!("Bearer {key}").parse().unwrap());
    request
}

async fn tls_channel(
    app: &RunningApp,
    pki: &Pki,
    identity: Option<Identity>,
) -> Result<Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(std::fs::read(&pki.ca).unwrap()))
        .domain_name("localhost");
    if let Some(identity) = identity {
        tls = tls.identity(identity);
    }
    let port = app.grpc_addr.unwrap().port();
    Channel::from_shared(format!("https://localhost:{port}")).unwrap().tls_config(tls)?.connect().await
}

#[tokio::test]
async fn grpc_and_http_speak_tls_and_plaintext_clients_get_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path());
    let app = start(dir.path(), |config| config.tls = tls_settings(&pki)).await;
    let key = force_key(&app).await;

    let channel = tls_channel(&app, &pki, None).await.unwrap();
    let listed = IntelligenceServiceClient::new(channel).list_packages(list_packages(&key)).await.unwrap();
    assert_eq!(listed.into_inner().packages.len(), 0, "an empty store, read over TLS");

    let plain = Channel::from_shared(format!("http://{}", app.grpc_addr.unwrap())).unwrap().connect().await;
    let refused = match plain {
        Ok(channel) => IntelligenceServiceClient::new(channel).list_packages(list_packages(&key)).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a plaintext gRPC client gets no answer");

    let ca = reqwest::Certificate::from_pem(&std::fs::read(&pki.ca).unwrap()).unwrap();
    let https = reqwest::Client::builder().add_root_certificate(ca).build().unwrap();
    let port = app.http_addr.port();
    let live = https.get(format!("https://localhost:{port}/livez")).send().await.unwrap();
    assert_eq!(live.status(), 200);
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/livez")).await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true), "plain HTTP gets no page");
    app.stop().await.unwrap();
}

#[tokio::test]
async fn force_keys_need_a_client_certificate_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path());
    let app = start(dir.path(), |config| {
        config.tls = TlsSettings {
            client_ca_file: Some(pki.ca.clone()),
            client_auth: ClientAuth::Optional,
            readers_need_client_cert: true,
            ..tls_settings(&pki)
        };
        config.ui.enabled = false;
    })
    .await;
    let key = force_key(&app).await;

    let without = tls_channel(&app, &pki, None).await.unwrap();
    let refused = IntelligenceServiceClient::new(without).list_packages(list_packages(&key)).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::PermissionDenied);
    assert!(refused.message().contains("client certificate"), "{}", refused.message());

    let identity = Identity::from_pem(&pki.client_cert, &pki.client_key);
    let with = tls_channel(&app, &pki, Some(identity)).await.unwrap();
    IntelligenceServiceClient::new(with).list_packages(list_packages(&key)).await.unwrap();

    let audit = app.backends().store.audit(0, 100).await.unwrap();
    let denied = audit.iter().find(|r| r.outcome == "denied").expect("the refusal is audited");
    assert_eq!(denied.principal_kind, "force:kent (DC 4471 Sam Patel)", "the audit names the officer");
    app.stop().await.unwrap();
}

/// Reads until the server closes the connection; the timeout only guards a hung test.
async fn closed_by_server(stream: &mut tokio::net::TcpStream) -> bool {
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

/// A connection that has had one request answered.
async fn admitted(addr: std::net::SocketAddr) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buffer = [0u8; 4096];
    let read = stream.read(&mut buffer).await.unwrap();
    assert!(buffer[..read].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buffer[..read]));
    stream
}

#[tokio::test]
async fn connections_over_the_limit_are_closed_and_slow_headers_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), |config| {
        config.limits.connections.max_connections = 2;
        config.limits.connections.header_read_timeout_ms = 300;
    })
    .await;
    let addr = app.http_addr;
    // Two connections, each answered once (so both hold a slot), then trickle a request that never
    // finishes its headers.
    let mut first = admitted(addr).await;
    let mut second = admitted(addr).await;
    first.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    second.write_all(b"GET /livez HTTP/1.1\r\n").await.unwrap();
    // A third, while both are open, is closed without an answer.
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n").await.ok();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), third.read_to_end(&mut answer)).await;
    assert!(answer.is_empty(), "over the limit: {}", String::from_utf8_lossy(&answer));
    // The slow ones are cut off after the header timeout, which frees their slots.
    assert!(closed_by_server(&mut first).await, "slow headers are cut off");
    assert!(closed_by_server(&mut second).await, "slow headers are cut off");
    let live = reqwest::get(format!("http://{addr}/livez")).await.unwrap();
    assert_eq!(live.status(), 200, "a slot is free again");
    app.stop().await.unwrap();
}
