//! The one codec for compressed bytes that travel between phones (channel messages, bundle files, transferred lists
//! of changes): raw deflate, and inflation bounded so that a few kilobytes from a peer never cost more than the
//! caller's limit in memory.

use std::io::Read as _;

use flate2::read::DeflateEncoder;
use flate2::{Compression, Decompress, FlushDecompress, Status};

use crate::error::{Error, Refusal, Result};

/// Raw deflate (no zlib or gzip wrapper) of `bytes` at the default level. The same bytes always give the same
/// output, so a content hash of it is stable. Callers that only want it when it is smaller compare lengths.
pub(crate) fn deflate(bytes: &[u8]) -> Result<Vec<u8>> {
    // flate2's reading encoder, as bundles and offered lists of changes always were: the output depends on how the
    // input is fed, and an interrupted transfer resumes only if its list of changes compresses to the same bytes.
    let compressed = crate::am::catch(|| {
        let mut out = Vec::with_capacity(bytes.len() / 2);
        DeflateEncoder::new(bytes, Compression::default()).read_to_end(&mut out).map(|_| out)
    })
    .map_err(|panic| Error::internal(format!("deflate panicked: {panic}")))?;
    compressed.map_err(|e| Error::internal(format!("deflate: {e}")))
}

/// Inflates exactly one raw deflate stream from a peer. Output beyond `limit` bytes is [`Refusal::Oversized`]; an
/// invalid or truncated stream, or bytes after its end, are [`Refusal::Malformed`], as is a panic inside the
/// decoder. The output buffer starts small and doubles, but never past `limit + 1` bytes, whatever the stream claims.
pub(crate) fn inflate_bounded(input: &[u8], limit: usize) -> Result<Vec<u8>> {
    crate::am::guarded_peer("inflating a deflate stream", || {
        let oversized = || Refusal::Oversized.because(format!("a deflate stream inflates past the {limit} byte limit"));
        let mut inflater = Decompress::new(false);
        let cap = limit.saturating_add(1);
        let mut out = Vec::with_capacity(input.len().saturating_mul(4).max(64).min(cap));
        loop {
            if out.len() == out.capacity() {
                if out.len() >= cap {
                    return Err(oversized());
                }
                let target = out.capacity().saturating_mul(2).min(cap);
                out.reserve_exact(target.saturating_sub(out.len()));
            }
            let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
            let rest = input.get(consumed..).unwrap_or_default();
            let before = (consumed, out.len());
            // Not `Finish`: with flate2's miniz_oxide backend, `Finish` on a first call wants all the output at once,
            // and this buffer grows as it goes.
            let status = inflater
                .decompress_vec(rest, &mut out, FlushDecompress::None)
                .map_err(|_| Refusal::Malformed.because("not a valid deflate stream"))?;
            if out.len() > limit {
                return Err(oversized());
            }
            match status {
                Status::StreamEnd => break,
                Status::Ok | Status::BufError => {
                    let now = (usize::try_from(inflater.total_in()).unwrap_or(usize::MAX), out.len());
                    // No progress with room to write: the decoder wants input there is no more of.
                    if now == before && out.len() < out.capacity() {
                        return Err(Refusal::Malformed.because("a truncated deflate stream"));
                    }
                }
            }
        }
        if usize::try_from(inflater.total_in()).ok() != Some(input.len()) {
            return Err(Refusal::Malformed.because("bytes after the end of a deflate stream"));
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    use super::*;
    use crate::error::ErrorKind;

    fn refusal<T: std::fmt::Debug>(result: Result<T>) -> Refusal {
        match result.as_ref().map_err(Error::kind) {
            Err(ErrorKind::Rejected { kind, reason }) => {
                assert!(!reason.contains("panicked"), "{reason}");
                *kind
            }
            other => panic!("not a refusal: {other:?}"),
        }
    }

    #[test]
    fn round_trips_empty_small_large_and_incompressible_bytes() {
        let mut noise = vec![0u8; 300_000];
        StdRng::seed_from_u64(7).fill(&mut noise[..]);
        let text = "a walk by the river, and a quiet evening. ".repeat(100_000).into_bytes();
        for bytes in [vec![], b"x".to_vec(), noise, text] {
            let compressed = deflate(&bytes).unwrap();
            assert_eq!(deflate(&bytes).unwrap(), compressed, "deterministic");
            // Exactly at the limit is fine, and the buffer never went past limit + 1 on the way.
            let inflated = inflate_bounded(&compressed, bytes.len()).unwrap();
            assert!(inflated.capacity() <= bytes.len() + 1);
            assert_eq!(inflated, bytes);
            assert_eq!(inflate_bounded(&compressed, 64 << 20).unwrap(), bytes);
        }
        // What an older version, reading with flate2's decoder, reads.
        let text = b"the same stream everyone else reads".repeat(50);
        let mut decoded = Vec::new();
        flate2::read::DeflateDecoder::new(deflate(&text).unwrap().as_slice()).read_to_end(&mut decoded).unwrap();
        assert_eq!(decoded, text);
    }

    #[test]
    fn a_bomb_is_oversized_without_inflating_it() {
        let bomb = deflate(&vec![0u8; 16 << 20]).unwrap();
        assert!(bomb.len() < 32 * 1024, "{} bytes", bomb.len());
        let started = std::time::Instant::now();
        assert_eq!(refusal(inflate_bounded(&bomb, 1 << 20)), Refusal::Oversized);
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        // One byte over is as oversized as a megabyte over; a limit of nothing allows only the empty stream.
        assert_eq!(refusal(inflate_bounded(&deflate(&[7; 1001]).unwrap(), 1000)), Refusal::Oversized);
        assert_eq!(refusal(inflate_bounded(&deflate(b"a").unwrap(), 0)), Refusal::Oversized);
        assert_eq!(inflate_bounded(&deflate(b"").unwrap(), 0).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn truncated_invalid_and_trailing_bytes_are_malformed() {
        let text = "every fragment of a stream matters. ".repeat(2_000).into_bytes();
        let compressed = deflate(&text).unwrap();
        for cut in [0, 1, compressed.len() / 2, compressed.len() - 1] {
            let truncated = compressed.get(..cut).unwrap();
            assert_eq!(refusal(inflate_bounded(truncated, 1 << 20)), Refusal::Malformed, "cut at {cut}");
        }
        let mut trailing = compressed.clone();
        trailing.push(0);
        assert_eq!(refusal(inflate_bounded(&trailing, 1 << 20)), Refusal::Malformed);
        let twice = [compressed.as_slice(), compressed.as_slice()].concat();
        assert_eq!(refusal(inflate_bounded(&twice, 1 << 20)), Refusal::Malformed);
        // 0xff opens a final block of the reserved type 3.
        assert_eq!(refusal(inflate_bounded(&[0xff; 64], 1 << 20)), Refusal::Malformed);
        assert_eq!(refusal(inflate_bounded(&[], 1 << 20)), Refusal::Malformed);
    }

    #[test]
    fn random_and_mutated_streams_are_refused_or_inflated_never_panic() {
        let mut rng = StdRng::seed_from_u64(0x0063_6f64_6563);
        let text = "we met on tuesday and talked about sleep. ".repeat(300).into_bytes();
        let compressed = deflate(&text).unwrap();
        for round in 0..3000 {
            let mut input = if round % 2 == 0 {
                compressed.clone()
            } else {
                let mut random = vec![0u8; rng.random_range(0..300)];
                rng.fill(&mut random[..]);
                random
            };
            if let Some(byte) = input.get_mut(rng.random_range(0..compressed.len())) {
                *byte ^= 1 << rng.random_range(0..8);
            }
            match inflate_bounded(&input, 20_000) {
                Ok(out) => assert!(out.len() <= 20_000),
                Err(e) => assert!(matches!(refusal::<()>(Err(e)), Refusal::Malformed | Refusal::Oversized)),
            }
        }
    }
}
