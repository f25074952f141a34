//! `kiln serve --tls`: a development certificate made on first start and kept in the data
//! folder (`tls/`), so the official SDKs connect with their normal TLS settings once its
//! authority is trusted (`NODE_EXTRA_CA_CERTS`, `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`,
//! `SSL_CERT_FILE`, or the system's store).
//!
//! Made with rcgen: a development certificate authority (`ca.pem`) and a server certificate
//! it signs for `localhost`, `127.0.0.1` and `::1` (`cert.pem`, its key in `key.pem`, readable
//! by the owner only). The authority's own key is never written: trusting `ca.pem` trusts
//! this one server certificate and nothing anyone could sign later.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// The development certificate's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevCertificate {
    /// The certificate authority to trust (PEM).
    pub ca: PathBuf,
    /// The server's certificate (PEM).
    pub cert: PathBuf,
    /// The server's private key (PEM).
    pub key: PathBuf,
    /// Whether it was made now (first start) rather than found.
    pub made: bool,
}

impl DevCertificate {
    /// The server's identity for tonic.
    pub fn identity(&self) -> std::io::Result<tonic::transport::Identity> {
        Ok(tonic::transport::Identity::from_pem(
            std::fs::read(&self.cert)?,
            std::fs::read(&self.key)?,
        ))
    }

    /// How to trust it, for people: one line per client.
    pub fn trust_commands(&self) -> Vec<String> {
        let ca = self.ca.display();
        vec![
            format!("Node (official SDK, grpc-js, connect-es): export NODE_EXTRA_CA_CERTS={ca}"),
            format!("Python (yandexcloud, grpcio): export GRPC_DEFAULT_SSL_ROOTS_FILE_PATH={ca}"),
            format!(
                "Go SDK, Terraform, grpcurl: export SSL_CERT_FILE={ca}  (grpcurl also: -cacert {ca})"
            ),
            format!(
                "Debian/Ubuntu system store: sudo cp {ca} /usr/local/share/ca-certificates/kiln-dev.crt && sudo update-ca-certificates"
            ),
        ]
    }
}

/// Why the development certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The `tls` folder could not be created.
    #[error("cannot create {}: {error}", .path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// rcgen could not make the authority or the certificate.
    #[error("cannot make the development certificate: {0}")]
    Make(rcgen::Error),
    /// A file could not be written.
    #[error("cannot write {}: {error}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
}

/// The development certificate in `data_dir/tls`, made when it is not there.
pub fn dev_certificate(data_dir: &Path) -> Result<DevCertificate, TlsError> {
    let dir = data_dir.join("tls");
    let found = DevCertificate {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        made: false,
    };
    if found.ca.is_file() && found.cert.is_file() && found.key.is_file() {
        return Ok(found);
    }
    std::fs::create_dir_all(&dir).map_err(|error| TlsError::CreateDir {
        path: dir.clone(),
        error,
    })?;
    let (ca, cert, key) = make().map_err(TlsError::Make)?;
    let written = |path: &Path| {
        let path = path.to_owned();
        move |error| TlsError::Write { path, error }
    };
    let write = |path: &Path, text: &str| std::fs::write(path, text).map_err(written(path));
    write_private(&found.key, &key).map_err(written(&found.key))?;
    write(&found.cert, &cert)?;
    write(&found.ca, &ca)?;
    Ok(DevCertificate {
        made: true,
        ..found
    })
}

/// Writes `text` into a new file at `path` readable by its owner only (from the start).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// A new authority, and a server certificate it signed: `(ca.pem, cert.pem, key.pem)`.
fn make() -> Result<(String, String, String), rcgen::Error> {
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(DnType::CommonName, "Kiln development CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);
    let mut server = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])?;
    server
        .distinguished_name
        .push(DnType::CommonName, "kiln serve (development)");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let server_key = KeyPair::generate()?;
    let server_cert = server.signed_by(&server_key, &issuer)?;
    Ok((
        ca_cert.pem(),
        // The chain: the server's certificate, then the authority's.
        [server_cert.pem(), ca_cert.pem()].concat(),
        server_key.serialize_pem(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_is_made_once_and_its_key_is_private() {
        let dir = std::env::temp_dir().join(format!("kiln-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = dev_certificate(&dir).unwrap();
        assert!(first.made);
        let again = dev_certificate(&dir).unwrap();
        assert!(!again.made);
        assert_eq!(
            std::fs::read(&first.cert).unwrap(),
            std::fs::read(&again.cert).unwrap()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        let key = std::fs::read_to_string(&first.key).unwrap();
        assert!(key.contains("PRIVATE KEY"));
        assert!(
            !std::fs::read_to_string(&first.ca)
                .unwrap()
                .contains("PRIVATE")
        );
        assert!(first.identity().is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
