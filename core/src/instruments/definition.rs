//! An instrument as data: its items, answer options, bands, flags, recall period and meaningful change, in a small
//! text format, and its scoring exactly as published.
//!
//! The format (`definitions/*.txt` are the shipped ones): one `key: value` per line; `#` starts a comment line.
//!
//! | key | value |
//! |---|---|
//! | `id` | the instrument's id, `[a-z0-9_]`, at most 16 (`phq9`); a translation keeps the id |
//! | `title`, `name`, `language`, `recall` | short title, full name, language subtag, the recall period's question |
//! | `option` | an answer: its value (0-10) and label, `0 Not at all`; every item takes the same options |
//! | `item` / `item!` | an item's text, in order; `item!` marks a **private** item, whose answer never leaves the phone |
//! | `band` | `min-max label`: the bands must cover every possible total exactly once |
//! | `percentage` | a multiplier: the score shown as a percentage is the total times it (WHO-5: 4) |
//! | `higher` | `better` when a higher score means better (WHO-5); otherwise higher is worse |
//! | `flag` / `flag!` | `condition: label`, where the condition is `total`, `item N`, `items A-B` (their sum) or `any item`, then `>=`, `>`, `<=` or `<`, then a number; `flag!` marks a **crisis** flag, which offers the safety plan and crisis resources at once |
//! | `change` | the meaningful change, in points of the total (`5`) or of the percentage (`10%`) |
//!
//! Answers must be complete: every item answered with one of the options. The published rules of these instruments
//! either do not score incomplete answers or leave proration to the clinician, so Kindred refuses them
//! (`InvalidInput` naming how many were given) rather than guess.

use serde::Serialize;

use crate::error::{Error, Result};

/// Largest definition text accepted.
pub const MAX_DEFINITION_BYTES: usize = 16 * 1024;
/// Most items an instrument may have.
pub const MAX_ITEMS: usize = 40;
/// Most answer options.
pub const MAX_OPTIONS: usize = 11;
/// Longest text of an item, option, band or flag, in characters.
pub const MAX_TEXT_CHARS: usize = 300;

/// One answer option of an instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AnswerOption {
    /// What the answer scores.
    pub value: u8,
    /// What the person reads ("Several days").
    pub label: String,
}

/// One item (question) of an instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InstrumentItem {
    /// Its number, from 1.
    pub number: u32,
    /// What the person reads.
    pub text: String,
    /// A private item (PHQ-9 item 9): its answer never leaves the phone, not even when the rest is shared.
    pub private: bool,
}

/// A band of totals and its label ("10-14 Moderate").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScoreBand {
    /// Lowest total in the band.
    pub min: u32,
    /// Highest total in the band.
    pub max: u32,
    /// Its label.
    pub label: String,
}

/// A validated instrument, ready to score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Instrument {
    /// Its id (`phq9`); the same in every language.
    pub id: String,
    /// Its short title ("PHQ-9").
    pub title: String,
    /// Its full name.
    pub name: String,
    /// The language of its texts ("en").
    pub language: String,
    /// The recall period, as the question before the items.
    pub recall: String,
    /// The answers every item takes, in the order shown.
    pub options: Vec<AnswerOption>,
    /// The items, in order.
    pub items: Vec<InstrumentItem>,
    /// Its bands, lowest first (empty when it has none).
    pub bands: Vec<ScoreBand>,
    /// The lowest possible total.
    pub min_score: u32,
    /// The highest possible total.
    pub max_score: u32,
    /// The percentage multiplier (WHO-5: 4), if its score is also shown as a percentage.
    pub percentage_multiplier: Option<u32>,
    /// Whether a higher score is better (WHO-5) rather than worse.
    pub higher_is_better: bool,
    /// The meaningful change, in points of the total, or of the percentage when `change_in_percentage`.
    pub meaningful_change: Option<u32>,
    /// Whether `meaningful_change` is in percentage points (WHO-5: 10).
    pub change_in_percentage: bool,
    /// Its flag rules, in order.
    pub flags: Vec<InstrumentFlag>,
}

/// A flag rule: when its condition holds for the answers, its label is raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InstrumentFlag {
    /// What is compared: the total, a sum of items, or each item.
    pub subject: FlagSubject,
    /// How.
    pub comparison: FlagComparison,
    /// With what.
    pub threshold: u32,
    /// What is raised ("Further evaluation recommended").
    pub label: String,
    /// A crisis flag (PHQ-9 item 9 above 0) offers the safety plan and crisis resources at once.
    pub crisis: bool,
}

/// What a flag rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FlagSubject {
    /// The total.
    Total,
    /// The sum of items `from` to `to`, numbered from 1 (one item when they are equal).
    Items {
        /// The first item.
        from: u32,
        /// The last item.
        to: u32,
    },
    /// Each item: the flag is raised if any one holds.
    AnyItem,
}

/// How a flag rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum FlagComparison {
    /// `>=`
    AtLeast,
    /// `>`
    Above,
    /// `<=`
    AtMost,
    /// `<`
    Below,
}

impl FlagComparison {
    fn holds(self, value: u32, threshold: u32) -> bool {
        match self {
            Self::AtLeast => value >= threshold,
            Self::Above => value > threshold,
            Self::AtMost => value <= threshold,
            Self::Below => value < threshold,
        }
    }
}

/// An instrument's score for one set of answers, exactly as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InstrumentScore {
    /// The instrument's id.
    pub instrument: String,
    /// The total (WHO-5: the raw score, 0-25).
    pub score: u32,
    /// The highest possible total.
    pub max_score: u32,
    /// The total times the instrument's multiplier (WHO-5: 0-100), if it has one.
    pub percentage: Option<u32>,
    /// The band's label, if the instrument has bands.
    pub band: Option<String>,
    /// The labels of the flags raised, each once, in the definition's order.
    pub flags: Vec<String>,
    /// Whether a crisis flag was raised (PHQ-9 item 9 above 0): the person's safety plan and crisis resources are
    /// offered at once.
    pub crisis: bool,
}

fn invalid(line: usize, what: impl std::fmt::Display) -> Error {
    Error::invalid("instrument definition", format!("line {line}: {what}"))
}

fn text(line: usize, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_TEXT_CHARS || value.chars().any(char::is_control) {
        return Err(invalid(line, format!("a text must be 1 to {MAX_TEXT_CHARS} characters on one line")));
    }
    Ok(value.to_owned())
}

fn number(line: usize, value: &str) -> Result<u32> {
    value.trim().parse().map_err(|_| invalid(line, "not a number"))
}

fn parse_flag(line: usize, value: &str, crisis: bool) -> Result<InstrumentFlag> {
    let (condition, label) = value.split_once(':').ok_or_else(|| invalid(line, "a flag is `condition: label`"))?;
    let words: Vec<&str> = condition.split_whitespace().collect();
    let (subject, rest) = match words.as_slice() {
        ["total", rest @ ..] => (FlagSubject::Total, rest),
        ["any", "item", rest @ ..] => (FlagSubject::AnyItem, rest),
        ["item", n, rest @ ..] => {
            let n = number(line, n)?;
            (FlagSubject::Items { from: n, to: n }, rest)
        }
        ["items", range, rest @ ..] => {
            let (a, b) = range.split_once('-').ok_or_else(|| invalid(line, "`items A-B`"))?;
            (FlagSubject::Items { from: number(line, a)?, to: number(line, b)? }, rest)
        }
        _ => return Err(invalid(line, "a flag's condition starts with total, item N, items A-B or any item")),
    };
    let (comparison, threshold) = match rest {
        [op, n] => {
            let comparison = match *op {
                ">=" => FlagComparison::AtLeast,
                ">" => FlagComparison::Above,
                "<=" => FlagComparison::AtMost,
                "<" => FlagComparison::Below,
                _ => return Err(invalid(line, "a comparison is >=, >, <= or <")),
            };
            (comparison, number(line, n)?)
        }
        _ => return Err(invalid(line, "a flag's condition ends with a comparison and a number")),
    };
    Ok(InstrumentFlag { subject, comparison, threshold, label: text(line, label)?, crisis })
}

impl Instrument {
    /// Parses and validates a definition (the format in this module's documentation). Fails with `InvalidInput`
    /// naming the line and what is wrong.
    pub fn parse(definition: &str) -> Result<Self> {
        if definition.len() > MAX_DEFINITION_BYTES {
            return Err(Error::invalid("instrument definition", format!("longer than {MAX_DEFINITION_BYTES} bytes")));
        }
        let mut i = Instrument {
            id: String::new(),
            title: String::new(),
            name: String::new(),
            language: String::new(),
            recall: String::new(),
            options: Vec::new(),
            items: Vec::new(),
            bands: Vec::new(),
            min_score: 0,
            max_score: 0,
            percentage_multiplier: None,
            higher_is_better: false,
            meaningful_change: None,
            change_in_percentage: false,
            flags: Vec::new(),
        };
        for (index, raw) in definition.lines().enumerate() {
            let line = index + 1;
            let raw = raw.trim();
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let (key, value) = raw.split_once(':').ok_or_else(|| invalid(line, "expected `key: value`"))?;
            match key.trim() {
                "id" => {
                    let id = value.trim();
                    let ok = (1..=16).contains(&id.len())
                        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                    if !ok {
                        return Err(invalid(line, "an id is 1 to 16 of a-z, 0-9 and _"));
                    }
                    i.id = id.to_owned();
                }
                "title" => i.title = text(line, value)?,
                "name" => i.name = text(line, value)?,
                "language" => i.language = text(line, value)?.to_ascii_lowercase(),
                "recall" => i.recall = text(line, value)?,
                "option" => {
                    let (v, label) = value.trim().split_once(' ').ok_or_else(|| invalid(line, "`option: N label`"))?;
                    let v = u8::try_from(number(line, v)?).ok().filter(|v| *v <= 10);
                    let value = v.ok_or_else(|| invalid(line, "an option's value is 0 to 10"))?;
                    if i.options.iter().any(|o| o.value == value) || i.options.len() >= MAX_OPTIONS {
                        return Err(invalid(line, "a repeated option, or too many"));
                    }
                    i.options.push(AnswerOption { value, label: text(line, label)? });
                }
                key @ ("item" | "item!") => {
                    if i.items.len() >= MAX_ITEMS {
                        return Err(invalid(line, format!("more than {MAX_ITEMS} items")));
                    }
                    let number = u32::try_from(i.items.len() + 1).unwrap_or(u32::MAX);
                    i.items.push(InstrumentItem { number, text: text(line, value)?, private: key == "item!" });
                }
                "band" => {
                    let (range, label) =
                        value.trim().split_once(' ').ok_or_else(|| invalid(line, "`band: A-B label`"))?;
                    let (a, b) = range.split_once('-').ok_or_else(|| invalid(line, "`band: A-B label`"))?;
                    i.bands.push(ScoreBand { min: number(line, a)?, max: number(line, b)?, label: text(line, label)? });
                }
                "percentage" => i.percentage_multiplier = Some(number(line, value)?).filter(|m| (1..=100).contains(m)),
                "higher" => match value.trim() {
                    "better" => i.higher_is_better = true,
                    "worse" => i.higher_is_better = false,
                    _ => return Err(invalid(line, "`higher: better` or `higher: worse`")),
                },
                key @ ("flag" | "flag!") => i.flags.push(parse_flag(line, value, key == "flag!")?),
                "change" => {
                    let value = value.trim();
                    let (n, percent) = match value.strip_suffix('%') {
                        Some(n) => (n, true),
                        None => (value, false),
                    };
                    i.meaningful_change = Some(number(line, n)?);
                    i.change_in_percentage = percent;
                }
                _ => return Err(invalid(line, "unknown key")),
            }
        }
        i.validate()?;
        Ok(i)
    }

    fn validate(&mut self) -> Result<()> {
        let missing = |what: &str| Error::invalid("instrument definition", format!("it has no {what}"));
        for (value, what) in [(&self.id, "id"), (&self.title, "title"), (&self.language, "language")] {
            if value.is_empty() {
                return Err(missing(what));
            }
        }
        if self.name.is_empty() {
            self.name = self.title.clone();
        }
        if self.options.len() < 2 {
            return Err(missing("two answer options"));
        }
        if self.items.is_empty() {
            return Err(missing("items"));
        }
        let n = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        let lowest = self.options.iter().map(|o| u32::from(o.value)).min().unwrap_or(0);
        let highest = self.options.iter().map(|o| u32::from(o.value)).max().unwrap_or(0);
        self.min_score = lowest * n;
        self.max_score = highest * n;
        if self.change_in_percentage && self.percentage_multiplier.is_none() {
            return Err(Error::invalid("instrument definition", "a change in % needs a `percentage` multiplier"));
        }
        // Bands cover every possible total exactly once, lowest first.
        if !self.bands.is_empty() {
            crate::sorting::sort_by_u64_key(&mut self.bands, |b| u64::from(b.min));
            let mut next = self.min_score;
            for band in &self.bands {
                if band.min != next || band.max < band.min {
                    return Err(Error::invalid(
                        "instrument definition",
                        format!(
                            "band {}-{} leaves a gap or overlaps (expected it to start at {next})",
                            band.min, band.max
                        ),
                    ));
                }
                next = band.max + 1;
            }
            if next != self.max_score + 1 {
                return Err(Error::invalid(
                    "instrument definition",
                    format!("the bands end at {}, the highest total is {}", next - 1, self.max_score),
                ));
            }
        }
        for flag in &self.flags {
            if let FlagSubject::Items { from, to } = flag.subject
                && (from == 0 || to < from || to as usize > self.items.len())
            {
                return Err(Error::invalid("instrument definition", format!("a flag names items {from}-{to}")));
            }
        }
        Ok(())
    }

    /// Scores complete answers (one per item, in order, each one of the options' values), exactly as published.
    /// Fails with `InvalidInput` (field `answers`) for a missing, extra or unknown answer, naming the item and the
    /// options, never guessing.
    pub fn score(&self, answers: &[u8]) -> Result<InstrumentScore> {
        if answers.len() != self.items.len() {
            return Err(Error::invalid(
                "answers",
                format!(
                    "{} of {} given; {} is scored from complete answers only",
                    answers.len(),
                    self.items.len(),
                    self.title
                ),
            ));
        }
        for (i, a) in answers.iter().enumerate() {
            if !self.options.iter().any(|o| o.value == *a) {
                let allowed: Vec<String> = self.options.iter().map(|o| o.value.to_string()).collect();
                return Err(Error::invalid(
                    "answers",
                    format!("item {} has {a}; {} takes {}", i + 1, self.title, allowed.join(", ")),
                ));
            }
        }
        let total: u32 = answers.iter().map(|a| u32::from(*a)).sum();
        let sum = |from: u32, to: u32| {
            answers.get(from as usize - 1..to as usize).map_or(0, |s| s.iter().map(|x| u32::from(*x)).sum())
        };
        let mut flags: Vec<String> = Vec::new();
        let mut crisis = false;
        for flag in &self.flags {
            let raised = match flag.subject {
                FlagSubject::Total => flag.comparison.holds(total, flag.threshold),
                FlagSubject::Items { from, to } => flag.comparison.holds(sum(from, to), flag.threshold),
                FlagSubject::AnyItem => answers.iter().any(|x| flag.comparison.holds(u32::from(*x), flag.threshold)),
            };
            if raised {
                crisis |= flag.crisis;
                if !flags.contains(&flag.label) {
                    flags.push(flag.label.clone());
                }
            }
        }
        Ok(InstrumentScore {
            instrument: self.id.clone(),
            score: total,
            max_score: self.max_score,
            percentage: self.percentage_multiplier.map(|m| total * m),
            band: self.bands.iter().find(|b| (b.min..=b.max).contains(&total)).map(|b| b.label.clone()),
            flags,
            crisis,
        })
    }

    /// The item numbers whose answers are private (never leave the phone).
    pub fn private_items(&self) -> Vec<u32> {
        self.items.iter().filter(|i| i.private).map(|i| i.number).collect()
    }
}
