//! The gRPC codec of ORCA's services: prost's, except in what happens to a message that does not
//! decode.
//!
//! - A submitted incident (`SubmitRequest`) that does not decode (a string that is not UTF-8, a
//!   truncated field) does not end the call: it arrives as an empty `SubmitRequest`, and
//!   [`take_undecodable`] hands its bytes and the reason to the ingest surface, which rejects that
//!   record with the reason and goes on with the rest of the stream.
//! - Any other message that does not decode is the caller's mistake, `INVALID_ARGUMENT` (prost's
//!   codec says `INTERNAL`, which tells a client the server is broken).
//!
//! The reason travels in a thread-local: tonic decodes a message inside the poll of the task that
//! reads the stream (or, for a unary call, just before calling the handler in the same poll), so
//! the reader finds it on its own thread straight after the message arrives.

use crate::v1::SubmitRequest;
use prost::Message;
use prost::bytes::Buf;
use std::any::TypeId;
use std::cell::RefCell;
use std::marker::PhantomData;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic_prost::ProstEncoder;

/// Most bytes of an undecodable submission handed on (and so kept with its rejection).
pub const MAX_UNDECODABLE_BYTES: usize = 64 * 1024;

/// A submission that did not decode: the start of its bytes and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecodable {
    pub raw: Vec<u8>,
    /// The full length of the message.
    pub len: usize,
    pub reason: String,
}

thread_local! {
    static UNDECODABLE: RefCell<Option<Undecodable>> = const { RefCell::new(None) };
}

/// The submission that just failed to decode on this thread, if the empty `SubmitRequest` just
/// received stands for one.
pub fn take_undecodable() -> Option<Undecodable> {
    UNDECODABLE.with(|slot| slot.borrow_mut().take())
}

/// ORCA's codec (generated servers and clients use it through `codec_path`).
#[derive(Debug)]
pub struct OrcaCodec<T, U> {
    _pd: PhantomData<(T, U)>,
}

impl<T, U> Default for OrcaCodec<T, U> {
    fn default() -> Self {
        Self { _pd: PhantomData }
    }
}

impl<T, U> Codec for OrcaCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = OrcaDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::default()
    }

    fn decoder(&mut self) -> Self::Decoder {
        OrcaDecoder { _pd: PhantomData }
    }
}

#[derive(Debug)]
pub struct OrcaDecoder<U> {
    _pd: PhantomData<U>,
}

impl<U: Message + Default + 'static> Decoder for OrcaDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        decode_message(buf.copy_to_bytes(buf.remaining())).map(Some)
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::default()
    }
}

/// One message; see the module's documentation for what happens when it does not decode.
fn decode_message<U: Message + Default + 'static>(bytes: prost::bytes::Bytes) -> Result<U, Status> {
    match U::decode(bytes.clone()) {
        Ok(message) => Ok(message),
        Err(error) if TypeId::of::<U>() == TypeId::of::<SubmitRequest>() => {
            let undecodable = Undecodable {
                raw: bytes[..bytes.len().min(MAX_UNDECODABLE_BYTES)].to_vec(),
                len: bytes.len(),
                reason: error.to_string(),
            };
            UNDECODABLE.with(|slot| *slot.borrow_mut() = Some(undecodable));
            Ok(U::default())
        }
        Err(error) => Err(Status::invalid_argument(format!(
            "not a valid `{}` message: {error}",
            std::any::type_name::<U>().rsplit("::").next().unwrap_or("protobuf")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1::{Incident, ListPackagesRequest};

    /// A `SubmitRequest` whose incident's `retailer_ref` holds the byte 0xFF.
    fn invalid_utf8_submission() -> Vec<u8> {
        let incident = Incident { retailer_ref: "R\u{7f}".into(), ..Default::default() };
        let mut bytes = SubmitRequest { incident: Some(incident), client_ref: String::new() }.encode_to_vec();
        let at = bytes.iter().rposition(|b| *b == 0x7f).expect("the marker byte");
        bytes[at] = 0xFF;
        bytes
    }

    fn decode<U: Message + Default + 'static>(bytes: &[u8]) -> Result<U, Status> {
        decode_message(prost::bytes::Bytes::copy_from_slice(bytes))
    }

    #[test]
    fn an_undecodable_submission_arrives_empty_with_its_reason_beside_it() {
        let bytes = invalid_utf8_submission();
        assert!(SubmitRequest::decode(bytes.as_slice()).is_err(), "prost refuses it");
        let message = decode::<SubmitRequest>(&bytes).unwrap();
        assert_eq!(message, SubmitRequest::default());
        let undecodable = take_undecodable().expect("the reason");
        assert_eq!(undecodable.raw, bytes);
        assert!(undecodable.reason.contains("UTF-8"), "{}", undecodable.reason);
        assert_eq!(take_undecodable(), None, "taken once");
    }

    #[test]
    fn other_undecodable_messages_are_the_callers_mistake() {
        let status = decode::<ListPackagesRequest>(&[0x0A, 0x05, 0xFF]).unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert_eq!(take_undecodable(), None);
    }
}
