//! The on-disk format of a partition's segment file and its recovery scan.
//!
//! A segment starts with an 8-byte magic that names its format, followed by frames:
//!
//! ```text
//! frame   = payload_len: u32 LE | crc32(payload): u32 LE | payload
//! payload = offset: u64 | timestamp_ms: i64 | key_len: u32 | key | [codec: u8] | value_len: u32 | value
//!         | header_count: u32 | (name_len: u32 | name | value_len: u32 | value)*
//! ```
//!
//! `ORCASEG1` segments have no codec byte and hold values as given. `ORCASEG2` segments (every
//! segment created since) give each value a codec: 0 as given, 1 a zstd frame, used when that is
//! smaller (incidents, resolutions and packages are repetitive text and shrink several times over).
//! A segment keeps the format it was created with.
//!
//! Offsets are dense: frame `n` holds offset `n`. A crash can leave a torn frame at the tail;
//! [`recover`] keeps the longest valid prefix and truncates the rest.
//!
//! Compaction (see `compaction`) replaces a superseded record's frame with an *erased* frame: the
//! same offset, timestamp and key, an empty value and no headers. [`Frames`] and [`summarize`]
//! let it walk a segment without decompressing values.

use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::{Error, Record, Result};

/// The format of a segment, fixed by its magic when it is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Values as given.
    V1,
    /// Each value with its codec byte.
    V2,
}

impl Format {
    /// The format new segments are created with.
    pub(crate) const CURRENT: Format = Format::V2;

    pub(crate) fn magic(self) -> &'static [u8; MAGIC_LEN] {
        match self {
            Format::V1 => b"ORCASEG1",
            Format::V2 => b"ORCASEG2",
        }
    }

    fn of(magic: &[u8]) -> Option<Format> {
        [Format::V1, Format::V2].into_iter().find(|format| format.magic() == magic)
    }
}

pub(crate) const MAGIC_LEN: usize = 8;
const RAW: u8 = 0;
const ZSTD: u8 = 1;
pub(crate) const FRAME_HEADER_LEN: usize = 8;
/// Frames claiming a larger payload are treated as garbage.
const MAX_PAYLOAD_LEN: u32 = 256 * 1024 * 1024;
/// Offset, timestamp, key length, value length, header count.
const MIN_PAYLOAD_LEN: u32 = 8 + 8 + 4 + 4 + 4;

/// Appends one frame to `buf`.
pub(crate) fn encode_frame(
    buf: &mut Vec<u8>,
    format: Format,
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
    match format {
        Format::V1 => put_bytes(buf, value),
        Format::V2 => match orca_compress::compress(value) {
            Some(compressed) => {
                buf.push(ZSTD);
                put_bytes(buf, &compressed);
            }
            None => {
                buf.push(RAW);
                put_bytes(buf, value);
            }
        },
    }
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

/// The largest encoded size of a record (uncompressed, with a codec byte), to bound batches.
pub(crate) fn frame_len(key: &[u8], value: &[u8], headers: &[(String, Vec<u8>)]) -> usize {
    let headers_len: usize = headers.iter().map(|(name, value)| 8 + name.len() + value.len()).sum();
    FRAME_HEADER_LEN + 8 + 8 + 4 + key.len() + 1 + 4 + value.len() + 4 + headers_len
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    buf.extend_from_slice(bytes);
}

/// Decodes the consecutive frames in `bytes`, which start at file position `position` and hold
/// offsets from `first_offset` on.
pub(crate) fn decode_frames(
    bytes: &[u8],
    format: Format,
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
        let record = decode_payload(payload, format, topic, partition).map_err(corrupt)?;
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

fn decode_payload(payload: &[u8], format: Format, topic: &str, partition: u32) -> Result<Record, String> {
    let mut cursor = Cursor(payload);
    let offset = u64::from_le_bytes(cursor.array()?);
    let timestamp_ms = i64::from_le_bytes(cursor.array()?);
    let key = cursor.bytes()?.to_vec();
    let codec = match format {
        Format::V1 => RAW,
        Format::V2 => cursor.array::<1>()?[0],
    };
    let value = match codec {
        RAW => cursor.bytes()?.to_vec(),
        ZSTD => orca_compress::decompress(cursor.bytes()?, u64::from(MAX_PAYLOAD_LEN))
            .map_err(|error| format!("value does not decompress: {error}"))?,
        other => return Err(format!("unknown value codec {other}")),
    };
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

/// What compaction needs to know of a frame, read without decompressing its value.
#[derive(Debug)]
pub(crate) struct FrameSummary<'a> {
    pub offset: u64,
    pub timestamp_ms: i64,
    pub key: &'a [u8],
    /// The value is empty and there are no headers: a null tombstone, or an erased record.
    pub erased: bool,
}

/// Reads the offset, timestamp and key of a frame's payload, and whether it is already erased.
pub(crate) fn summarize(payload: &[u8], format: Format) -> Result<FrameSummary<'_>, String> {
    let mut cursor = Cursor(payload);
    let offset = u64::from_le_bytes(cursor.array()?);
    let timestamp_ms = i64::from_le_bytes(cursor.array()?);
    let key = cursor.bytes()?;
    if format == Format::V2 {
        cursor.array::<1>()?;
    }
    // A zstd frame is never empty, so an empty stored value is an empty value whatever the codec.
    let value_is_empty = cursor.bytes()?.is_empty();
    let header_count = u32::from_le_bytes(cursor.array()?);
    Ok(FrameSummary { offset, timestamp_ms, key, erased: value_is_empty && header_count == 0 })
}

/// One whole frame of a segment as [`Frames`] reads it.
pub(crate) struct Frame<'a> {
    /// File position of the frame.
    pub position: u64,
    /// The frame as stored: length, checksum and payload.
    pub bytes: &'a [u8],
}

impl Frame<'_> {
    pub fn payload(&self) -> &[u8] {
        &self.bytes[FRAME_HEADER_LEN..]
    }
}

/// Reads the frames of a segment in order, from the first up to file position `end` (the durable
/// length), through positioned reads: the file's cursor is left alone.
pub(crate) struct Frames<'a> {
    reader: BufReader<ReadAt<'a>>,
    path: &'a Path,
    position: u64,
    end: u64,
    frame: Vec<u8>,
}

impl<'a> Frames<'a> {
    pub fn new(file: &'a File, path: &'a Path, end: u64) -> Self {
        let position = MAGIC_LEN as u64;
        let reader = BufReader::with_capacity(1 << 20, ReadAt { file, position, end });
        Self { reader, path, position, end, frame: Vec::new() }
    }

    /// The next frame, `None` at `end`. The frames before `end` were checked when the segment was
    /// recovered or written, so anything amiss here is corruption.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        if self.position >= self.end {
            return Ok(None);
        }
        let position = self.position;
        let corrupt = |detail: &str| Error::Corrupt { path: self.path.to_path_buf(), position, detail: detail.into() };
        let mut header = [0u8; FRAME_HEADER_LEN];
        if read_up_to(&mut self.reader, &mut header).map_err(Error::io("reading segment", self.path))? < header.len() {
            return Err(corrupt("truncated frame header"));
        }
        let payload_len = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
        if !(MIN_PAYLOAD_LEN..=MAX_PAYLOAD_LEN).contains(&payload_len) {
            return Err(corrupt("bad frame length"));
        }
        self.frame.clear();
        self.frame.extend_from_slice(&header);
        self.frame.resize(FRAME_HEADER_LEN + payload_len as usize, 0);
        let payload = &mut self.frame[FRAME_HEADER_LEN..];
        if read_up_to(&mut self.reader, payload).map_err(Error::io("reading segment", self.path))? < payload.len() {
            return Err(corrupt("truncated frame payload"));
        }
        split_frame(&self.frame).map_err(|detail| corrupt(&detail))?;
        self.position += self.frame.len() as u64;
        Ok(Some(Frame { position, bytes: &self.frame }))
    }
}

/// [`Read`] over a file's bytes from `position` to `end`, by positioned reads.
struct ReadAt<'a> {
    file: &'a File,
    position: u64,
    end: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let wanted = (buf.len() as u64).min(self.end.saturating_sub(self.position)) as usize;
        if wanted == 0 {
            return Ok(0);
        }
        let read = self.file.read_at(&mut buf[..wanted], self.position)?;
        self.position += read as u64;
        Ok(read)
    }
}

/// What a recovery scan found in a segment.
#[derive(Debug)]
pub(crate) struct Recovered {
    /// File position of each frame; frame `n` holds offset `n`.
    pub positions: Vec<u64>,
    /// The segment's format (the current one for a segment still to be initialised).
    pub format: Format,
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
    let mut magic = [0u8; MAGIC_LEN];
    let magic_read = read_up_to(&mut reader, &mut magic).map_err(Error::io("reading segment", path))?;
    let not_a_segment = || Error::Corrupt { path: path.into(), position: 0, detail: "not an orca segment".into() };
    if magic_read < MAGIC_LEN {
        if magic[..magic_read] != Format::CURRENT.magic()[..magic_read] {
            return Err(not_a_segment());
        }
        return Ok(Recovered { positions: Vec::new(), format: Format::CURRENT, valid_len: 0, garbage_len: file_len });
    }
    let format = Format::of(&magic).ok_or_else(not_a_segment)?;

    let mut positions = Vec::new();
    let mut position = MAGIC_LEN as u64;
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
    Ok(Recovered { positions, format, valid_len: position, garbage_len: file_len - position })
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
        let headers = vec![("trace".to_string(), b"abc".to_vec()), ("empty".to_string(), Vec::new())];
        let long = "an incident at store S-0042 in Kent, value 1899 pence; ".repeat(40);
        for format in [Format::V1, Format::V2] {
            let mut buf = Vec::new();
            encode_frame(&mut buf, format, 7, 1_700_000_000_000, b"key", b"value", &headers);
            encode_frame(&mut buf, format, 8, -1, b"", b"", &[]);
            encode_frame(&mut buf, format, 9, 0, b"k", long.as_bytes(), &[]);
            let bound = frame_len(b"key", b"value", &headers)
                + frame_len(b"", b"", &[])
                + frame_len(b"k", long.as_bytes(), &[]);
            assert!(buf.len() <= bound, "{format:?}: {} bytes over the bound {bound}", buf.len());

            let records = decode_frames(&buf, format, "t", 2, 7, Path::new("seg"), 8).expect("decodes");
            assert_eq!(records.len(), 3);
            assert_eq!(records[0].key, b"key");
            assert_eq!(records[0].value, b"value");
            assert_eq!(records[0].headers, headers);
            assert_eq!(records[0].timestamp_ms, 1_700_000_000_000);
            assert_eq!((records[1].offset, records[1].partition), (8, 2));
            assert_eq!(records[2].value, long.as_bytes());
        }
    }

    #[test]
    fn the_current_format_stores_repetitive_values_compressed() {
        let long = "an incident at store S-0042 in Kent, value 1899 pence; ".repeat(40);
        let mut v1 = Vec::new();
        encode_frame(&mut v1, Format::V1, 0, 0, b"k", long.as_bytes(), &[]);
        let mut v2 = Vec::new();
        encode_frame(&mut v2, Format::CURRENT, 0, 0, b"k", long.as_bytes(), &[]);
        assert!(v2.len() * 5 < v1.len(), "{} bytes compressed against {} as given", v2.len(), v1.len());
    }

    #[test]
    fn a_flipped_bit_is_reported_as_corruption() {
        let mut buf = Vec::new();
        encode_frame(&mut buf, Format::CURRENT, 0, 0, b"k", b"v", &[]);
        let last = buf.len() - 1;
        buf[last] ^= 1;
        let error = decode_frames(&buf, Format::CURRENT, "t", 0, 0, Path::new("seg"), 8).expect_err("corrupt");
        assert!(matches!(error, Error::Corrupt { .. }), "{error}");
    }
}
