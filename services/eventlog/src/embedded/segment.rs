//! The on-disk format of a partition's segment file and its recovery scan.
//!
//! A segment starts with the 8-byte magic `ORCASEG1`, followed by frames:
//!
//! ```text
//! frame   = payload_len: u32 LE | crc32(payload): u32 LE | payload
//! payload = offset: u64 | timestamp_ms: i64 | key_len: u32 | key | value_len: u32 | value
//!         | header_count: u32 | (name_len: u32 | name | value_len: u32 | value)*
//! ```
//!
//! Offsets are dense: frame `n` holds offset `n`. A crash can leave a torn frame at the tail;
//! [`recover`] keeps the longest valid prefix and truncates the rest.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::{Error, Record, Result};

pub(crate) const MAGIC: &[u8; 8] = b"ORCASEG1";
pub(crate) const FRAME_HEADER_LEN: usize = 8;
/// Frames claiming a larger payload are treated as garbage.
const MAX_PAYLOAD_LEN: u32 = 256 * 1024 * 1024;
/// Offset, timestamp, key length, value length, header count.
const MIN_PAYLOAD_LEN: u32 = 8 + 8 + 4 + 4 + 4;

/// Appends one frame to `buf`.
pub(crate) fn encode_frame(
    buf: &mut Vec<u8>,
    offset: u64,
    timestamp_ms: i64,
    key: &[u8],
    value: &[u8],
    headers: &[(String, Vec<u8>)],
) {
    let frame_start = buf.len();
    buf.extend_from_slice(&[0; FRAME_HEADER_LEN]);
    let payload_start = buf.len();
    buf.extend_from_slice(&offset.to_le_bytes());
    buf.extend_from_slice(&timestamp_ms.to_le_bytes());
    put_bytes(buf, key);
    put_bytes(buf, value);
    buf.extend_from_slice(&(headers.len() as u32).to_le_bytes());
    for (name, header_value) in headers {
        put_bytes(buf, name.as_bytes());
        put_bytes(buf, header_value);
    }
    let payload_len = (buf.len() - payload_start) as u32;
    let crc = crc32fast::hash(&buf[payload_start..]);
    buf[frame_start..frame_start + 4].copy_from_slice(&payload_len.to_le_bytes());
    buf[frame_start + 4..frame_start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// The encoded size of a record, to size buffers.
pub(crate) fn frame_len(key: &[u8], value: &[u8], headers: &[(String, Vec<u8>)]) -> usize {
    let headers_len: usize = headers.iter().map(|(name, value)| 8 + name.len() + value.len()).sum();
    FRAME_HEADER_LEN + 8 + 8 + 4 + key.len() + 4 + value.len() + 4 + headers_len
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    buf.extend_from_slice(bytes);
}

/// Decodes the consecutive frames in `bytes`, which start at file position `position` and hold
/// offsets from `first_offset` on.
pub(crate) fn decode_frames(
    bytes: &[u8],
    topic: &str,
    partition: u32,
    first_offset: u64,
    path: &Path,
    position: u64,
) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let frame_position = position + (bytes.len() - rest.len()) as u64;
        let corrupt = |detail: String| Error::Corrupt { path: path.to_path_buf(), position: frame_position, detail };
        let (payload, after) = split_frame(rest).map_err(corrupt)?;
        let record = decode_payload(payload, topic, partition).map_err(corrupt)?;
        let expected = first_offset + records.len() as u64;
        if record.offset != expected {
            return Err(corrupt(format!("frame holds offset {}, expected {expected}", record.offset)));
        }
        records.push(record);
        rest = after;
    }
    Ok(records)
}

/// Splits the first frame off `bytes`, checking its length and checksum.
fn split_frame(bytes: &[u8]) -> Result<(&[u8], &[u8]), String> {
    if bytes.len() < FRAME_HEADER_LEN {
        return Err("truncated frame header".into());
    }
    let payload_len = u32::from_le_bytes(bytes[0..4].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    let payload = bytes.get(FRAME_HEADER_LEN..FRAME_HEADER_LEN + payload_len).ok_or("truncated frame payload")?;
    if crc32fast::hash(payload) != crc {
        return Err("checksum mismatch".into());
    }
    Ok((payload, &bytes[FRAME_HEADER_LEN + payload_len..]))
}

fn decode_payload(payload: &[u8], topic: &str, partition: u32) -> Result<Record, String> {
    let mut cursor = Cursor(payload);
    let offset = u64::from_le_bytes(cursor.array()?);
    let timestamp_ms = i64::from_le_bytes(cursor.array()?);
    let key = cursor.bytes()?.to_vec();
    let value = cursor.bytes()?.to_vec();
    let header_count = u32::from_le_bytes(cursor.array()?);
    let mut headers = Vec::with_capacity(header_count.min(1024) as usize);
    for _ in 0..header_count {
        let name = String::from_utf8(cursor.bytes()?.to_vec()).map_err(|_| "header name is not utf-8")?;
        headers.push((name, cursor.bytes()?.to_vec()));
    }
    if !cursor.0.is_empty() {
        return Err("trailing bytes in payload".into());
    }
    Ok(Record { topic: topic.to_string(), partition, offset, key, value, headers, timestamp_ms })
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        if self.0.len() < len {
            return Err("payload field runs past the frame".into());
        }
        let (head, tail) = self.0.split_at(len);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N)?.try_into().expect("length checked"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = u32::from_le_bytes(self.array()?) as usize;
        self.take(len)
    }
}

/// What a recovery scan found in a segment.
#[derive(Debug)]
pub(crate) struct Recovered {
    /// File position of each frame; frame `n` holds offset `n`.
    pub positions: Vec<u64>,
    /// Length of the valid prefix (the magic and every whole, checksummed frame).
    pub valid_len: u64,
    /// Bytes after the valid prefix: a torn or corrupt tail.
    pub garbage_len: u64,
}

/// Scans a segment from the start and finds its valid prefix. An empty file, or one holding a
/// partial magic (a crash during creation), is a valid empty segment that still needs its magic.
pub(crate) fn recover(file: &File, path: &Path) -> Result<Recovered> {
    let file_len = file.metadata().map_err(Error::io("inspecting segment", path))?.len();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut magic = [0u8; MAGIC.len()];
    let magic_read = read_up_to(&mut reader, &mut magic).map_err(Error::io("reading segment", path))?;
    if magic_read < MAGIC.len() {
        if magic[..magic_read] != MAGIC[..magic_read] {
            return Err(Error::Corrupt { path: path.into(), position: 0, detail: "not an orca segment".into() });
        }
        return Ok(Recovered { positions: Vec::new(), valid_len: 0, garbage_len: file_len });
    }
    if &magic != MAGIC {
        return Err(Error::Corrupt { path: path.into(), position: 0, detail: "not an orca segment".into() });
    }

    let mut positions = Vec::new();
    let mut position = MAGIC.len() as u64;
    let mut header = [0u8; FRAME_HEADER_LEN];
    let mut payload = Vec::new();
    loop {
        if read_up_to(&mut reader, &mut header).map_err(Error::io("reading segment", path))? < FRAME_HEADER_LEN {
            break;
        }
        let payload_len = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
        if !(MIN_PAYLOAD_LEN..=MAX_PAYLOAD_LEN).contains(&payload_len) {
            break;
        }
        payload.resize(payload_len as usize, 0);
        if read_up_to(&mut reader, &mut payload).map_err(Error::io("reading segment", path))? < payload.len() {
            break;
        }
        let offset = u64::from_le_bytes(payload[0..8].try_into().expect("8 bytes"));
        if crc32fast::hash(&payload) != crc || offset != positions.len() as u64 {
            break;
        }
        positions.push(position);
        position += (FRAME_HEADER_LEN + payload.len()) as u64;
    }
    Ok(Recovered { positions, valid_len: position, garbage_len: file_len - position })
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_with_headers() {
        let mut buf = Vec::new();
        let headers = vec![("trace".to_string(), b"abc".to_vec()), ("empty".to_string(), Vec::new())];
        encode_frame(&mut buf, 7, 1_700_000_000_000, b"key", b"value", &headers);
        encode_frame(&mut buf, 8, -1, b"", b"", &[]);
        assert_eq!(buf.len(), frame_len(b"key", b"value", &headers) + frame_len(b"", b"", &[]));

        let records = decode_frames(&buf, "t", 2, 7, Path::new("seg"), 8).expect("decodes");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].key, b"key");
        assert_eq!(records[0].value, b"value");
        assert_eq!(records[0].headers, headers);
        assert_eq!(records[0].timestamp_ms, 1_700_000_000_000);
        assert_eq!((records[1].offset, records[1].partition), (8, 2));
    }

    #[test]
    fn a_flipped_bit_is_reported_as_corruption() {
        let mut buf = Vec::new();
        encode_frame(&mut buf, 0, 0, b"k", b"v", &[]);
        let last = buf.len() - 1;
        buf[last] ^= 1;
        let error = decode_frames(&buf, "t", 0, 0, Path::new("seg"), 8).expect_err("corrupt");
        assert!(matches!(error, Error::Corrupt { .. }), "{error}");
    }
}
