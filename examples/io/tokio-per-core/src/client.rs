//! The tokio io client's keep-alive connection, on a `tokio::net::TcpStream`. `diff`
//! it with a blocking sibling's `client.rs` to see what `.await` changes and how each
//! keeps the deadline: tokio's timer here, socket timeouts there; with smol's or
//! async-std's, to see only the runtime.

use std::{
    io,
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use workload::{Error, http};

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
            buf: vec![0; 4 << 10],
        }
    }

    /// Sends request `id` and returns its `200` answer, or why not. tokio's timer
    /// drops the request, wherever it waits, when `patience` runs out.
    pub async fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let patience = self.patience;
        let get = tokio::time::timeout(patience, self.fetch(id, delay_ms, bytes));
        get.await.unwrap_or_else(|_| Err(http::no_answer(patience)))
    }

    /// `get` without its deadline. A reused connection that fails before any byte of
    /// the answer was closed by the server while it was idle: the request is sent
    /// once more, on a new connection (GET is idempotent: RFC 9112, 9.3.1).
    async fn fetch(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let mut request = Vec::new();
        http::write_request(&mut request, &self.host, id, delay_ms, bytes);
        let reused = self.stream.is_some();
        let (response, latency) = match self.exchange(&request).await {
            Err(http::Failure::Unanswered(_)) if reused => {
                self.stream = None;
                self.exchange(&request).await
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
    /// latency. A socket that is always ready still makes this task wait now and
    /// then: tokio gives a task a budget of 128 operations, then its reads return
    /// `Pending` once, so other tasks, and the timer around it, run.
    async fn exchange(
        &mut self,
        request: &[u8],
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
        stream.write_all(request).await?;
        loop {
            // A reset is a close: the reader knows whether the answer had begun.
            let n = match stream.read(&mut self.buf).await {
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                read => read?,
            };
            if let Some(response) = self.reader.feed(&self.buf[..n])? {
                return Ok((response, started.elapsed()));
            }
        }
    }
}
