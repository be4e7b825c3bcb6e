//! `kittentts runtimes install` on the networks users have: an HTTPS index signed by a CA that
//! only `SSL_CERT_FILE` trusts (as behind a TLS-inspecting company proxy), a CONNECT proxy from
//! `HTTPS_PROXY` that records its tunnels, `NO_PROXY`, a refused port and HTTP errors, each
//! told apart in the message. Everything listens on 127.0.0.1.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::{index, kittentts, text};
use kittentts_mockhub::MockHub;

/// A CA minted for this test, and a certificate for 127.0.0.1 signed by it.
struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "kittentts test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server: Arc::new(server),
    }
}

/// A request's head, byte by byte up to its blank line; `None` if the client hangs up first.
fn read_head(stream: &mut impl Read) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(head)
}

/// TLS in front of the mock index: each connection's request goes to `backend`, its answer
/// comes back encrypted. Returns the HTTPS base URL.
fn https_front(backend: String, config: Arc<rustls::ServerConfig>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(tcp) = conn else { continue };
            let (config, backend) = (Arc::clone(&config), backend.clone());
            std::thread::spawn(move || {
                let Ok(server) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(server, tcp);
                // A client that did not trust us hangs up here.
                let Some(head) = read_head(&mut tls) else {
                    return;
                };
                // ureq sends the absolute form (`GET https://host/path`) through a proxy's
                // tunnel; servers take it (RFC 9112 3.2.2), the mock index wants the path.
                let text = String::from_utf8_lossy(&head).into_owned();
                let (line, rest) = text.split_once("\r\n").unwrap_or((&text, ""));
                let mut parts: Vec<&str> = line.split(' ').collect();
                if let Some(target) = parts.get_mut(1)
                    && let Some(after) = target.split_once("://").map(|(_, a)| a)
                {
                    *target = after.find('/').map_or("/", |i| &after[i..]);
                }
                let head = format!("{}\r\n{rest}", parts.join(" ")).into_bytes();
                let Ok(mut up) = TcpStream::connect(backend.trim_start_matches("http://")) else {
                    return;
                };
                let _ = up.write_all(&head);
                let mut answer = Vec::new();
                let _ = up.read_to_end(&mut answer);
                let _ = tls.write_all(&answer);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    url
}

/// A CONNECT proxy that records each tunnel's target.
fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let tunnels = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&tunnels);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { continue };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let Some(head) = read_head(&mut client) else {
                    return;
                };
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or_default();
                if method != "CONNECT" {
                    // Plain HTTP through the proxy: `GET http://host:port/path`, forwarded.
                    let url = parts.next().unwrap_or_default();
                    let after = url.trim_start_matches("http://");
                    let (host, path) = after.split_at(after.find('/').unwrap_or(after.len()));
                    log.lock().unwrap().push(format!("GET {host}"));
                    let host = host.replace("localhost", "127.0.0.1");
                    let Ok(mut up) = TcpStream::connect(&host) else {
                        return;
                    };
                    let text = String::from_utf8_lossy(&head).into_owned();
                    let rest = text.split_once("\r\n").map_or("", |(_, r)| r);
                    let _ = write!(
                        up,
                        "{method} {} HTTP/1.1\r\n{rest}",
                        if path.is_empty() { "/" } else { path }
                    );
                    let _ = std::io::copy(&mut up, &mut client);
                    return;
                }
                let target = parts.next().unwrap_or_default().to_owned();
                log.lock().unwrap().push(target.clone());
                let Ok(upstream) = TcpStream::connect(&target) else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let (mut c1, mut u1) = (client, upstream);
                let up = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c1, &mut u1);
                    let _ = u1.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut u2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Write);
                let _ = up.join();
            });
        }
    });
    (url, tunnels)
}

fn install(home: &Path, index_url: &str, dir: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let mut c = kittentts(home);
    c.args(["runtimes", "install", "--index-url", index_url, "--dir"])
        .arg(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (out.status.success(), text(&out).1)
}

struct Setup {
    _hub: MockHub,
    home: tempfile::TempDir,
    https: String,
    ca_file: PathBuf,
}

fn setup() -> Setup {
    let hub = index();
    let pki = pki();
    let home = tempfile::tempdir().unwrap();
    let ca_file = home.path().join("company-ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let https = https_front(hub.url().to_owned(), pki.server);
    Setup {
        _hub: hub,
        home,
        https,
        ca_file,
    }
}

#[test]
fn an_https_index_is_trusted_through_ssl_cert_file_only() {
    let s = setup();
    let index_url = format!("{}/simple", s.https);
    // Without the CA: a TLS failure, named as one, with the variable that fixes it.
    let (ok, err) = install(s.home.path(), &index_url, &s.home.path().join("a"), &[]);
    assert!(!ok);
    assert!(
        err.contains("could not connect") && err.contains("(TLS)"),
        "{err}"
    );
    assert!(
        err.contains("SSL_CERT_FILE") && err.contains("trust store"),
        "{err}"
    );
    assert!(
        !err.contains("has no"),
        "not reported as a missing wheel: {err}"
    );
    // With it: installed, and the libraries are there.
    let ca = s.ca_file.to_str().unwrap();
    let dir = s.home.path().join("b");
    let (ok, err) = install(s.home.path(), &index_url, &dir, &[("SSL_CERT_FILE", ca)]);
    assert!(ok, "{err}");
    assert!(dir.join("onnxruntime/libonnxruntime.so").is_file());
    // A folder of certificates works as well.
    let certs = s.home.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::copy(&s.ca_file, certs.join("company.pem")).unwrap();
    let (ok, err) = install(
        s.home.path(),
        &index_url,
        &s.home.path().join("c"),
        &[("SSL_CERT_DIR", certs.to_str().unwrap())],
    );
    assert!(ok, "{err}");
}

#[test]
fn proxies_from_the_environment_and_no_proxy() {
    let s = setup();
    let index_url = format!("{}/simple", s.https);
    let ca = s.ca_file.to_str().unwrap();
    let target = s.https.trim_start_matches("https://").to_owned();
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let (proxy, tunnels) = connect_proxy();
        let dir = s.home.path().join(var);
        let (ok, err) = install(
            s.home.path(),
            &index_url,
            &dir,
            &[("SSL_CERT_FILE", ca), (var, &proxy)],
        );
        assert!(ok, "{var}: {err}");
        let made = tunnels.lock().unwrap().clone();
        // Two project pages and two wheels, each through the proxy to the index.
        assert_eq!(made.len(), 4, "{var}: {made:?}");
        assert!(made.iter().all(|t| *t == target), "{made:?}");
    }
    // NO_PROXY names the index: no tunnel.
    let (proxy, tunnels) = connect_proxy();
    let (ok, err) = install(
        s.home.path(),
        &index_url,
        &s.home.path().join("direct"),
        &[
            ("SSL_CERT_FILE", ca),
            ("HTTPS_PROXY", &proxy),
            ("NO_PROXY", "localhost,127.0.0.1"),
        ],
    );
    assert!(ok, "{err}");
    assert!(tunnels.lock().unwrap().is_empty());
    // A proxy that is not there: a proxy failure, not a missing wheel.
    let (ok, err) = install(
        s.home.path(),
        &index_url,
        &s.home.path().join("noproxy"),
        &[("SSL_CERT_FILE", ca), ("HTTPS_PROXY", "http://127.0.0.1:1")],
    );
    assert!(
        !ok && err.contains("could not connect") && err.contains("HTTPS_PROXY"),
        "{err}"
    );
}

#[test]
fn refused_ports_http_statuses_and_missing_wheels_are_told_apart() {
    let home = tempfile::tempdir().unwrap();
    let (ok, err) = install(
        home.path(),
        "http://127.0.0.1:1/simple",
        &home.path().join("a"),
        &[],
    );
    assert!(
        !ok && err.contains("could not connect") && err.contains("refused"),
        "{err}"
    );
    assert!(!err.contains("has no"), "{err}");
    // An index without the project: its 404 is an HTTP status.
    let empty = MockHub::builder().start().unwrap();
    let (ok, err) = install(
        home.path(),
        &format!("{}/simple", empty.url()),
        &home.path().join("b"),
        &[],
    );
    assert!(!ok && err.contains("HTTP status 404"), "{err}");
    // A project page that does not list the wheel: the index has no such wheel.
    let listing = MockHub::builder()
        .canned(
            "/simple/onnxruntime/",
            200,
            &[("Content-Type", "text/html")],
            b"<html><a href=\"x.whl\">x.whl</a></html>",
        )
        .start()
        .unwrap();
    let (ok, err) = install(
        home.path(),
        &format!("{}/simple", listing.url()),
        &home.path().join("c"),
        &[],
    );
    assert!(!ok && err.contains("has no onnxruntime-1.32.0"), "{err}");
}

#[test]
fn hub_downloads_trust_ssl_cert_file_and_go_through_the_proxy() {
    let hub = MockHub::builder()
        .files_from_dir("KittenML/kitten-tts-fixture", &common::fixture())
        .unwrap()
        .start()
        .unwrap();
    let pki = pki();
    let home = tempfile::tempdir().unwrap();
    let ca_file = home.path().join("company-ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let https = https_front(hub.url().to_owned(), pki.server);
    let say = |cache: &str, env: &[(&str, &str)]| {
        let mut c = kittentts(home.path());
        c.args(["say", "--model", "KittenML/kitten-tts-fixture", "--out"])
            .arg(home.path().join(format!("{cache}.wav")))
            .arg("Hello through the company network.")
            .env("HF_ENDPOINT", &https)
            .env("HF_HOME", home.path().join(cache))
            .env_remove("HF_HUB_OFFLINE")
            .env_remove("HF_TOKEN");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (out.status.success(), text(&out).1)
    };
    let (ok, err) = say("untrusted", &[]);
    assert!(
        !ok && err.contains("no HTTP answer") && err.contains("SSL_CERT_FILE"),
        "{err}"
    );
    assert!(err.to_ascii_lowercase().contains("certificate"), "{err}");
    let ca = ca_file.to_str().unwrap();
    let (ok, err) = say("trusted", &[("SSL_CERT_FILE", ca)]);
    assert!(ok, "{err}");
    let (proxy, tunnels) = connect_proxy();
    let (ok, err) = say("proxied", &[("SSL_CERT_FILE", ca), ("HTTPS_PROXY", &proxy)]);
    assert!(ok, "{err}");
    let target = https.trim_start_matches("https://").to_owned();
    let made = tunnels.lock().unwrap().clone();
    // NO_PROXY names the hub: straight there, no tunnel.
    let (proxy, direct) = connect_proxy();
    let (ok, err) = say(
        "direct",
        &[
            ("SSL_CERT_FILE", ca),
            ("HTTPS_PROXY", &proxy),
            ("HTTP_PROXY", &proxy),
            ("NO_PROXY", "127.0.0.1,localhost"),
        ],
    );
    assert!(ok, "{err}");
    assert!(direct.lock().unwrap().is_empty());
    // The hub's API through a tunnel; its plain-HTTP file host (the mock's LFS) forwarded.
    assert!(made.contains(&target), "{made:?}");
    assert!(
        made.iter().all(|t| *t == target || t.starts_with("GET ")),
        "{made:?}"
    );
}
