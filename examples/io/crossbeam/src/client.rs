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
/// says `Connection: close` or after the server closed it while it was idle.
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
    /// A client whose requests take at most `patience` and whose answers' bodies
    /// have at most `max_body` bytes (what each asks for).
    pub fn new(host: &str, patience: Duration, max_body: u64) -> Self {
        Self {
            host: host.to_string(),
            patience,
            stream: None,
            timeout: Duration::ZERO,
            reader: http::ResponseReader::new(max_body),
            buf: vec![0; 4 << 10],
        }
    }

    /// Sends request `id` and returns its `200` answer, or why not. A reused
    /// connection that fails before any byte of the answer was closed by the server
    /// while it was idle: the request is sent once more, on a new connection (GET is
    /// idempotent: RFC 9112, 9.3.1), within the same deadline.
    pub fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let deadline = Instant::now() + self.patience;
        let mut request = Vec::new();
        http::write_request(&mut request, &self.host, id, delay_ms, bytes);
        let reused = self.stream.is_some();
        let (response, latency) = match self.exchange(&request, deadline) {
            Err(http::Failure::Unanswered(_)) if reused => {
                self.stream = None;
                self.exchange(&request, deadline)
            }
            done => done,
        }?;
        if response.close {
            self.stream = None; // the server will close it: the next request reconnects
        }
        let body = response.into_ok_body()?;
        Ok(http::Answer { body, latency })
    }

    /// Writes `request` (connecting first if need be) and reads its response and
    /// latency. Connecting and each read may take what is left until `deadline`, so
    /// a request ends by then (and SLACK); its few bytes are written at once (a
    /// stuck write fails after `patience`).
    fn exchange(
        &mut self,
        request: &[u8],
        deadline: Instant,
    ) -> Result<(http::Response, Duration), http::Failure> {
        let patience = self.patience;
        let late = |e: io::Error| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => http::no_answer(patience).into(),
            _ => http::Failure::from(e),
        };
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = connect(&self.host, deadline).map_err(|e| {
                    Error::from(late(e)).context(format!("connect to {}", self.host))
                })?;
                stream.set_write_timeout(Some(patience))?;
                self.timeout = Duration::ZERO;
                self.stream.insert(stream)
            }
        };
        let started = Instant::now();
        stream.write_all(request).map_err(late)?;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(http::no_answer(patience).into());
            }
            if self.timeout.abs_diff(left) > SLACK {
                stream.set_read_timeout(Some(left))?;
                self.timeout = left;
            }
            // A reset is a close: the reader knows whether the answer had begun.
            let n = match stream.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                read => read.map_err(late)?,
            };
            if let Some(response) = self.reader.feed(&self.buf[..n])? {
                return Ok((response, started.elapsed()));
            }
        }
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
