//! The synthetic chat both sides of the benchmark write: seeded, so every run writes the same history.
//!
//! Text is words drawn from a vocabulary of about 300 common English words with a Zipf distribution (rank r is drawn
//! with weight 1/r), with occasional commas and sentence breaks, 60 to 120 bytes a message. Authors are 8 members
//! whose activity is also skewed (a few people talk most). Timestamps climb over about six months in bursts: most
//! gaps are seconds to minutes (a conversation), some are hours (a quiet spell).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Shortest message text, in bytes.
pub const TEXT_MIN_BYTES: usize = 60;
/// Longest message text, in bytes.
pub const TEXT_MAX_BYTES: usize = 120;
/// Members of the benchmark group.
pub const MEMBERS: usize = 8;

/// 2026-01-01T00:00:00Z: where the generated history starts.
const HISTORY_START_MS: i64 = 1_767_225_600_000;
/// How long the generated history spans, whatever its size.
const HISTORY_SPAN_MS: i64 = 180 * 24 * 3600 * 1000;
/// Share of gaps that fall inside a conversation, and their mean length.
const BURST_SHARE: f64 = 0.85;
const BURST_MEAN_GAP_MS: f64 = 40_000.0;

/// Relative activity of the 8 members.
const MEMBER_WEIGHTS: [u32; MEMBERS] = [30, 20, 15, 10, 10, 7, 5, 3];

/// Common English and peer-support words, roughly most frequent first (rank drives the Zipf weight), each once and
/// at most 12 bytes long. "I" is the only capital.
#[rustfmt::skip]
const VOCABULARY: &[&str] = &[
    "the", "I", "to", "and", "a", "it", "you", "of", "is", "that", "in", "my", "me", "for", "was", "so", "this", "but",
    "have", "not", "with", "just", "be", "on", "do", "we", "all", "what", "are", "like", "can", "about", "feel", "if",
    "today", "at", "it's", "really", "know", "get", "your", "they", "been", "too", "think", "one", "out", "up", "how",
    "good", "day", "when", "had", "time", "there", "more", "or", "from", "thank", "now", "some", "people", "feeling",
    "go", "did", "would", "week", "much", "by", "going", "an", "because", "still", "he", "she", "very", "sleep", "also",
    "want", "little", "back", "well", "them", "help", "try", "night", "yes", "here", "make", "things", "walk", "hope",
    "something", "see", "better", "first", "again", "thanks", "could", "last", "work", "bit", "tired", "doctor",
    "morning", "made", "take", "over", "sure", "other", "same", "said", "her", "him", "never", "need", "new", "which",
    "only", "even", "any", "everyone", "after", "lot", "group", "long", "right", "always", "talk", "hard", "helps",
    "glad", "yesterday", "tomorrow", "friend", "family", "our", "who", "were", "has", "way", "let", "us", "anxious",
    "calm", "together", "appointment", "medication", "meds", "therapy", "felt", "goal", "goals", "small", "step",
    "steps", "proud", "keep", "kind", "share", "sharing", "listen", "heard", "okay", "maybe", "days", "weeks", "month",
    "home", "outside", "breakfast", "water", "coffee", "tea", "eat", "ate", "cook", "dinner", "lunch", "rest", "slept",
    "hours", "early", "late", "bed", "woke", "dream", "body", "mind", "head", "heart", "breathe", "breathing",
    "exercise", "stretch", "yoga", "run", "park", "sun", "rain", "cold", "warm", "weather", "phone", "call", "message",
    "read", "book", "music", "song", "movie", "watch", "thought", "remember", "forgot", "worry", "worried", "scared",
    "happy", "sad", "angry", "lonely", "alone", "safe", "support", "care", "myself", "yourself", "someone", "nobody",
    "anything", "nothing", "everything", "sometimes", "often", "usually", "almost", "enough", "less", "most", "many",
    "few", "every", "each", "both", "before", "during", "since", "until", "while", "though", "through", "around",
    "into", "down", "off", "away", "once", "twice", "start", "started", "stop", "stopped", "finish", "finished",
    "tried", "trying", "manage", "managed", "plan", "plans", "week's", "routine", "habit", "habits", "progress",
    "check", "mood", "energy", "low", "high", "bad", "great", "fine", "worse", "best", "hug", "hugs", "love", "nice",
    "wonderful", "brave", "strong", "gentle", "patient", "difficult", "easy", "simple", "quiet", "busy", "slow", "fast",
    "news", "result", "results", "scan", "nurse", "clinic", "hospital", "treatment", "side", "effects", "pain",
    "appetite", "smoke", "smoking", "cigarette", "craving", "cravings", "quit", "counting", "journal", "wrote", "write",
    "note", "notes", "list",
];

/// One message as the workload dictates it.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Index of the author among the group's members, `0..MEMBERS`.
    pub member: usize,
    /// The author's clock when posting, ms since the Unix epoch.
    pub at_ms: i64,
    pub text: String,
}

/// A seeded generator of messages for a history of a given size.
#[derive(Debug)]
pub struct Workload {
    rng: StdRng,
    /// Cumulative Zipf weights of `VOCABULARY`, last element 1.0.
    word_cdf: Vec<f64>,
    member_cdf: Vec<u32>,
    next_ms: i64,
    quiet_mean_gap_ms: f64,
}

impl Workload {
    /// A generator for a history of `messages` messages spread over about six months; the same seed and size
    /// always produce the same drafts.
    pub fn new(seed: u64, messages: usize) -> Self {
        let mut total = 0.0;
        let word_cdf: Vec<f64> = (1..=VOCABULARY.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        let word_cdf = word_cdf.into_iter().map(|c| c / total).collect();
        let mut running = 0;
        let member_cdf = MEMBER_WEIGHTS
            .iter()
            .map(|w| {
                running += w;
                running
            })
            .collect();
        // Pick the mean of the long gaps so the whole history spans HISTORY_SPAN_MS on average.
        let mean_gap = HISTORY_SPAN_MS as f64 / messages.max(1) as f64;
        let quiet_mean_gap_ms =
            ((mean_gap - BURST_SHARE * BURST_MEAN_GAP_MS) / (1.0 - BURST_SHARE)).max(BURST_MEAN_GAP_MS);
        Self { rng: StdRng::seed_from_u64(seed), word_cdf, member_cdf, next_ms: HISTORY_START_MS, quiet_mean_gap_ms }
    }

    /// The next message.
    pub fn draft(&mut self) -> Draft {
        let member = self.member();
        let at_ms = self.timestamp();
        let text = self.text();
        Draft { member, at_ms, text }
    }

    fn member(&mut self) -> usize {
        let total = self.member_cdf.last().copied().unwrap_or(1);
        let x = self.rng.random_range(0..total);
        self.member_cdf.partition_point(|&c| c <= x).min(MEMBERS - 1)
    }

    fn timestamp(&mut self) -> i64 {
        let mean = if self.rng.random_bool(BURST_SHARE) { BURST_MEAN_GAP_MS } else { self.quiet_mean_gap_ms };
        // Exponential gap: -ln(U) * mean, with U in (0, 1].
        let u: f64 = 1.0 - self.rng.random::<f64>();
        self.next_ms += (-u.ln() * mean) as i64 + 1;
        self.next_ms
    }

    fn word(&mut self) -> &'static str {
        let x: f64 = self.rng.random();
        let rank = self.word_cdf.partition_point(|&c| c < x);
        VOCABULARY.get(rank).or(VOCABULARY.last()).copied().unwrap_or("ok")
    }

    /// A message text of `TEXT_MIN_BYTES..=TEXT_MAX_BYTES` bytes: words, spaces, a few commas and full stops,
    /// capitalised sentences, ending in punctuation.
    pub fn text(&mut self) -> String {
        let target = self.rng.random_range(TEXT_MIN_BYTES..=TEXT_MAX_BYTES);
        let mut text = String::with_capacity(TEXT_MAX_BYTES);
        let mut capitalise = true;
        // Stop one byte short of the target, for the final punctuation mark.
        while text.len() + 1 < target {
            let word = self.word();
            // Worst case: a two-byte separator, the word and the final mark. The longest word is 12 bytes, so this
            // only fails once the text is already past TEXT_MIN_BYTES.
            if text.len() + 2 + word.len() + 1 > TEXT_MAX_BYTES {
                break;
            }
            if !text.is_empty() {
                match self.rng.random_range(0..20) {
                    0 | 1 => text.push_str(", "),
                    2 => {
                        text.push_str(". ");
                        capitalise = true;
                    }
                    _ => text.push(' '),
                }
            }
            if capitalise {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    text.extend(first.to_uppercase());
                    text.push_str(chars.as_str());
                }
                capitalise = false;
            } else {
                text.push_str(word);
            }
        }
        text.push(match self.rng.random_range(0..10) {
            0 | 1 => '!',
            2 => '?',
            _ => '.',
        });
        text
    }
}

/// The 32-byte member keys of the benchmark group (fixed, so both sides name the same people).
pub fn member_keys() -> [[u8; 32]; MEMBERS] {
    let mut rng = StdRng::seed_from_u64(0x6b65_7973);
    let mut keys = [[0u8; 32]; MEMBERS];
    for key in &mut keys {
        rng.fill(&mut key[..]);
    }
    keys
}

/// zlib (level 6) compressed size over raw size of the texts concatenated: how compressible the workload is. The
/// research baseline was calibrated to 0.51; English prose is about 0.35.
pub fn zlib_ratio(texts: &[String]) -> f64 {
    use std::io::Write;
    let raw: usize = texts.iter().map(String::len).sum();
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    for text in texts {
        if encoder.write_all(text.as_bytes()).is_err() {
            return f64::NAN;
        }
    }
    match encoder.finish() {
        Ok(compressed) if raw > 0 => compressed.len() as f64 / raw as f64,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_in_range_and_reproducible() {
        let mut a = Workload::new(7, 1000);
        let mut b = Workload::new(7, 1000);
        for _ in 0..2000 {
            let (x, y) = (a.draft(), b.draft());
            assert!((TEXT_MIN_BYTES..=TEXT_MAX_BYTES).contains(&x.text.len()), "{:?}", x.text);
            assert_eq!(x.text, y.text);
            assert_eq!(x.at_ms, y.at_ms);
            assert!(x.member < MEMBERS);
        }
    }

    #[test]
    fn vocabulary_is_distinct_and_short() {
        let distinct: std::collections::BTreeSet<_> = VOCABULARY.iter().collect();
        assert_eq!(distinct.len(), VOCABULARY.len());
        assert!(VOCABULARY.iter().all(|w| !w.is_empty() && w.len() <= 12));
    }

    #[test]
    fn history_spans_months() {
        let mut w = Workload::new(1, 10_000);
        let last = (0..10_000).map(|_| w.draft().at_ms).last().unwrap_or(0);
        let days = (last - HISTORY_START_MS) / (24 * 3600 * 1000);
        assert!((120..=240).contains(&days), "{days} days");
    }
}
