//! A blocking io client's keep-alive connection, the same file in every blocking io
//! sibling (sequential, processes, threads, crossbeam, rayon). `diff` it with an
//! async client's `client.rs` to see what `.await` changes and how each keeps the
//! deadline: socket timeouts set to what is left of it here, a timer there.

use std::{
    io::{self, Read, Write},
    net::{TcpStream, ToSocketAddrs},
    time::{Duration, Instant},
};

use workload::{Error, http};

/// A socket timeout within this much of the one wanted is left as it is: it saves
/// a system call on nearly every read, and a request may overrun its deadline by
/// at most this much.
const SLACK: Duration = Duration::from_millis(10);

/// One keep-alive connection, opened on first use and again after a response that
/// says `Connection: close`.
pub struct Client {
    host: String,
    /// How long a request may take, connecting included: D + T.
    patience: Duration,
    stream: Option<TcpStream>,
    /// The socket's read timeout as last set.
    timeout: Duration,
    reader: http::ResponseReader,
    buf: Vec<u8>,
}

impl Client {
    pub fn new(host: &str, patience: Duration) -> Self {
        Self {
            host: host.to_string(),
            patience,
            stream: None,
            timeout: Duration::ZERO,
            reader: http::ResponseReader::default(),
            buf: vec![0; 4 << 10],
        }
    }

    /// Sends request `id` and returns its `200` answer, or why not. Connecting and
    /// each read may take what is left of `patience`, so a request ends within it
    /// (and SLACK); its few bytes are written at once (a stuck write fails after
    /// `patience`).
    pub fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let deadline = Instant::now() + self.patience;
        let late = |e: io::Error| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => http::no_answer(self.patience),
            _ => Error::from(e),
        };
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = connect(&self.host, deadline)
                    .map_err(|e| late(e).context(format!("connect to {}", self.host)))?;
                stream.set_write_timeout(Some(self.patience))?;
                self.timeout = Duration::ZERO;
                self.stream.insert(stream)
            }
        };
        let mut request = Vec::new();
        http::write_request(&mut request, &self.host, id, delay_ms, bytes);
        let started = Instant::now();
        stream.write_all(&request).map_err(late)?;
        let response = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(http::no_answer(self.patience));
            }
            if self.timeout.abs_diff(left) > SLACK {
                stream.set_read_timeout(Some(left))?;
                self.timeout = left;
            }
            let n = stream.read(&mut self.buf).map_err(late)?;
            if let Some(response) = self.reader.feed(&self.buf[..n])? {
                break response;
            }
        };
        let latency = started.elapsed();
        if response.close {
            self.stream = None; // the server will close it: the next request reconnects
        }
        let body = response.into_ok_body()?;
        Ok(http::Answer { body, latency })
    }
}

/// Connects to the first of `host`'s addresses that answers before `deadline`.
fn connect(host: &str, deadline: Instant) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in host.to_socket_addrs()? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}
