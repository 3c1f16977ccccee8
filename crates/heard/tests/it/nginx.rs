//! Debian's nginx, started by a test as the balancer or reverse proxy in front of `heard serve`:
//! a throw-away prefix and configuration, listening on 127.0.0.1 only.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use heard_store::testing::temp_dir;

/// A running nginx, stopped when dropped.
pub struct Nginx {
    child: Child,
    pub dir: PathBuf,
    pub base: String,
}

/// The nginx program; the test fails saying how to install it when there is none (scripts/test
/// installs Debian's).
pub fn program() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .or_else(|| {
            std::env::var_os("PATH")
                .and_then(|path| std::env::split_paths(&path).map(|d| d.join("nginx")).find(|p| p.is_file()))
        })
        .expect("nginx is installed (scripts/test installs it: apt-get install nginx)")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Nginx {
    /// Starts nginx with `http` (the inside of its `http { }` block, which must `listen` on
    /// 127.0.0.1:`port`) in a directory of its own.
    pub fn start(port: u16, http: &str) -> Nginx {
        let dir = temp_dir("nginx");
        let d = dir.display();
        let config = format!(
            "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/client_body;\n    proxy_temp_path {d}/proxy;\n\
             \x20   fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n\
             {http}\n}}\n"
        );
        Nginx::start_with(&dir, port, &config)
    }

    /// Starts nginx with a whole configuration file's text.
    pub fn start_with(dir: &Path, port: u16, config: &str) -> Nginx {
        let path = dir.join("nginx.conf");
        std::fs::write(&path, config).unwrap();
        let child = Command::new(program())
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&path)
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap())
            .spawn()
            .expect("start nginx");
        let nginx = Nginx { child, dir: dir.to_owned(), base: format!("http://127.0.0.1:{port}") };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "nginx did not start:\n{}{}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default(),
                std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // Its fast shutdown, which stops the workers too (a killed master would leave them).
        crate::signal(self.child.id(), "TERM");
        let started = Instant::now();
        while self.child.try_wait().ok().flatten().is_none() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
