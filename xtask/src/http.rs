//! A minimal blocking HTTP/1.1 client over `std::net::TcpStream`, enough to drive a server on
//! loopback: one GET with `Connection: close` ([`get`]), or many requests in turn on one
//! keep-alive connection ([`Connection`]). Not a general client: no TLS, no redirects, no
//! compression.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// A response: its status, headers in order (names as sent), and the body after any chunking
/// is undone.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name`, ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Response {
    /// The cookies the response sets, as `name=value` pairs.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| {
                let pair = v.split(';').next()?;
                let (name, value) = pair.split_once('=')?;
                Some((name.trim().to_owned(), value.trim().to_owned()))
            })
            .collect()
    }
}

/// One keep-alive connection to a server, for many requests in turn. Reconnects when the server
/// closes it.
pub struct Connection {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
    request: Vec<u8>,
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Connection {
        Connection { addr, stream: None, request: Vec::with_capacity(1024) }
    }

    /// Sends one request with `headers` (besides Host and Content-Length) and `body`, and reads
    /// the whole response.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response> {
        let addr = self.addr;
        self.request.clear();
        write!(self.request, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: heard-xtask\r\n")?;
        for (name, value) in headers {
            write!(self.request, "{name}: {value}\r\n")?;
        }
        if !body.is_empty() || method == "POST" {
            write!(self.request, "Content-Length: {}\r\n", body.len())?;
        }
        self.request.extend_from_slice(b"\r\n");
        self.request.extend_from_slice(body);
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let timeout = Duration::from_secs(10);
                let tcp = TcpStream::connect_timeout(&addr, timeout)
                    .with_context(|| format!("connecting to {addr}"))?;
                tcp.set_read_timeout(Some(timeout))?;
                tcp.set_write_timeout(Some(timeout))?;
                tcp.set_nodelay(true)?;
                self.stream.insert(BufReader::new(tcp))
            }
        };
        let outcome = stream
            .get_mut()
            .write_all(&self.request)
            .map_err(anyhow::Error::from)
            .and_then(|()| read_response(stream));
        match outcome {
            Ok(response) => {
                if response.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
                    self.stream = None;
                }
                Ok(response)
            }
            Err(e) => {
                self.stream = None;
                Err(e.context(format!("{method} {path} on {addr}")))
            }
        }
    }
}

/// Reads one response from a keep-alive stream: its head, then a body framed by Content-Length or
/// chunking.
fn read_response(stream: &mut BufReader<TcpStream>) -> Result<Response> {
    fn read_line(stream: &mut BufReader<TcpStream>, line: &mut String) -> Result<()> {
        line.clear();
        if stream.read_line(line)? == 0 {
            bail!("the server closed the connection");
        }
        Ok(())
    }
    let mut line = String::new();
    read_line(stream, &mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {:?}", line.trim_end()))?;
    let mut headers = Vec::new();
    loop {
        read_line(stream, &mut line)?;
        let text = line.trim_end();
        if text.is_empty() {
            break;
        }
        if let Some((name, value)) = text.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut response = Response { status, headers, body: Vec::new() };
    if response.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            read_line(stream, &mut line)?;
            let size_hex = line.trim_end().split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_hex, 16)
                .with_context(|| format!("bad chunk size {:?}", line.trim_end()))?;
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            response.body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().with_context(|| format!("bad Content-Length {length:?}"))?;
        response.body = vec![0; length];
        stream.read_exact(&mut response.body)?;
    } else if !(status == 204 || status == 304 || (100..200).contains(&status)) {
        bail!("a response with status {status} has neither a Content-Length nor chunks");
    }
    Ok(response)
}

/// `text` percent-encoded for a form field (`application/x-www-form-urlencoded`).
pub fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Fetches `path` (with its query) from the server at `addr`.
pub fn get(addr: SocketAddr, path: &str) -> Result<Response> {
    let timeout = Duration::from_secs(10);
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: heard-xtask\r\nConnection: close\r\n\r\n"
    )
    .with_context(|| format!("sending GET {path} to {addr}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .with_context(|| format!("reading the response to GET {path} from {addr}"))?;
    parse(&raw).with_context(|| format!("reading the response to GET {path} from {addr}"))
}

fn parse(raw: &[u8]) -> Result<Response> {
    let Some(head_end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        bail!("the response has no end of headers ({} bytes received)", raw.len());
    };
    let head = std::str::from_utf8(&raw[..head_end]).context("the response headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let mut response = Response { status, headers, body: Vec::new() };
    let rest = &raw[head_end + 4..];
    response.body = if response.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        dechunk(rest)?
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().with_context(|| format!("bad Content-Length {length:?}"))?;
        if rest.len() < length {
            bail!("the body is {} bytes, short of its Content-Length {length}", rest.len());
        }
        rest[..length].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(response)
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end =
            rest.windows(2).position(|w| w == b"\r\n").context("a chunk size line is cut short")?;
        let size_text = std::str::from_utf8(&rest[..line_end])?;
        let size_hex = size_text.split(';').next().unwrap_or_default().trim();
        let size =
            usize::from_str_radix(size_hex, 16).with_context(|| format!("bad chunk size {size_text:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size + 2 {
            bail!("a chunk is cut short");
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_body_by_content_length() {
        let r =
            parse(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\ncontent-length: 5\r\n\r\nhello").unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("Content-Length"), Some("5"));
        assert_eq!(r.body, b"hello");
    }

    #[test]
    fn undoes_chunking() {
        let r = parse(b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.body, b"abcde");
    }

    #[test]
    fn encodes_form_fields() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn a_body_shorter_than_its_content_length_is_an_error() {
        assert!(parse(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").is_err());
    }
}
