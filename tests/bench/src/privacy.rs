//! The alternative to page-level encryption, measured by its unit of work: `app_level_seal_us`, sealing and opening
//! one message's words on their own with ChaCha20-Poly1305 (the AEAD the core already links), as application-level
//! encryption of values would for every value written and read. Page-level encryption (SQLite3 Multiple Ciphers, what
//! the core uses) is measured by the main keys against their `_plain` twins.

use std::time::Instant;

use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};

use crate::workload::Workload;

/// Median microseconds to seal and open one drafted message's words (random nonce each), over `count` drafts.
pub fn app_level_seal_us(seed: u64, count: usize) -> f64 {
    let cipher = ChaCha20Poly1305::new(&[7u8; 32].into());
    let mut workload = Workload::new(seed, count);
    let mut times: Vec<f64> = (0..count)
        .filter_map(|_| {
            let text = workload.draft().text;
            let mut nonce = [0u8; 12];
            rand::fill(&mut nonce);
            let started = Instant::now();
            let sealed = cipher.encrypt(&nonce.into(), text.as_bytes()).ok()?;
            let opened = cipher.decrypt(&nonce.into(), sealed.as_slice()).ok()?;
            let took = started.elapsed().as_secs_f64() * 1e6;
            (opened == text.as_bytes()).then_some(took)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
}
