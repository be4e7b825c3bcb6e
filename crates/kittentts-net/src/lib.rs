//! The HTTP client that KittenTTS's downloads share (the runtime installer and the model hub):
//! TLS verified against the OS trust store plus `SSL_CERT_FILE` and `SSL_CERT_DIR` (the
//! built-in Mozilla roots only when those give nothing), proxies from the usual variables
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, also lowercase), and errors that tell
//! a failed connection from an HTTP status.
//!
//! ```
//! let (agent, proxy) = kittentts_net::agent_for("https://pypi.org/simple/", &Default::default())?;
//! # let _ = (agent, proxy);
//! # Ok::<(), kittentts_net::ConnectError>(())
//! ```
#![deny(missing_docs)]

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

/// Where the trusted roots came from, for messages.
#[derive(Debug, Clone)]
struct Roots {
    /// The TLS configuration (an error only if the TLS library refuses its own defaults).
    config: Result<Arc<rustls::ClientConfig>, String>,
    /// A description: "the system's trust store (146 certificates) and SSL_CERT_FILE …".
    described: String,
}

/// The roots, loaded once per process.
fn roots() -> &'static Roots {
    static ROOTS: OnceLock<Roots> = OnceLock::new();
    ROOTS.get_or_init(load_roots)
}

fn load_roots() -> Roots {
    let mut store = RootCertStore::empty();
    let mut parts = Vec::new();
    // rustls-native-certs reads `SSL_CERT_FILE` / `SSL_CERT_DIR` when either is set, and the
    // system's store only when neither is.
    let vars: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .filter_map(|var| {
            let value = std::env::var_os(var).filter(|v| !v.is_empty())?;
            Some(format!("{var}={}", value.to_string_lossy()))
        })
        .collect();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::debug!(error = %e, "a trust store entry could not be read");
    }
    let (added, _) = store.add_parsable_certificates(native.certs);
    if vars.is_empty() {
        if added > 0 {
            parts.push(format!("the system's trust store ({added} certificates)"));
        }
    } else {
        parts.push(format!("{} ({added} certificates)", vars.join(", ")));
        // The system's bundle (as OpenSSL finds it) is wanted beside them.
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            let probe = openssl_probe::probe();
            let mut certs: Vec<_> = probe.cert_file.iter().flat_map(|f| pem_certs(f)).collect();
            for dir in &probe.cert_dir {
                if let Ok(entries) = std::fs::read_dir(dir) {
                    for entry in entries.flatten() {
                        let path = entry.path();
                        // The hashed links beside the files name the same certificates.
                        if path.extension().is_some_and(|e| e == "pem" || e == "crt") {
                            certs.extend(pem_certs(&path));
                        }
                    }
                }
            }
            let (system, _) = store.add_parsable_certificates(certs);
            if system > 0 {
                parts.push(format!("the system's trust store ({system} certificates)"));
            }
        }
    }
    if store.is_empty() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        parts.push("the built-in Mozilla roots (no system trust store was found)".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|b| Arc::new(b.with_root_certificates(store).with_no_client_auth()))
        .map_err(|e| format!("TLS cannot be set up: {e}"));
    Roots {
        config,
        described: parts.join(" and "),
    }
}

/// The certificates of a PEM file (none when it cannot be read).
fn pem_certs(path: &Path) -> Vec<CertificateDer<'static>> {
    match CertificateDer::pem_file_iter(path) {
        Ok(iter) => iter.filter_map(Result::ok).collect(),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "cannot read certificates");
            Vec::new()
        }
    }
}

/// The proxy for `url` from the environment as curl and pip read it: `NO_PROXY` first (a
/// comma list of hosts, domains — `example.com` and `.example.com` both match its subdomains
/// — IP addresses, or `*`), then `HTTPS_PROXY` for https or `HTTP_PROXY` for http, then
/// `ALL_PROXY`; each name in capitals or lowercase.
pub fn proxy_from_env(url: &str) -> Option<String> {
    proxy_for(url, |name| {
        std::env::var(name)
            .ok()
            .or_else(|| std::env::var(name.to_ascii_lowercase()).ok())
            .filter(|v| !v.trim().is_empty())
    })
}

/// [`proxy_from_env`] over any variable source (`var("NO_PROXY")` and the rest, capitals).
pub fn proxy_for(url: &str, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    }
    .to_ascii_lowercase();
    if let Some(list) = var("NO_PROXY") {
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                return None;
            }
            let entry = entry.to_ascii_lowercase();
            let entry = entry
                .strip_prefix("*.")
                .or_else(|| entry.strip_prefix('.'))
                .unwrap_or(&entry);
            // `host:port` entries match the host.
            let entry = if entry.contains(']') || entry.matches(':').count() > 1 {
                entry
                    .trim_start_matches('[')
                    .split(']')
                    .next()
                    .unwrap_or(entry)
            } else {
                entry.split(':').next().unwrap_or(entry)
            };
            if host == entry || host.ends_with(&format!(".{entry}")) {
                return None;
            }
        }
    }
    let specific = match scheme.to_ascii_lowercase().as_str() {
        "https" => var("HTTPS_PROXY"),
        "http" => var("HTTP_PROXY"),
        _ => None,
    };
    specific.or_else(|| var("ALL_PROXY")).map(|p| {
        // A bare `host:port` is an HTTP proxy, as curl takes it.
        if p.contains("://") {
            p
        } else {
            format!("http://{p}")
        }
    })
}

/// How [`agent_for`] sets up a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentOptions {
    /// Follow redirects (up to 5); `false` returns a 3xx as it is.
    pub redirects: bool,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer (a stalled server fails after it).
    pub read_timeout: Duration,
}

impl Default for AgentOptions {
    fn default() -> Self {
        Self {
            redirects: true,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
        }
    }
}

/// The client for one URL (the roots, its proxy, time limits), and the proxy it goes through.
///
/// # Errors
/// A [`ConnectError`] when TLS cannot be set up or the proxy variable is not a usable URL.
pub fn agent_for(
    url: &str,
    options: &AgentOptions,
) -> Result<(ureq::Agent, Option<String>), ConnectError> {
    let tls = roots().config.clone().map_err(|detail| ConnectError {
        kind: ConnectKind::Tls,
        detail,
    })?;
    let mut builder = ureq::AgentBuilder::new()
        .tls_config(tls)
        .timeout_connect(options.connect_timeout)
        .timeout_read(options.read_timeout)
        .redirects(if options.redirects { 5 } else { 0 });
    let proxy = proxy_from_env(url);
    if let Some(proxy) = &proxy {
        let parsed = ureq::Proxy::new(proxy).map_err(|e| ConnectError {
            kind: ConnectKind::Proxy,
            detail: format!("the proxy {proxy:?} cannot be used: {e}"),
        })?;
        tracing::debug!(url, proxy, "through a proxy");
        builder = builder.proxy(parsed);
    }
    Ok((builder.build(), proxy))
}

/// Resolves `href` (absolute, `/path` or relative with `..`) against the page URL it came from,
/// as a browser does.
pub fn join_url(page: &str, href: &str) -> String {
    if href.contains("://") {
        return href.to_owned();
    }
    let origin_end = page
        .find("://")
        .and_then(|i| page[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(page.len());
    if href.starts_with('/') {
        return format!("{}{href}", &page[..origin_end]);
    }
    let base = &page[..page.rfind('/').map_or(page.len(), |i| i + 1)];
    let mut parts: Vec<&str> = base[origin_end..].split('/').collect();
    parts.pop(); // the empty piece after the last '/'
    for piece in href.split('/') {
        match piece {
            ".." => {
                parts.pop();
            }
            "." => {}
            p => parts.push(p),
        }
    }
    format!("{}{}", &page[..origin_end], parts.join("/"))
}

/// Where [`copy_reporting`] failed.
#[derive(Debug)]
pub enum CopyError {
    /// Reading the answer failed (a cut or stalled connection).
    Read(std::io::Error),
    /// Writing the file failed.
    Write(std::io::Error),
}

/// Copies an answer's body into `out`, calling `report` with the bytes so far (counted from
/// `done`, what `out` already held) after each write; returns that count at the end.
///
/// # Errors
/// [`CopyError`] saying which side failed.
pub fn copy_reporting(
    reader: &mut dyn std::io::Read,
    out: &mut dyn std::io::Write,
    mut done: u64,
    report: &mut dyn FnMut(u64),
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(done),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        out.write_all(&buf[..n]).map_err(CopyError::Write)?;
        done += n as u64;
        report(done);
    }
}

/// Why a connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectKind {
    /// The server's certificate was not trusted, or the TLS handshake failed.
    Tls,
    /// The host name did not resolve.
    Dns,
    /// Nothing listens there (refused), or it did not answer in time.
    Refused,
    /// The proxy refused, failed or could not be reached.
    Proxy,
    /// Another transport failure (a reset, a cut connection).
    Other,
}

/// A request that got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    /// Why.
    pub kind: ConnectKind,
    /// The transport's words, with a hint for TLS failures.
    pub detail: String,
}

/// What one request gave instead of a response.
#[derive(Debug)]
pub enum Failure {
    /// No HTTP answer.
    Connect(ConnectError),
    /// An HTTP answer with this error status, and the answer.
    Status(u16, Box<ureq::Response>),
}

impl Failure {
    /// Sorts a ureq error; `proxy`: the proxy the request went through, if any (a refused connection is then
    /// the proxy's).
    pub fn from_ureq(e: ureq::Error, proxy: Option<&str>) -> Self {
        match e {
            ureq::Error::Status(code, response) => Self::Status(code, Box::new(response)),
            ureq::Error::Transport(t) => Self::Connect(classify(&t, proxy)),
        }
    }
}

/// A transport failure as a [`ConnectError`] (`proxy`: the proxy in use, if any).
pub fn classify(t: &ureq::Transport, proxy: Option<&str>) -> ConnectError {
    use ureq::ErrorKind as K;
    let text = t.to_string();
    let lower = text.to_ascii_lowercase();
    let kind = match t.kind() {
        K::Dns => ConnectKind::Dns,
        K::ProxyConnect | K::ProxyUnauthorized | K::InvalidProxyUrl => ConnectKind::Proxy,
        _ if lower.contains("tls")
            || lower.contains("certificate")
            || lower.contains("handshake") =>
        {
            ConnectKind::Tls
        }
        K::ConnectionFailed if lower.contains("proxy") || proxy.is_some() => ConnectKind::Proxy,
        K::ConnectionFailed => ConnectKind::Refused,
        _ => ConnectKind::Other,
    };
    let detail = match kind {
        ConnectKind::Tls => format!(
            "{text}. The server's certificate is not trusted by {}. If a company proxy or CA signs it, add that CA to the system's trust store or point SSL_CERT_FILE (a PEM file) or SSL_CERT_DIR at it",
            roots().described
        ),
        ConnectKind::Proxy => format!(
            "{text} (through the proxy {}). Check HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (and NO_PROXY for hosts to reach directly)",
            proxy.unwrap_or("named by the environment")
        ),
        _ => text,
    };
    ConnectError { kind, detail }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failure: {}", self.kind, self.detail)
    }
}

impl std::error::Error for ConnectError {}

impl std::fmt::Display for ConnectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Tls => "TLS",
            Self::Dns => "DNS",
            Self::Refused => "refused or unreachable",
            Self::Proxy => "proxy",
            Self::Other => "transport",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn urls_join_like_a_browser() {
        let page = "http://127.0.0.1:80/simple/onnxruntime/";
        assert_eq!(
            join_url(page, "https://files.example/x.whl"),
            "https://files.example/x.whl"
        );
        assert_eq!(
            join_url(page, "/files/x.whl"),
            "http://127.0.0.1:80/files/x.whl"
        );
        assert_eq!(
            join_url(page, "../../files/x.whl"),
            "http://127.0.0.1:80/files/x.whl"
        );
        assert_eq!(
            join_url(page, "x.whl"),
            "http://127.0.0.1:80/simple/onnxruntime/x.whl"
        );
    }

    #[test]
    fn the_proxy_follows_the_scheme_then_all_proxy() {
        let env = [
            ("HTTPS_PROXY", "http://secure:3128"),
            ("HTTP_PROXY", "plain:8080"),
            ("ALL_PROXY", "socks5://all:1080"),
        ];
        assert_eq!(
            proxy_for("https://pypi.org/simple/x/", vars(&env)).as_deref(),
            Some("http://secure:3128")
        );
        assert_eq!(
            proxy_for("http://pypi.org/simple/x/", vars(&env)).as_deref(),
            Some("http://plain:8080")
        );
        let only_all = [("ALL_PROXY", "socks5://all:1080")];
        assert_eq!(
            proxy_for("https://pypi.org/", vars(&only_all)).as_deref(),
            Some("socks5://all:1080")
        );
        assert_eq!(proxy_for("https://pypi.org/", vars(&[])), None);
    }

    #[test]
    fn no_proxy_matches_hosts_domains_ips_and_star() {
        let with = |no: &'static str| [("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", no)];
        for (no, url, direct) in [
            ("pypi.org", "https://pypi.org/simple/", true),
            ("pypi.org", "https://files.pypi.org/x", true),
            (".pypi.org", "https://files.pypi.org/x", true),
            ("*.pypi.org", "https://files.pypi.org/x", true),
            ("pypi.org", "https://notpypi.org/", false),
            (
                "localhost, 127.0.0.1",
                "https://127.0.0.1:8443/simple",
                true,
            ),
            ("127.0.0.1:8443", "https://127.0.0.1:8443/simple", true),
            ("*", "https://anything.example/", true),
            ("example.com", "https://user:pw@example.com:8080/x", true),
            ("::1", "https://[::1]:8443/x", true),
            ("", "https://pypi.org/", false),
        ] {
            let env = with(no);
            assert_eq!(proxy_for(url, vars(&env)).is_none(), direct, "{no} {url}");
        }
    }
}
