//! A blocking keep-alive client of the tests' own: `testkit::serve` drives the
//! servers with it. No example uses it: each io example has its own connection
//! in its `client.rs`, so that `diff` shows it.

use std::{
    io::{self, Read, Write},
    net::{TcpStream, ToSocketAddrs},
    time::{Duration, Instant},
};

use workload::{
    Error,
    http::{Answer, ResponseReader, no_answer, write_request},
};

/// A socket timeout within this much of the one wanted is left as it is: it saves
/// a system call on nearly every read, and a request may overrun its deadline by
/// at most this much.
const SLACK: Duration = Duration::from_millis(10);

/// One blocking keep-alive connection to `host`, opened on first use and again
/// after a response that says `Connection: close`.
#[derive(Debug)]
pub struct BlockingClient {
    host: String,
    /// How long a request may take, connecting included: D + T.
    patience: Duration,
    stream: Option<TcpStream>,
    /// The socket's read timeout as last set.
    timeout: Duration,
    reader: ResponseReader,
    buf: Vec<u8>,
}

impl BlockingClient {
    /// A client of `host` whose requests fail after `patience` (D + T) without a
    /// complete answer.
    pub fn new(host: &str, patience: Duration) -> Self {
        Self {
            host: host.to_string(),
            patience,
            stream: None,
            timeout: Duration::ZERO,
            reader: ResponseReader::default(),
            buf: vec![0; 4 << 10],
        }
    }

    /// Sends request `id` and returns its `200` answer, or why not.
    pub fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<Answer, Error> {
        let deadline = Instant::now() + self.patience;
        let late = |e: io::Error| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => no_answer(self.patience),
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
        write_request(&mut request, &self.host, id, delay_ms, bytes);
        let started = Instant::now();
        stream.write_all(&request).map_err(late)?;
        let response = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(no_answer(self.patience));
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
        Ok(Answer { body, latency })
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
