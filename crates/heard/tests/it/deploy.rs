//! What an operator copies from `deploy/`: the systemd unit's command line, run as written (paths
//! and ports put right for the test), behind nginx with the site file as written (its ports,
//! certificate and upstream put right), answering over HTTPS with secure cookies and HSTS.

use std::path::Path;
use std::process::Command;

use heard_store::testing::temp_dir;

use crate::nginx::{Nginx, free_port};
use crate::{Server, manifest_dir};

/// The words of the unit's `ExecStart`, its continuation lines joined and double quotes read as a
/// shell (and systemd) reads them.
fn exec_start(unit: &str) -> Vec<String> {
    let mut line = String::new();
    let mut lines = unit.lines().skip_while(|l| !l.starts_with("ExecStart="));
    for l in lines.by_ref() {
        let l = l.trim_start_matches("ExecStart=");
        match l.strip_suffix('\\') {
            Some(rest) => line.push_str(rest),
            None => {
                line.push_str(l);
                break;
            }
        }
    }
    assert!(!line.is_empty(), "the unit has an ExecStart");
    let (mut words, mut word, mut quoted, mut started) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-D", "-"])
        .args(args)
        .output()
        .expect("run curl");
    assert!(out.status.success(), "curl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_deploy_unit_and_nginx_site_serve_heard_over_https() {
    let root = manifest_dir().join("../..");
    let unit = std::fs::read_to_string(root.join("deploy/heard.service")).unwrap();
    let site = std::fs::read_to_string(root.join("deploy/nginx-heard.conf")).unwrap();
    let dir = temp_dir("deploy");

    // The unit's command, with the test's binary, data directory and port.
    let words = exec_start(&unit);
    assert_eq!(words[0], "/usr/local/bin/heard");
    let port = free_port();
    let data = dir.join("data");
    let args: Vec<String> = words[1..]
        .iter()
        .map(|w| match w.as_str() {
            "/var/lib/heard" => data.display().to_string(),
            "127.0.0.1:8080" => format!("127.0.0.1:{port}"),
            _ => w.clone(),
        })
        .collect();
    for flag in ["--secure-cookies", "--trust-forwarded-for", "--public-url", "--smtp-url", "--mail-from"] {
        assert!(args.iter().any(|a| a == flag), "the unit sets {flag}");
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let heard = Server::start_exactly(&args, Some(&dir.join("heard.log")));
    assert_eq!(heard.authority(), format!("127.0.0.1:{port}"));

    // The site, with a certificate of its own and loopback ports.
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=consult.example.org",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let (http_port, https_port) = (free_port(), free_port());
    let site = site
        .lines()
        .filter(|l| !l.trim_start().starts_with("listen [::]"))
        .map(|l| {
            l.replace("listen 80;", &format!("listen 127.0.0.1:{http_port};"))
                .replace("listen 443 ssl", &format!("listen 127.0.0.1:{https_port} ssl"))
                .replace("/etc/letsencrypt/live/consult.example.org/fullchain.pem", &path(&cert))
                .replace("/etc/letsencrypt/live/consult.example.org/privkey.pem", &path(&key))
                .replace("server 127.0.0.1:8080", &format!("server 127.0.0.1:{port}"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let _nginx = Nginx::start(https_port, &site);

    let resolve = format!("consult.example.org:{https_port}:127.0.0.1");
    let base = format!("https://consult.example.org:{https_port}");
    let login = curl(&["-k", "--resolve", &resolve, &format!("{base}/login")]);
    let (head, body) = login.split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200") || head.starts_with("http/2 200"), "{head}");
    assert!(body.contains("Sign in"), "{body}");
    assert!(head.contains("strict-transport-security: max-age="), "HSTS, since cookies are secure: {head}");
    let cookie = head.lines().find(|l| l.starts_with("set-cookie: heard_form=")).expect("a form cookie");
    assert!(cookie.contains("secure"), "{cookie}");
    assert_eq!(
        curl(&["-k", "--resolve", &resolve, &format!("{base}/readyz")]).split("\r\n\r\n").nth(1),
        Some("ready")
    );
    // Plain HTTP is sent to HTTPS.
    let plain = curl(&["-H", "Host: consult.example.org", &format!("http://127.0.0.1:{http_port}/login")]);
    assert!(plain.starts_with("HTTP/1.1 301"), "{plain}");
    assert!(plain.contains("Location: https://consult.example.org/login"), "{plain}");
    drop(heard);
}

fn path(p: &Path) -> String {
    p.display().to_string()
}
