//! A rate loadgen cannot send is reported as its own limit, never the server's.

mod common;

use api_server::Embedded;
use common::{line, number, run, stderr};

#[test]
fn a_rate_it_cannot_send_is_its_own_limit() {
    let server = Embedded::start().expect("start the api-server");
    // Ten million a second: releasing them alone outruns the generator's loop.
    let out = run(
        server.addr(),
        "--rate 10000000 --duration-ms 30 --timeout-ms 1000",
    );
    let line = line(&out);
    let stderr = stderr(&out);
    assert!(number(&line, "behind_us") > 10_000, "{line}\n{stderr}");
    assert!(number(&line, "achieved_rate") < 10_000_000 / 2, "{line}");
    // Its own CPU says it was the one short of it: about all of its thread.
    let wall_ms = 30 + 1_000;
    assert!(
        number(&line, "cpu_ms") > 0 && number(&line, "cpu_ms") <= 2 * wall_ms,
        "{line}"
    );
    assert!(
        stderr.contains("the generator fell behind its own schedule")
            && stderr.contains("may measure loadgen, not the server"),
        "{stderr}"
    );
}
