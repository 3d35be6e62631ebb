//! One keep-alive connection on its runtime: io_uring reads and writes, each handed an
//! owned buffer that comes back with its result.

use std::{future, io};

use compio::{
    BufResult,
    io::{AsyncRead, AsyncWriteExt},
    net::TcpStream,
    runtime::CancelToken,
    time::{sleep, timeout},
};
use futures_util::{FutureExt, select};
use workload::{
    http::{RequestReader, Timeouts},
    serve::reply_to,
};

/// Serves one keep-alive connection until the client closes it, is refused, too slow, or a stop.
pub async fn serve(mut stream: TcpStream, stop: CancelToken, timeouts: Timeouts) -> io::Result<()> {
    let (mut reader, mut buf) = (RequestReader::new(timeouts), Vec::with_capacity(4 << 10));
    loop {
        let mut next = reader.feed(&[]); // kept bytes may hold a next request (pipelining)
        while let Ok(None) = next {
            buf.clear(); // a read fills the buffer's spare capacity
            // Err (TimedOut) past the head or idle deadline; the stop closes it too. A
            // read that loses is cancelled in the kernel, and its buffer goes with it.
            let BufResult(read, back) = select! {
                read = timeout(reader.time_left()?, stream.read(buf)).fuse() => read.map_err(late)?,
                _ = stop.clone().wait().fuse() => return Ok(()),
            };
            buf = back;
            match read? {
                0 => return Ok(()), // the client is done (or gave up mid-request)
                _ => next = reader.feed(&buf),
            }
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if stop.is_cancelled() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        // No timer for 0 ms (it would wait for the next tick). The delay races a peek (a
        // recv with MSG_PEEK) into a byte of its own, not the reader's: it goes with the
        // peek when the delay wins. A close or reset cancels the request; a next
        // request's bytes: still there for the reader.
        if !reply.delay.is_zero() {
            let hung_up = async {
                match stream.peek([0; 1]).await.0 {
                    Ok(0) | Err(_) => {}
                    Ok(_) => future::pending().await,
                }
            };
            select! {
                _ = sleep(reply.delay).fuse() => {}
                _ = hung_up.fuse() => return Ok(()),
            }
        }
        // `Pieces` lends its bytes, and the kernel needs them owned until the write is
        // done: each piece is copied into `out`, which the write hands back.
        let (mut pieces, mut out) = (reply.pieces(), Vec::new());
        while let Some(piece) = pieces.next_piece() {
            out.clear();
            out.extend_from_slice(piece);
            let BufResult(written, back) = timeout(timeouts.write, stream.write_all(out))
                .await
                .map_err(late)?;
            (out, ()) = (back, written?);
        }
        if reply.close {
            return Ok(());
        }
    }
}

/// A `timeout` that ran out, as the I/O error it ends the connection with.
fn late(e: compio::time::Elapsed) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, e)
}
