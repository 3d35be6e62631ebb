//! An answer's body as hyper sends it: splitmix64 made a piece at a time.

use std::{
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use workload::{io::SplitMix64, serve::PIECE};

use crate::InFlight;

/// `left` bytes of splitmix64, made a [`PIECE`] (64 KiB) at a time as hyper asks for
/// them: a client that does not read holds a piece or two, never the whole body.
pub(crate) struct Work {
    pub(crate) rng: SplitMix64,
    pub(crate) left: u64,
    /// The request is in flight until hyper drops its body, after the last piece.
    pub(crate) _counted: InFlight,
}

impl Body for Work {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let n = this.left.min(PIECE as u64) as usize;
        if n == 0 {
            return Poll::Ready(None);
        }
        // Every piece but the last is a multiple of 8 bytes: the stream goes on unbroken.
        let mut piece = Vec::with_capacity(n.next_multiple_of(8));
        while piece.len() < n {
            piece.extend_from_slice(&this.rng.next_u64().to_le_bytes());
        }
        piece.truncate(n);
        this.left -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(piece)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left) // hyper says it as the content-length
    }
}
