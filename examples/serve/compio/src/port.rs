//! One port for every runtime: a listening socket each, `SO_REUSEPORT`, so that the
//! kernel spreads new connections over them; and no second copy of the server on it.

use std::{io, net::SocketAddr};

use socket2::{Domain, Socket, Type};
use workload::serve;

/// `workers` sockets on one port with `SO_REUSEPORT`: the first on `addr` (port 0 picks
/// one), the others on its port. A second copy of this server could join them and take a
/// share of the connections: a plain socket binds `addr` first, and fails where a server
/// listens, as processes-serve checks (two copies started at once could still both pass).
pub fn listen(addr: SocketAddr, workers: usize) -> io::Result<Vec<std::net::TcpListener>> {
    let plain = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    plain.set_reuse_address(true)?; // as `serve::listen` does: no TIME_WAIT conflict
    plain.bind(&addr.into())?;
    drop(plain);
    let first = serve::listen(addr, true)?;
    let addr = first.local_addr()?;
    let others = (1..workers).map(|_| serve::listen(addr, true));
    std::iter::once(Ok(first)).chain(others).collect()
}
