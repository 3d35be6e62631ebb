//! The blocking connection loop that the synchronous servers share: read a
//! request, sleep the thread for its delay, write the answer, until the client
//! closes the connection. How connections reach this loop (one at a time, a
//! thread each, a pool, processes) is the paradigm, in each example.

use std::{
    io::{self, Read, Write},
    net::TcpStream,
    thread,
};

use super::{Drain, reply_to};
use crate::http::RequestReader;

/// Serves one keep-alive connection until the client closes it, sends bytes that
/// are not a request (answered 400 or 431, then closed), or the server stops.
/// Each delay sleeps this thread: that is what a blocking server does.
pub fn serve_blocking(mut stream: TcpStream, drain: &Drain) -> io::Result<()> {
    let mut reader = RequestReader::default();
    let (mut buf, mut out) = (vec![0; 4 << 10], Vec::new());
    loop {
        // Bytes already kept may hold the next request (a pipelining client).
        let mut next = reader.feed(&[]);
        while let Ok(None) = next {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                return Ok(()); // the client is done (or gave up mid-request)
            }
            next = reader.feed(&buf[..n]);
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        let Some(_counted) = drain.enter() else {
            return Ok(()); // stopping: close instead of starting another answer
        };
        if !reply.delay.is_zero() {
            thread::sleep(reply.delay);
        }
        out.clear();
        reply.write(&mut out);
        stream.write_all(&out)?;
        if reply.close {
            return Ok(());
        }
    }
}
