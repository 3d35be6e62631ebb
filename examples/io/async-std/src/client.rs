//! The async-std io client's keep-alive connection, on an `async_std::net::TcpStream`.
//! `diff` it with a blocking sibling's `client.rs` to see what `.await` changes and how
//! each keeps the deadline: async-std's timer here, socket timeouts there; with tokio's
//! or smol's, to see only the runtime.

use std::{
    io,
    time::{Duration, Instant},
};

use async_std::{future, net::TcpStream, prelude::*, task};
use workload::{Error, http};

/// The read loop lets the runtime run other tasks after this many reads (tokio does
/// after 128 operations).
const READS_PER_YIELD: u64 = 32;

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

    /// Sends request `id` and returns its `200` answer, or why not. async-std's timer
    /// drops the request, wherever it waits, when `patience` runs out.
    pub async fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let patience = self.patience;
        let get = future::timeout(patience, self.fetch(id, delay_ms, bytes));
        get.await.unwrap_or_else(|_| Err(http::no_answer(patience)))
    }

    /// `get` without its deadline. A reused connection that fails before any byte of
    /// the answer was closed by the server while it was idle: the request is sent
    /// once more, on a new connection (GET is idempotent: RFC 9112, 9.3.1).
    async fn fetch(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let deadline = Instant::now() + self.patience;
        let mut request = Vec::new();
        http::write_request(&mut request, &self.host, id, delay_ms, bytes);
        let reused = self.stream.is_some();
        let (response, latency) = match self.exchange(&request, deadline).await {
            Err(http::Failure::Unanswered(_)) if reused => {
                self.stream = None;
                self.exchange(&request, deadline).await
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
    /// latency. A read of a socket that is always ready never waits, and async-std has
    /// no budget like tokio's to make it: the timer around this would never run, nor
    /// would other tasks on this thread. So the loop checks `deadline` after every
    /// read, and yields every READS_PER_YIELD reads.
    async fn exchange(
        &mut self,
        request: &[u8],
        deadline: Instant,
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
        for reads in 1.. {
            // A reset is a close: the reader knows whether the answer had begun.
            let n = match stream.read(&mut self.buf).await {
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                read => read?,
            };
            if let Some(response) = self.reader.feed(&self.buf[..n])? {
                return Ok((response, started.elapsed()));
            }
            if Instant::now() >= deadline {
                break;
            }
            if reads % READS_PER_YIELD == 0 {
                task::yield_now().await;
            }
        }
        Err(http::no_answer(self.patience).into())
    }
}
