//! zstd compression of the values ORCA stores (state records, package bodies, log records), with one
//! compression and one decompression context per thread, reused: a fresh context per value cost
//! more CPU than compressing the value (`benches/e2e/RESULTS.md`).

use std::cell::RefCell;

/// zstd's fastest standard level: a few percent larger than its default (3), and cheaper on the
/// small values that make up most of what is stored.
const LEVEL: i32 = 1;
/// Values shorter than this are left as they are: a frame's header would eat the saving.
const MIN_COMPRESSED_LEN: usize = 64;

thread_local! {
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// `value` as a zstd frame that records its size, when that is smaller than `value`.
pub fn compress(value: &[u8]) -> Option<Vec<u8>> {
    if value.len() < MIN_COMPRESSED_LEN {
        return None;
    }
    COMPRESSOR.with_borrow_mut(|compressor| {
        if compressor.is_none() {
            *compressor = zstd::bulk::Compressor::new(LEVEL).ok();
        }
        compressor.as_mut()?.compress(value).ok().filter(|compressed| compressed.len() < value.len())
    })
}

/// The value in a frame written by [`compress`], refusing one that claims more than `max_len`.
pub fn decompress(frame: &[u8], max_len: u64) -> Result<Vec<u8>, String> {
    let len = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(len)) if len <= max_len => len as usize,
        Ok(Some(len)) => return Err(format!("it claims {len} bytes")),
        _ => return Err("it is not a zstd frame with its size".to_owned()),
    };
    DECOMPRESSOR.with_borrow_mut(|decompressor| {
        if decompressor.is_none() {
            *decompressor = Some(zstd::bulk::Decompressor::new().map_err(|error| error.to_string())?);
        }
        let decompressor = decompressor.as_mut().expect("set above");
        decompressor.decompress(frame, len).map_err(|error| error.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repetitive_values_shrink_and_come_back_whole() {
        let value = "{\"offence\":\"theft from shop\",\"force\":\"Kent Police\"}".repeat(100);
        let frame = compress(value.as_bytes()).expect("compressible");
        assert!(frame.len() * 10 < value.len());
        assert_eq!(decompress(&frame, 1 << 20).unwrap(), value.as_bytes());
    }

    #[test]
    fn short_values_are_left_alone_and_oversized_or_foreign_frames_refused() {
        assert_eq!(compress(b"{\"a\":1}"), None);
        let frame = compress(&[b'x'; 4096]).expect("compressible");
        assert!(decompress(&frame, 100).unwrap_err().contains("4096"));
        assert!(decompress(b"not zstd", 100).unwrap_err().contains("not a zstd frame"));
    }
}
