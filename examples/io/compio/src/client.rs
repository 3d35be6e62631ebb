//! The compio io client's keep-alive connection, on a `compio::net::TcpStream`. `diff`
//! it with tokio's `client.rs` to see what a completion-based runtime changes: the
//! kernel reads into and writes from a buffer it holds until the operation ends, so
//! each call takes the buffer by value and hands it back in a `BufResult`.

use std::{
    io, mem,
    rc::Rc,
    time::{Duration, Instant},
};

use compio::{
    BufResult,
    io::{AsyncRead, AsyncWriteExt},
    net::TcpStream,
};
use workload::{Error, http};

/// Bytes a read may bring.
const READ_BYTES: usize = 4 << 10;

/// One keep-alive connection, opened on first use and again after a response that
/// says `Connection: close` or after the server closed it while it was idle.
pub struct Client {
    host: String,
    /// How long a request may take, connecting included: D + T.
    patience: Duration,
    stream: Option<TcpStream>,
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
            reader: http::ResponseReader::new(max_body),
            buf: Vec::with_capacity(READ_BYTES),
        }
    }

    /// Sends request `id` and returns its `200` answer, or why not. compio's timer
    /// drops the request, wherever it waits, when `patience` runs out: a dropped read
    /// or write is cancelled in the ring, and the buffer it held goes with it.
    pub async fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let patience = self.patience;
        let get = compio::time::timeout(patience, self.fetch(id, delay_ms, bytes));
        get.await.unwrap_or_else(|_| {
            // A cancelled read took the buffer with it: a new one, for a next request.
            self.buf = Vec::with_capacity(READ_BYTES);
            Err(http::no_answer(patience))
        })
    }

    /// `get` without its deadline. A reused connection that fails before any byte of
    /// the answer was closed by the server while it was idle: the request is sent
    /// once more, on a new connection (GET is idempotent: RFC 9112, 9.3.1). The
    /// request is shared (`Rc`), so that the kernel may hold it and a resend still has it.
    async fn fetch(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let mut request = Vec::new();
        http::write_request(&mut request, &self.host, id, delay_ms, bytes);
        let request = Rc::<[u8]>::from(request);
        let reused = self.stream.is_some();
        let (response, latency) = match self.exchange(request.clone()).await {
            Err(http::Failure::Unanswered(_)) if reused => {
                self.stream = None;
                self.exchange(request).await
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
    /// latency. A socket that is always ready still makes this task wait: each read
    /// is a submission to the ring, done when a later turn of the runtime reaps its
    /// completion, so other tasks, and the timer around it, run in between.
    async fn exchange(
        &mut self,
        request: Rc<[u8]>,
    ) -> Result<(http::Response, Duration), http::Failure> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = TcpStream::connect(&self.host)
                    .await
                    .map_err(|e| Error::from(e).context(format!("connect to {}", self.host)))?;
                self.stream.insert(stream)
            }
        };
        let started = Instant::now();
        // `.0`, the result: the request comes back too, and is dropped here.
        stream.write_all(request).await.0?;
        loop {
            // The kernel fills the buffer from its start, up to its capacity.
            let BufResult(read, buf) = stream.read(mem::take(&mut self.buf)).await;
            self.buf = buf;
            // A reset is a close: the reader knows whether the answer had begun.
            let n = match read {
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                read => read?,
            };
            if let Some(response) = self.reader.feed(&self.buf[..n])? {
                return Ok((response, started.elapsed()));
            }
        }
    }
}
