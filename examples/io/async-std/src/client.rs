//! The async-std io client's keep-alive connection: `workload::http::BlockingClient`
//! with `.await`, on a `async_std::net::TcpStream`; beside `main.rs`, so that the loop over
//! connections reads on one screen and this file diffs against its siblings'.

use std::{sync::Arc, time::Instant};

use async_std::{net::TcpStream, prelude::*};
use workload::{Error, http};

/// One keep-alive connection, opened on first use and again after a response that
/// says `Connection: close`: `workload::http::BlockingClient` with `.await`.
pub struct Client {
    host: Arc<str>,
    stream: Option<TcpStream>,
    reader: http::ResponseReader,
    buf: Vec<u8>,
}

impl Client {
    pub fn new(host: Arc<str>) -> Self {
        Self {
            host,
            stream: None,
            reader: http::ResponseReader::default(),
            buf: vec![0; 4 << 10],
        }
    }

    /// Sends request `id` and returns its `200` answer, or why not.
    pub async fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<http::Answer, Error> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = TcpStream::connect(&*self.host)
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
