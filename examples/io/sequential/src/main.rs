//! # io, sequential: one keep-alive connection, one request at a time
//!
//! The baseline for the io workload: a single blocking `TcpStream`, one request in
//! flight, so R requests that each wait D ms on the server take at least R x D ms,
//! whatever `--concurrency` allows. Every other paradigm overlaps those waits.
//!
//! Compare with: `examples/io/threads`, `examples/io/tokio`.
//!
//! ```text
//! cargo run --release -p sequential-io -- --requests 100 --delay-ms 10
//! ```

use std::{
    io::{Read, Write},
    net::TcpStream,
};

use api_server::Target;
use workload::{Error, IoArgs, Report, Workload, http, io, sys};

const PROGRAM: &str = "sequential-io";
const PARADIGM: &str = "sequential";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Fetches request after request over one connection and sums the bodies' hashes.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    let mut connection = None;
    let mut total = 0u64;
    for id in 0..args.requests {
        let body = fetch(&mut connection, host, id, args)
            .map_err(|e| e.context(format!("request {id}")))?;
        total = total.wrapping_add(io::fnv1a64(&body));
    }
    Ok(Report::new(PARADIGM, 1, total))
}

/// One request on the kept-alive connection, opening one first if there is none.
fn fetch(
    connection: &mut Option<TcpStream>,
    host: &str,
    id: u64,
    args: &IoArgs,
) -> Result<Vec<u8>, Error> {
    let stream = match connection {
        Some(stream) => stream,
        None => connection.insert(
            TcpStream::connect(host)
                .map_err(|e| Error::from(e).context(format!("connect to {host}")))?,
        ),
    };
    let mut request = Vec::new();
    http::write_request(&mut request, host, id, args.delay_ms, args.bytes);
    stream.write_all(&request)?;
    let mut reader = http::ResponseReader::default();
    let mut chunk = [0; 16 * 1024];
    let response = loop {
        let n = stream.read(&mut chunk)?;
        if let Some(response) = reader.feed(&chunk[..n])? {
            break response;
        }
    };
    if response.close {
        *connection = None; // the server will close it: the next request reconnects
    }
    Ok(response.into_ok_body()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(requests: u64, server: Option<String>) -> IoArgs {
        IoArgs {
            requests,
            concurrency: 4,
            delay_ms: 1,
            bytes: 100,
            server,
            workers: 2,
        }
    }

    #[test]
    fn agrees_with_the_spec() {
        let target = Target::new(None).unwrap();
        for requests in [0, 1, 30] {
            let args = args(requests, None);
            let report = run(&args, &target.host).unwrap();
            assert_eq!(report.checksum, args.expected_checksum());
        }
    }

    #[test]
    fn a_missing_server_names_the_request_and_the_cause() {
        // Port 1 is privileged and never bound by a test: nobody listens there.
        // (A port freed by the test itself could be taken by a parallel test's server.)
        let host = "127.0.0.1:1".to_string();
        let err = run(&args(3, Some(host.clone())), &host)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("request 0: connect to {host}: ")),
            "{err}"
        );
    }

    #[test]
    fn a_non_200_answer_fails_the_run() {
        let target = Target::new(None).unwrap();
        let mut args = args(2, None);
        args.bytes = workload::io::MAX_BYTES + 1; // the server refuses it with 400
        let err = run(&args, &target.host).unwrap_err().to_string();
        assert!(
            err.starts_with("request 0: server answered 400 Bad Request: bytes:"),
            "{err}"
        );
    }
}
