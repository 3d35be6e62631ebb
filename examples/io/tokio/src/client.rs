//! The tokio io client's keep-alive connection, on a `tokio::net::TcpStream`. `diff`
//! it with a blocking sibling's `client.rs` to see what `.await` changes and how each
//! keeps the deadline: tokio's timer here, socket timeouts there; with smol's or
//! async-std's, to see only the runtime.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use workload::{Error, http};

/// One keep-alive connection, opened on first use and again after a response that
/// says `Connection: close`.
pub struct Client {
    host: String,
    /// How long a request may take, connecting included: D + T.
    patience: Duration,
    stream: Option<TcpStream>,
    reader: http::ResponseReader,
    buf: Vec<u8>,
}

impl Client {
    pub fn new(host: &str, patience: Duration) -> Self {
        Self {
            host: host.to_string(),
            patience,
            stream: None,
            reader: http::ResponseReader::default(),
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

    /// `get` without its deadline.
    async fn fetch(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = TcpStream::connect(&self.host)
                    .await
                    .map_err(|e| Error::from(e).context(format!("connect to {}", self.host)))?;
                self.stream.insert(stream)
            }
        };
        let mut request = Vec::new();
        http::write_request(&mut request, &self.host, id, delay_ms, bytes);
        let started = Instant::now();
        stream.write_all(&request).await?;
        let response = loop {
            let n = stream.read(&mut self.buf).await?;
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
