//! Wellbeing (issue 12): `trends_2y_ms`, the time to compute every trend (`Kindred::trends(730)`: averages by day,
//! week and month, instrument trends, associations) over two years of daily check-ins (mood, sleep, an activity
//! most days, emotions, a tag) and weekly PHQ-9 and WHO-5 results, as the median of repeated runs in this process.

use std::time::Instant;

use kindred_core::{Kindred, NewCheckin};

/// The design target for `trends_2y_ms` (the issue aims for 5 ms).
pub const TARGET_TRENDS_2Y_MS: f64 = 50.0;

const DAYS: i64 = 730;
const RUNS: usize = 15;
const DAY_MS: i64 = 86_400_000;

/// The median time of `trends(730)` over a profile with two years of records, in milliseconds; NaN if the trends do
/// not cover what was recorded.
pub fn trends_2y_ms(dir: &std::path::Path) -> kindred_core::Result<f64> {
    let kindred = Kindred::create(dir, "Bench")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let activities = ["walk", "time with others", "work", "rest", "hobby"];
    let emotions = ["calm", "anxious", "tired", "hopeful"];
    for day in 0..DAYS {
        let at = now - (DAYS - day) * DAY_MS + 3_600_000;
        let i = usize::try_from(day).unwrap_or(0);
        kindred.record_checkin(NewCheckin {
            mood: u8::try_from(day % 5).unwrap_or(0) + 1,
            energy: Some(3),
            sleep_hours: Some(5.0 + (day % 5) as f64),
            activities: activities
                .get(i % activities.len())
                .filter(|_| day % 4 != 0)
                .map(|a| (*a).to_owned())
                .into_iter()
                .collect(),
            emotions: emotions.get(i % emotions.len()).map(|e| (*e).to_owned()).into_iter().collect(),
            tags: if day % 3 == 0 { vec!["family".to_owned()] } else { vec![] },
            at: Some(at),
            ..Default::default()
        })?;
        if day % 7 == 0 {
            let a = u8::try_from(day % 4).unwrap_or(0);
            kindred.take_instrument("phq9", &[a, a, 1, 1, a, 0, 1, 0, 0], Some(at))?;
            kindred.take_instrument("who5", &[a + 1, 3, 2, a, 3], Some(at))?;
        }
    }
    let check = kindred.trends(DAYS as u32)?;
    if check.checkin_days < 700 || check.instruments.len() != 2 || check.associations.is_empty() {
        eprintln!("kindred-bench: the trends did not cover the records");
        return Ok(f64::NAN);
    }
    let times = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(kindred.trends(DAYS as u32).ok());
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    Ok(crate::median(times))
}
