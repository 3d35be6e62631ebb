//! The api-server in this process, for tests and io examples without `--server`.

use std::{io, net::SocketAddr, thread};

use tokio::sync::oneshot;
use workload::http::Timeouts;

use crate::{EMBEDDED_GRACE, bind, serve};

/// The api-server running in this process on its own thread with a single-threaded
/// tokio runtime, until dropped. The thread is the server's, not the client's: io
/// examples do not count it among their workers.
pub struct Embedded {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Embedded {
    /// Starts a server on 127.0.0.1 with a free port.
    pub fn start() -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = runtime.block_on(async { bind(SocketAddr::from(([127, 0, 0, 1], 0))) })?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("api-server".into())
            .spawn(move || {
                let stopped = async {
                    // Err means the Embedded was dropped without a send: stop all the same.
                    let _ = stopped.await;
                };
                let serving = serve(
                    listener,
                    stopped,
                    std::future::pending(), // no second signal
                    EMBEDDED_GRACE,
                    Timeouts::DEFAULT,
                    false, // a heavy request is counted on its connection's task
                );
                // Err: requests dropped as the program that started it ends; its own
                // result says what its clients got.
                let _ = runtime.block_on(serving);
            })?;
        Ok(Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(()); // Err: the server already ended; nothing to stop.
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join(); // Err: it panicked, and its message is printed already.
        }
    }
}

/// The server an io example talks to: the one `--server` names, or one it started.
pub struct Target {
    /// `HOST:PORT`, to connect to and to send as the `Host` header.
    pub host: String,
    _embedded: Option<Embedded>,
}

impl Target {
    pub fn new(server: Option<&str>) -> io::Result<Self> {
        match server {
            Some(host) => Ok(Self {
                host: host.to_string(),
                _embedded: None,
            }),
            None => {
                let embedded = Embedded::start()?;
                Ok(Self {
                    host: embedded.addr().to_string(),
                    _embedded: Some(embedded),
                })
            }
        }
    }
}
