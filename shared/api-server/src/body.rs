//! An answer's body as hyper sends it: the request's bytes made a piece at a time.

use std::{
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use workload::{io::BodyStream, serve::PIECE};

use crate::InFlight;

/// A request's body, made a [`PIECE`] (64 KiB) at a time as hyper asks for it: a
/// client that does not read holds a piece or two, never the whole body.
pub(crate) struct Body {
    pub(crate) body: BodyStream,
    /// The request is in flight until hyper drops its body, after the last piece.
    pub(crate) _counted: InFlight,
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let mut piece = Vec::new();
        self.get_mut().body.take(&mut piece, PIECE);
        match piece.is_empty() {
            true => Poll::Ready(None),
            false => Poll::Ready(Some(Ok(Frame::data(Bytes::from(piece))))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.left() == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.body.left()) // hyper says it as the content-length
    }
}
