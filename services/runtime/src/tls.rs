//! TLS for ORCA's gRPC and HTTP listeners (rustls with the ring provider), and the rule that
//! keeps plaintext to loopback unless someone opts in.
//!
//! With `tls.cert_file` and `tls.key_file` both listeners speak TLS only. `tls.client_ca_file`
//! lets clients present certificates signed by that CA; `tls.client_auth = "required"` makes every
//! client present one, and `tls.readers_need_client_cert` makes force and analyst keys work only
//! on gRPC connections that presented one (retailers' feeds need only their key).

use anyhow::{Context, Result};
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Whether clients present certificates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuth {
    /// No client certificates are asked for.
    #[default]
    None,
    /// Clients may present one signed by `client_ca_file` (checked when presented).
    Optional,
    /// Every client must present one signed by `client_ca_file`.
    Required,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM certificate chain served on the gRPC and HTTP listeners.
    pub cert_file: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of that certificate.
    pub key_file: Option<PathBuf>,
    /// PEM CA certificates that sign client certificates.
    pub client_ca_file: Option<PathBuf>,
    pub client_auth: ClientAuth,
    /// Force and analyst keys are accepted on gRPC only with a client certificate.
    pub readers_need_client_cert: bool,
    /// Serve plaintext on an address other than loopback (behind a proxy that terminates TLS).
    pub allow_plaintext: bool,
}

impl TlsSettings {
    pub fn enabled(&self) -> bool {
        self.cert_file.is_some()
    }

    /// Problems with the settings themselves and with plaintext listeners that are reachable
    /// from other machines.
    pub fn problem(&self, listeners: &[(&str, SocketAddr)]) -> Option<String> {
        if self.cert_file.is_some() != self.key_file.is_some() {
            return Some("`tls.cert_file` and `tls.key_file` go together: give both or neither".to_owned());
        }
        if self.client_auth != ClientAuth::None && self.client_ca_file.is_none() {
            return Some("`tls.client_auth` needs `tls.client_ca_file` (the CA that signs client certificates)".into());
        }
        if self.readers_need_client_cert && self.client_auth == ClientAuth::None {
            return Some(
                "`tls.readers_need_client_cert` needs `tls.client_auth = \"optional\"` or `\"required\"`".into(),
            );
        }
        if !self.enabled() && !self.allow_plaintext {
            for (name, addr) in listeners {
                if !addr.ip().is_loopback() {
                    return Some(format!(
                        "{name} would listen without TLS on {addr}, which other machines can reach: give \
                         `tls.cert_file` and `tls.key_file`, or set `tls.allow_plaintext = true` if a proxy in \
                         front terminates TLS"
                    ));
                }
            }
        }
        None
    }

    /// The server configuration for both listeners, or `None` without TLS.
    pub fn server_config(&self) -> Result<Option<ServerTls>> {
        let (Some(cert_file), Some(key_file)) = (&self.cert_file, &self.key_file) else {
            return Ok(None);
        };
        let cert_pem = read(cert_file, "tls.cert_file")?;
        let key_pem = read(key_file, "tls.key_file")?;
        let certs = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("`tls.cert_file` `{}` is not PEM certificates", cert_file.display()))?;
        anyhow::ensure!(!certs.is_empty(), "`tls.cert_file` `{}` holds no certificate", cert_file.display());
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .with_context(|| format!("`tls.key_file` `{}` is not a PEM private key", key_file.display()))?;
        // ring, not aws-lc-rs: no C and cmake toolchain to build; it lacks post-quantum key exchange,
        // for which rustls 0.23.48 deprecates it.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?;
        let mut tonic_tls = tonic::transport::ServerTlsConfig::new()
            .identity(tonic::transport::Identity::from_pem(&cert_pem, &key_pem));
        let builder = match (&self.client_ca_file, self.client_auth) {
            (Some(ca_file), auth) if auth != ClientAuth::None => {
                let ca_pem = read(ca_file, "tls.client_ca_file")?;
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(&ca_pem) {
                    let cert =
                        cert.with_context(|| format!("`tls.client_ca_file` `{}` is not PEM", ca_file.display()))?;
                    roots.add(cert).context("adding a client CA certificate")?;
                }
                let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
                let verifier = if auth == ClientAuth::Optional { verifier.allow_unauthenticated() } else { verifier };
                tonic_tls = tonic_tls
                    .client_ca_root(tonic::transport::Certificate::from_pem(&ca_pem))
                    .client_auth_optional(auth == ClientAuth::Optional);
                builder.with_client_cert_verifier(verifier.build().context("client certificate verifier")?)
            }
            _ => builder.with_no_client_auth(),
        };
        let mut http = builder.with_single_cert(certs, key).context("the TLS certificate and key do not match")?;
        http.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Some(ServerTls { http: Arc::new(http), grpc: tonic_tls }))
    }
}

/// TLS for the HTTP listener (rustls) and the gRPC one (tonic's, from the same files).
#[derive(Clone)]
pub struct ServerTls {
    pub http: Arc<rustls::ServerConfig>,
    pub grpc: tonic::transport::ServerTlsConfig,
}

fn read(path: &Path, setting: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading `{setting}` `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn plaintext_stays_on_loopback_unless_someone_opts_in() {
        let plain = TlsSettings::default();
        assert_eq!(plain.problem(&[("gRPC", addr("127.0.0.1:50051")), ("HTTP", addr("[::1]:8080"))]), None);
        let problem = plain.problem(&[("gRPC", addr("0.0.0.0:50051"))]).unwrap();
        assert!(problem.starts_with("gRPC would listen without TLS on 0.0.0.0:50051"), "{problem}");
        let proxied = TlsSettings { allow_plaintext: true, ..TlsSettings::default() };
        assert_eq!(proxied.problem(&[("gRPC", addr("0.0.0.0:50051"))]), None);
    }

    #[test]
    fn half_settings_are_refused() {
        let half = TlsSettings { cert_file: Some("c.pem".into()), ..TlsSettings::default() };
        assert!(half.problem(&[]).unwrap().contains("go together"));
        let no_ca = TlsSettings { client_auth: ClientAuth::Required, ..TlsSettings::default() };
        assert!(no_ca.problem(&[]).unwrap().contains("client_ca_file"));
        let readers = TlsSettings { readers_need_client_cert: true, ..TlsSettings::default() };
        assert!(readers.problem(&[]).unwrap().contains("readers_need_client_cert"));
    }

    #[test]
    fn unreadable_or_mismatched_files_say_which() {
        let dir = tempfile::tempdir().unwrap();
        let missing = TlsSettings {
            cert_file: Some(dir.path().join("none.pem")),
            key_file: Some(dir.path().join("none.key")),
            ..TlsSettings::default()
        };
        let error = format!("{:#}", missing.server_config().err().unwrap());
        assert!(error.contains("reading `tls.cert_file`"), "{error}");
        let one = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        std::fs::write(dir.path().join("c.pem"), one.cert.pem()).unwrap();
        std::fs::write(dir.path().join("k.pem"), other.signing_key.serialize_pem()).unwrap();
        let mismatched = TlsSettings {
            cert_file: Some(dir.path().join("c.pem")),
            key_file: Some(dir.path().join("k.pem")),
            ..TlsSettings::default()
        };
        let error = format!("{:#}", mismatched.server_config().err().unwrap());
        assert!(error.contains("do not match"), "{error}");
    }
}
