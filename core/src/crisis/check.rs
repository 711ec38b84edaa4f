//! The matcher: phrase lists compiled once into word indexes, and the check of one text against them.
//!
//! Compiling gives every distinct word of every list (with its `*` or `~` mark) a number, and indexes it: exact
//! words by their squeezed form (runs of a letter written once: "kill" is `kil`), `word*` by squeezed prefix (behind
//! a one-lookup gate on its first three letters), and the few `word~` by length, for a direct one-typo comparison
//! with the text's words of about that length. Checking a text normalises it into words, looks each word up once,
//! and tries only the phrases whose first word is among those found there, with a set of reachable positions per
//! step so that gaps cost at most the width of the gap, never a search that grows exponentially.
//!
//! Nothing here keeps, logs or returns the text: a [`Check`] names the list's phrases and categories only.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use crate::crisis::guidance;
use crate::crisis::lexicon::{self, Atom, AtomKind, BUILTIN_LANGUAGES, EXCEPTIONS, Element, Lexicon, Pattern};
use crate::crisis::normalize::{self, Words};
use crate::crisis::{Check, Match, ReaderGuidance};
use crate::error::{Error, Result};

/// The most lists (languages) one [`Checker`] holds.
pub const MAX_LISTS: usize = 32;

/// Phrase lists compiled for checking, one per language: the shipped ones ([`Checker::builtin`]), extended or
/// replaced by the app's. Building one compiles the lists (5 to 8 ms for the shipped three in release); checking
/// takes it by shared reference, so one checker serves every thread.
pub struct Checker {
    lexicons: Vec<Lexicon>,
    compiled: Compiled,
}

impl fmt::Debug for Checker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lists: Vec<(&str, usize)> = self.lexicons.iter().map(|l| (l.language(), l.phrase_count())).collect();
        f.debug_struct("Checker").field("lists", &lists).field("words", &self.compiled.anchors.len()).finish()
    }
}

impl Default for Checker {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Checker {
    /// A checker with every shipped list ([`BUILTIN_LANGUAGES`]).
    pub fn builtin() -> Checker {
        let lexicons: Vec<Lexicon> = BUILTIN_LANGUAGES.iter().filter_map(|l| Lexicon::builtin(l)).collect();
        let compiled = Compiled::new(&lexicons);
        Checker { lexicons, compiled }
    }

    /// A checker with exactly these lists; lists of the same language are merged ([`Lexicon::extend`]).
    pub fn with_lists(lexicons: Vec<Lexicon>) -> Result<Checker> {
        let mut merged: Vec<Lexicon> = Vec::new();
        for lexicon in lexicons {
            match merged.iter_mut().find(|l| l.language() == lexicon.language()) {
                Some(existing) => existing.extend(lexicon)?,
                None => merged.push(lexicon),
            }
        }
        if merged.len() > MAX_LISTS {
            return Err(Error::invalid("crisis phrase lists", format!("more than {MAX_LISTS} languages")));
        }
        let compiled = Compiled::new(&merged);
        Ok(Checker { lexicons: merged, compiled })
    }

    /// Adds `lexicon`'s phrases to the list of its language (or adds the language): an app's own phrases on top of
    /// the shipped ones.
    pub fn extend(&mut self, lexicon: Lexicon) -> Result<()> {
        let mut lexicons = self.lexicons.clone();
        lexicons.push(lexicon);
        *self = Checker::with_lists(lexicons)?;
        Ok(())
    }

    /// Puts `lexicon` in place of the list of its language (or adds the language): for an app or a clinical team
    /// that ships its own list.
    pub fn replace(&mut self, lexicon: Lexicon) -> Result<()> {
        let mut lexicons: Vec<Lexicon> =
            self.lexicons.iter().filter(|l| l.language() != lexicon.language()).cloned().collect();
        lexicons.push(lexicon);
        *self = Checker::with_lists(lexicons)?;
        Ok(())
    }

    /// Removes the list of `language`; whether there was one.
    pub fn remove(&mut self, language: &str) -> bool {
        let Some(language) = lexicon::primary_language(language) else { return false };
        let before = self.lexicons.len();
        self.lexicons.retain(|l| l.language() != language);
        if self.lexicons.len() == before {
            return false;
        }
        self.compiled = Compiled::new(&self.lexicons);
        true
    }

    /// The list of `language` ("es-MX" finds "es"), if this checker has one.
    pub fn list(&self, language: &str) -> Option<&Lexicon> {
        let language = lexicon::primary_language(language)?;
        self.lexicons.iter().find(|l| l.language() == language)
    }

    /// The languages this checker has a list for.
    pub fn languages(&self) -> Vec<&str> {
        self.lexicons.iter().map(Lexicon::language).collect()
    }

    /// Checks a text for signs of risk to self, against the list of `language` (and the lists its `also:` header
    /// names), or against every list when `language` is `None` or has no list here. The text is read and
    /// forgotten: nothing is stored, logged or sent, and the result names phrases of the lists, never the text.
    pub fn check(&self, text: &str, language: Option<&str>) -> Check {
        let active = self.active_lists(language);
        let words = normalize::words(text);
        let found = self.compiled.find(&words, &active);
        let matches: Vec<Match> = found
            .into_iter()
            .filter_map(|rule| self.compiled.rules.get(rule))
            .map(|rule| Match {
                category: rule.category.clone(),
                phrase: rule.source.clone(),
                language: self.lexicons.get(rule.list).map(|l| l.language().to_owned()).unwrap_or_default(),
            })
            .collect();
        Check { risk: !matches.is_empty(), matches }
    }

    /// The check of a received message, for the person reading it: the same matches, and when there is a sign of
    /// risk, short guidance on answering supportively (in `language` if Kindred has guidance in it, else in the
    /// language of the list that matched, else English). It is meant for the reader's screen only; nothing about
    /// the message or its author is recorded or sent.
    pub fn check_received(&self, text: &str, language: Option<&str>) -> ReaderGuidance {
        let Check { risk, matches } = self.check(text, language);
        let wanted = language
            .and_then(lexicon::primary_language)
            .filter(|l| guidance::has_language(l))
            .or_else(|| matches.first().map(|m| m.language.clone()))
            .unwrap_or_default();
        let (guidance_language, guidance) = if risk {
            let categories: Vec<&str> = matches.iter().map(|m| m.category.as_str()).collect();
            guidance::for_reader(&wanted, &categories)
        } else {
            (String::new(), Vec::new())
        };
        ReaderGuidance { risk, matches, guidance, guidance_language, resources: Vec::new() }
    }

    /// Which lists a check reads: the named language's and its `also:` languages', or all of them.
    fn active_lists(&self, language: Option<&str>) -> Vec<bool> {
        let named = language
            .and_then(lexicon::primary_language)
            .and_then(|language| self.lexicons.iter().position(|l| l.language() == language));
        match named.and_then(|index| self.lexicons.get(index)) {
            None => vec![true; self.lexicons.len()],
            Some(list) => self
                .lexicons
                .iter()
                .map(|l| l.language() == list.language() || list.also().iter().any(|a| a == l.language()))
                .collect(),
        }
    }
}

/// FNV-1a: the indexes hold short words from trusted lists, and a text only looks them up, so a fast hash with no
/// protection against chosen collisions is safe here.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A word's squeezed form (each run of one letter written once) and the length of each run (capped at 255).
#[derive(Debug, Default)]
struct Squeezed {
    text: String,
    /// `text` as characters.
    chars: Vec<char>,
    runs: Vec<u8>,
    /// Byte offset of each character of `text`, and its length at the end.
    offsets: Vec<usize>,
}

impl Squeezed {
    fn of(&mut self, word: &str) {
        self.text.clear();
        self.chars.clear();
        self.runs.clear();
        self.offsets.clear();
        let mut last = None;
        for c in word.chars() {
            match (last == Some(c), self.runs.last_mut()) {
                (true, Some(run)) => *run = run.saturating_add(1),
                _ => {
                    self.offsets.push(self.text.len());
                    self.text.push(c);
                    self.chars.push(c);
                    self.runs.push(1);
                }
            }
            last = Some(c);
        }
        self.offsets.push(self.text.len());
    }

    fn chars(&self) -> usize {
        self.runs.len()
    }

    /// The first `n` characters.
    fn prefix(&self, n: usize) -> &str {
        self.offsets.get(n).and_then(|&end| self.text.get(..end)).unwrap_or("")
    }
}

/// `s` without its first `n` characters.
fn tail(s: &[char], n: usize) -> &[char] {
    s.get(n..).unwrap_or(&[])
}

/// Whether two words are at most one typo apart: equal, or one character missing, extra or wrong, or two
/// neighbours swapped.
fn within_one_typo(a: &[char], b: &[char]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (a.get(common..).unwrap_or(&[]), b.get(common..).unwrap_or(&[]));
    match rest_a.len().cmp(&rest_b.len()) {
        std::cmp::Ordering::Greater => tail(rest_a, 1) == rest_b,
        std::cmp::Ordering::Less => rest_a == tail(rest_b, 1),
        std::cmp::Ordering::Equal if rest_a.is_empty() => true,
        std::cmp::Ordering::Equal => {
            // Both start at their first difference: one character wrong, or two neighbours swapped.
            let substituted = tail(rest_a, 1) == tail(rest_b, 1);
            let swapped = matches!((rest_a, rest_b), ([a0, a1, ..], [b0, b1, ..]) if a0 == b1 && a1 == b0)
                && tail(rest_a, 2) == tail(rest_b, 2);
            substituted || swapped
        }
    }
}

/// Whether a run of `text` letters in the text stands for a run of `word` letters in the list: the same length,
/// or stretched (three or more for one or two: "sooo" for "so" or "soo"), or a doubled last letter ("diee").
fn run_matches(word: u8, text: u8, last: bool) -> bool {
    text == word || (text >= 3 && word <= 2) || (last && text == 2 && word == 1)
}

/// How many first characters of a prefix gate its lookups (the shortest prefix a list may use).
const PREFIX_HEAD: usize = 3;

/// The words sharing one squeezed form: each one's atom and run lengths.
type SameSqueeze = Vec<(u32, Box<[u8]>)>;

/// The words of the lists, indexed for lookup.
#[derive(Default)]
struct WordIndex {
    /// Squeezed form to the exact words.
    exact: FastMap<Box<str>, SameSqueeze>,
    /// Squeezed form to the `word*`s.
    prefix: FastMap<Box<str>, SameSqueeze>,
    /// The lengths (in characters) of the squeezed prefixes, ascending.
    prefix_lengths: Vec<usize>,
    /// The first three characters of every squeezed prefix: a word that starts otherwise needs no prefix lookup.
    prefix_heads: FastMap<Box<str>, ()>,
    /// The squeezed `word~`s as characters, with their atoms. They are few (a list marks only long, distinctive
    /// words), so a word of the text is compared with those of about its length directly.
    fuzzy: Vec<(Vec<char>, u32)>,
}

impl WordIndex {
    fn add(&mut self, id: u32, atom: &Atom) {
        let mut squeezed = Squeezed::default();
        squeezed.of(&atom.text);
        let key: Box<str> = squeezed.text.as_str().into();
        let runs: Box<[u8]> = squeezed.runs.as_slice().into();
        match atom.kind {
            AtomKind::Exact => self.exact.entry(key).or_default().push((id, runs)),
            AtomKind::Prefix => {
                if let Err(at) = self.prefix_lengths.binary_search(&squeezed.chars()) {
                    self.prefix_lengths.insert(at, squeezed.chars());
                }
                self.prefix_heads.insert(squeezed.prefix(PREFIX_HEAD.min(squeezed.chars())).into(), ());
                self.prefix.entry(key).or_default().push((id, runs));
            }
            AtomKind::Fuzzy => {
                self.fuzzy.push((squeezed.chars.clone(), id));
                crate::sorting::sort_by_u64_key(&mut self.fuzzy, |(chars, _)| chars.len() as u64);
            }
        }
    }

    /// Appends to `out` the atoms that a word of the text (whose squeezed form is `squeezed`) stands for.
    fn lookup(&self, squeezed: &Squeezed, out: &mut Vec<usize>) {
        let runs = &squeezed.runs;
        if let Some(candidates) = self.exact.get(squeezed.text.as_str()) {
            for (id, word_runs) in candidates {
                let last = word_runs.len().saturating_sub(1);
                let fits = word_runs.len() == runs.len()
                    && word_runs.iter().zip(runs).enumerate().all(|(i, (&w, &t))| run_matches(w, t, i == last));
                if fits {
                    out.push(*id as usize);
                }
            }
        }
        let head = squeezed.prefix(PREFIX_HEAD.min(squeezed.chars()));
        let lengths = if self.prefix_heads.contains_key(head) { self.prefix_lengths.as_slice() } else { &[] };
        for &length in lengths {
            if length > squeezed.chars() {
                break;
            }
            let Some(candidates) = self.prefix.get(squeezed.prefix(length)) else { continue };
            for (id, word_runs) in candidates {
                let last = word_runs.len().saturating_sub(1);
                let fits = word_runs.iter().zip(runs).enumerate().all(|(i, (&w, &t))| {
                    // The prefix's last letter may go on in the word ("kil*" in "killing").
                    run_matches(w, t, false) || (i == last && t >= w)
                });
                if fits {
                    out.push(*id as usize);
                }
            }
        }
        let n = squeezed.chars();
        let from = self.fuzzy.partition_point(|(chars, _)| chars.len() + 1 < n);
        for (chars, id) in self.fuzzy.get(from..).unwrap_or(&[]) {
            if chars.len() > n + 1 {
                break;
            }
            if within_one_typo(chars, &squeezed.chars) {
                out.push(*id as usize);
            }
        }
    }
}

/// A phrase step with its words as atom numbers.
#[derive(Debug)]
enum Step {
    OneOf(Vec<Vec<u32>>),
    Gap(usize),
}

/// A compiled phrase of one list.
#[derive(Debug)]
struct Rule {
    /// Which list (index into the checker's lists).
    list: usize,
    /// An exception: it cancels the matches of its list that it overlaps.
    exception: bool,
    category: String,
    /// The phrase as written in the list.
    source: String,
    sequence: Vec<Step>,
    /// The second sequence of `A &N B`, its distance, and its longest span in words.
    near: Option<(usize, Vec<Step>, usize)>,
}

/// Every list compiled together: one word index, every phrase, and for each atom the phrases that start with it.
struct Compiled {
    words: WordIndex,
    rules: Vec<Rule>,
    anchors: Vec<Vec<u32>>,
}

impl Compiled {
    fn new(lexicons: &[Lexicon]) -> Compiled {
        let mut ids: FastMap<Atom, u32> = FastMap::default();
        let mut words = WordIndex::default();
        for lexicon in lexicons {
            for atom in lexicon::atoms(lexicon) {
                if !ids.contains_key(&atom) {
                    let id = u32::try_from(ids.len()).unwrap_or(u32::MAX);
                    words.add(id, &atom);
                    ids.insert(atom, id);
                }
            }
        }
        let steps = |elements: &[Element]| -> Vec<Step> {
            elements
                .iter()
                .map(|element| match element {
                    Element::Gap(n) => Step::Gap(usize::from(*n)),
                    Element::OneOf(alternatives) => Step::OneOf(
                        alternatives
                            .iter()
                            .map(|run| run.iter().filter_map(|atom| ids.get(atom).copied()).collect())
                            .collect(),
                    ),
                })
                .collect()
        };
        let mut rules = Vec::new();
        for (list, lexicon) in lexicons.iter().enumerate() {
            for category in lexicon.category_list() {
                for phrase in &category.phrases {
                    let Pattern { sequence, near } = &phrase.pattern;
                    let near = near.as_ref().map(|(n, elements)| {
                        let steps = steps(elements);
                        let span = max_span(&steps);
                        (usize::from(*n), steps, span)
                    });
                    rules.push(Rule {
                        list,
                        exception: category.name == EXCEPTIONS,
                        category: category.name.clone(),
                        source: phrase.source.clone(),
                        sequence: steps(sequence),
                        near,
                    });
                }
            }
        }
        let mut anchors: Vec<Vec<u32>> = vec![Vec::new(); ids.len()];
        for (index, rule) in rules.iter().enumerate() {
            let Some(Step::OneOf(first)) = rule.sequence.first() else { continue };
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            for atom in first.iter().filter_map(|run| run.first()) {
                if let Some(rules) = anchors.get_mut(*atom as usize)
                    && !rules.contains(&index)
                {
                    rules.push(index);
                }
            }
        }
        Compiled { words, rules, anchors }
    }

    /// The phrases of the active lists found in `words` and not cancelled by an exception of an active list, in
    /// the order of their first occurrence, each once.
    fn find(&self, words: &Words, active: &[bool]) -> Vec<usize> {
        let hits = self.hits(words);
        let mut scratch = Scratch::default();
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        // The spans of words the exceptions cover.
        let mut exceptions: Vec<(usize, usize)> = Vec::new();
        for position in 0..hits.len() {
            for atom in hits.at(position) {
                for &rule_index in self.anchors.get(*atom as usize).map_or(&[][..], Vec::as_slice) {
                    let rule_index = rule_index as usize;
                    let Some(rule) = self.rules.get(rule_index) else { continue };
                    if !active.get(rule.list).copied().unwrap_or(false) {
                        continue;
                    }
                    if let Some((start, end)) = hits.match_rule(rule, position, &mut scratch) {
                        if rule.exception {
                            exceptions.push((start, end));
                        } else {
                            found.push((rule_index, start, end));
                        }
                    }
                }
            }
        }
        // An exception explains the words it covers whichever list it comes from: with no language given, the
        // Spanish `suicid*` must yield to the English "suicide prevention line" as the English `suicid*` does.
        let mut out: Vec<usize> = Vec::new();
        for (rule_index, start, end) in found {
            let cancelled = exceptions.iter().any(|&(s, e)| start < e && s < end);
            if !cancelled && !out.contains(&rule_index) {
                out.push(rule_index);
            }
        }
        out
    }

    /// The atoms each word of the text stands for.
    fn hits(&self, words: &Words) -> Hits {
        let mut hits = Hits { atoms: Vec::new(), offsets: Vec::with_capacity(words.len() + 1) };
        let mut squeezed = Squeezed::default();
        let mut found = Vec::new();
        hits.offsets.push(0);
        for word in words.iter() {
            found.clear();
            squeezed.of(word);
            self.words.lookup(&squeezed, &mut found);
            // As usize, so that this sort and the phrase matcher's share one instantiation in the phone library.
            found.sort_unstable();
            found.dedup();
            hits.atoms.extend(found.iter().map(|&atom| atom as u32));
            hits.offsets.push(hits.atoms.len());
        }
        hits
    }
}

/// The longest span in words a sequence can cover.
fn max_span(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|step| match step {
            Step::Gap(n) => *n,
            Step::OneOf(alternatives) => alternatives.iter().map(Vec::len).max().unwrap_or(0),
        })
        .sum()
}

/// The positions a phrase can have reached, reused from one attempt to the next.
#[derive(Debug, Default)]
struct Scratch {
    states: Vec<usize>,
    next: Vec<usize>,
}

/// For each word of a text, the atoms it stands for (sorted, each once).
#[derive(Debug)]
struct Hits {
    atoms: Vec<u32>,
    offsets: Vec<usize>,
}

impl Hits {
    fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn at(&self, position: usize) -> &[u32] {
        match (self.offsets.get(position), self.offsets.get(position + 1)) {
            (Some(&start), Some(&end)) => self.atoms.get(start..end).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn has(&self, position: usize, atom: u32) -> bool {
        self.at(position).binary_search(&atom).is_ok()
    }

    /// Where the run of atoms starting at `position` ends, if the text has it there.
    fn run_at(&self, position: usize, run: &[u32]) -> Option<usize> {
        run.iter().enumerate().all(|(i, atom)| self.has(position + i, *atom)).then_some(position + run.len())
    }

    /// The shortest match of `steps` starting at `start`: its end.
    fn match_sequence(&self, steps: &[Step], start: usize, scratch: &mut Scratch) -> Option<usize> {
        let Scratch { states, next } = scratch;
        states.clear();
        states.push(start);
        for step in steps {
            next.clear();
            match step {
                Step::OneOf(alternatives) => {
                    for &state in states.iter() {
                        next.extend(alternatives.iter().filter_map(|run| self.run_at(state, run)));
                    }
                }
                Step::Gap(n) => {
                    for &state in states.iter() {
                        next.extend(state..=(state + n).min(self.len()));
                    }
                }
            }
            next.sort_unstable();
            next.dedup();
            std::mem::swap(states, next);
            if states.is_empty() {
                return None;
            }
        }
        states.first().copied()
    }

    /// Where `rule` matches when its first word is at `position`: the span of words it covers.
    fn match_rule(&self, rule: &Rule, position: usize, scratch: &mut Scratch) -> Option<(usize, usize)> {
        let end = self.match_sequence(&rule.sequence, position, scratch)?;
        let Some((distance, near, span)) = &rule.near else { return Some((position, end)) };
        let from = position.saturating_sub(distance + span);
        let to = (end + distance + 1).min(self.len());
        (from..to).find_map(|other| {
            let other_end = self.match_sequence(near, other, scratch)?;
            // Words between the two: before, after, or none if they overlap.
            let apart = position.checked_sub(other_end).or_else(|| other.checked_sub(end)).unwrap_or(0);
            (apart <= *distance).then_some((position.min(other), end.max(other_end)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(list: &str) -> Checker {
        let lexicon = Lexicon::parse(&format!("language: en\n{list}")).unwrap();
        Checker::with_lists(vec![lexicon]).unwrap()
    }

    fn phrases(checker: &Checker, text: &str) -> Vec<String> {
        checker.check(text, None).matches.into_iter().map(|m| m.phrase).collect()
    }

    fn chars(word: &str) -> Vec<char> {
        word.chars().collect()
    }

    #[test]
    fn runs_stretch_by_three_or_more_or_a_doubled_last_letter() {
        assert!(run_matches(1, 1, false) && run_matches(2, 2, false));
        assert!(run_matches(1, 3, false) && run_matches(2, 3, false) && run_matches(1, 9, false));
        assert!(!run_matches(1, 2, false) && run_matches(1, 2, true));
        assert!(!run_matches(2, 1, false) && !run_matches(2, 1, true));
        assert!(!run_matches(3, 2, false));
    }

    #[test]
    fn one_typo_is_one_edit_or_one_swap() {
        let typo = |a: &str, b: &str| within_one_typo(&chars(a), &chars(b));
        for (word, written) in [
            ("suicide", "suicide"),
            ("suicide", "sucide"),
            ("suicide", "suicidee"),
            ("suicide", "suicdie"),
            ("suicide", "suiside"),
            ("overdose", "ovedrose"),
            ("overdose", "xoverdose"),
        ] {
            assert!(typo(word, written), "{word} {written}");
            assert!(typo(written, word), "{written} {word}");
        }
        for (word, written) in [("suicide", "siucdie"), ("suicide", "suic"), ("overdose", "odverose"), ("abcx", "xabc")]
        {
            assert!(!typo(word, written), "{word} {written}");
        }
    }

    #[test]
    fn stretched_letters_read_as_one_or_two() {
        let c = checker("[a]\nso tired\nkill myself\n");
        assert_eq!(phrases(&c, "sooooo tiiiired"), ["so tired"]);
        assert_eq!(phrases(&c, "killllll myselffff"), ["kill myself"]);
        // A doubled last letter ("diee", "tiredd") is a common stretch too.
        assert_eq!(phrases(&c, "soo tiredd"), ["so tired"]);
        // But a letter written once is not the list's double letter, and a double inside a word is not a single.
        assert!(phrases(&c, "kil myself").is_empty());
        assert!(phrases(&c, "so tirred").is_empty());
    }

    #[test]
    fn gaps_allow_words_in_between_up_to_their_width() {
        let c = checker("[a]\nwant .. die\nend ..1 it\n");
        assert_eq!(phrases(&c, "I want to die"), ["want .. die"]);
        assert_eq!(phrases(&c, "i want die"), ["want .. die"]);
        assert_eq!(phrases(&c, "i want so so much to die"), Vec::<String>::new());
        assert_eq!(phrases(&c, "i want so much to die"), ["want .. die"]);
        assert_eq!(phrases(&c, "end it / end all it"), ["end ..1 it"]);
        assert!(phrases(&c, "end it").len() == 1 && phrases(&c, "end this all it").is_empty());
    }

    #[test]
    fn alternatives_may_be_runs_of_words() {
        let c = checker("[a]\ni (dont|do not) want to live\n");
        assert_eq!(phrases(&c, "I do not want to live"), ["i (dont|do not) want to live"]);
        assert_eq!(phrases(&c, "I don't want to live"), ["i (dont|do not) want to live"]);
        assert!(phrases(&c, "I do want to live").is_empty());
    }

    #[test]
    fn optional_groups_may_be_skipped() {
        let c = checker("[a]\ni (just|really)? want to die\n");
        assert_eq!(phrases(&c, "i just want to die").len(), 1);
        assert_eq!(phrases(&c, "i want to die").len(), 1);
        assert!(phrases(&c, "i so want to die").is_empty());
    }

    #[test]
    fn prefixes_and_typos() {
        let c = checker("[a]\nsuicid*\n[b]\noverdose~\n");
        assert_eq!(phrases(&c, "feeling suicidal"), ["suicid*"]);
        assert_eq!(phrases(&c, "SUICIIIDAL"), ["suicid*"]);
        for typo in ["overdse", "overdoses", "ovedrose", "overdoze", "overdose"] {
            assert_eq!(phrases(&c, typo), ["overdose~"], "{typo}");
        }
        assert!(phrases(&c, "suici").is_empty());
        assert!(phrases(&c, "oevrdsoe").is_empty());
    }

    #[test]
    fn near_finds_both_in_either_order_within_the_distance() {
        let c = checker("[a]\n💊 &3 (all|whole bottle)\n");
        assert_eq!(phrases(&c, "💊💊 all tonight"), ["💊 &3 (all|whole bottle)"]);
        assert_eq!(phrases(&c, "the whole bottle tonight 💊"), ["💊 &3 (all|whole bottle)"]);
        assert!(phrases(&c, "all my appointments are done and i got through it 💊").is_empty());
        assert!(phrases(&c, "💊 taken").is_empty());
        // Exactly the distance apart counts; one more does not.
        assert_eq!(phrases(&c, "💊 a b c all").len(), 1);
        assert!(phrases(&c, "💊 a b c d all").is_empty());
        assert_eq!(phrases(&c, "all a b c 💊").len(), 1);
        assert!(phrases(&c, "all a b c d 💊").is_empty());
    }

    #[test]
    fn exceptions_cancel_the_matches_they_overlap_only() {
        let c = checker("[a]\nwant .. die\n[exceptions]\ndie (laughing|of embarrassment)\n");
        assert!(phrases(&c, "I want to die laughing").is_empty());
        assert!(phrases(&c, "i want to die of embarrassment").is_empty());
        // An exception elsewhere in the text does not cancel a match it does not overlap.
        assert_eq!(phrases(&c, "i nearly died laughing. i want to die"), ["want .. die"]);
        assert_eq!(phrases(&c, "I want to die. i could die laughing"), ["want .. die"]);
    }

    #[test]
    fn each_phrase_is_reported_once_in_the_order_found_and_never_the_text() {
        let c = checker("[b]\nhopeless\n[a]\nkill myself\n");
        let check = c.check("KILL MYSELF, so hopeless, kill myself", None);
        assert!(check.risk);
        let found: Vec<(&str, &str, &str)> =
            check.matches.iter().map(|m| (m.category.as_str(), m.phrase.as_str(), m.language.as_str())).collect();
        assert_eq!(found, [("a", "kill myself", "en"), ("b", "hopeless", "en")]);
        assert!(!c.check("a good day", None).risk);
        assert!(!c.check("", None).risk);
    }

    #[test]
    fn the_language_chooses_the_lists_and_also_adds_some() -> Result<()> {
        let en = Lexicon::parse("language: en\n[a]\nwant to die\n")?;
        let es = Lexicon::parse("language: es\n[a]\nquiero morir\n")?;
        let sw = Lexicon::parse("language: sw\nalso: en\n[a]\nnataka kufa\n")?;
        let c = Checker::with_lists(vec![en, es, sw])?;
        let languages = |text: &str, language: Option<&str>| -> Vec<String> {
            c.check(text, language).matches.into_iter().map(|m| m.language).collect()
        };
        let text = "want to die / quiero morir / nataka kufa";
        assert_eq!(languages(text, None), ["en", "es", "sw"]);
        assert_eq!(languages(text, Some("fr")), ["en", "es", "sw"]);
        assert_eq!(languages(text, Some("es-MX")), ["es"]);
        assert_eq!(languages(text, Some("sw")), ["en", "sw"]);
        assert_eq!(languages(text, Some("en")), ["en"]);
        Ok(())
    }

    #[test]
    fn apps_extend_replace_and_remove_lists() -> Result<()> {
        let mut c = Checker::builtin();
        assert_eq!(c.languages(), BUILTIN_LANGUAGES);
        assert!(!c.check("the blue owl is calling", Some("en")).risk);
        c.extend(Lexicon::parse("language: en\n[clinic_terms]\nblue owl\n")?)?;
        let check = c.check("the blue owl is calling", Some("en"));
        assert_eq!(check.matches.first().map(|m| m.category.as_str()), Some("clinic_terms"));
        assert!(c.check("I want to kill myself", Some("en")).risk, "the shipped phrases stay");
        c.replace(Lexicon::parse("language: en\n[clinic_terms]\nblue owl\n")?)?;
        assert!(!c.check("I want to kill myself", Some("en")).risk, "replaced");
        c.extend(Lexicon::parse("language: pt\n[a]\nquero morrer\n")?)?;
        assert!(c.check("quero morrer", Some("pt-BR")).risk);
        assert!(c.remove("pt"));
        assert!(!c.remove("pt"));
        assert!(c.list("es").is_some() && c.list("pt").is_none());
        Ok(())
    }

    #[test]
    fn wide_gaps_on_adversarial_text_stay_cheap() {
        let c = checker("[a]\na ..8 a ..8 a ..8 a ..8 z\n");
        let text = "a ".repeat(20_000);
        let started = std::time::Instant::now();
        assert!(!c.check(&text, None).risk);
        // Polynomial, not exponential: well under a second even in a debug build.
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn reader_guidance_comes_with_risk_only() {
        let c = Checker::builtin();
        let quiet = c.check_received("see you on tuesday", Some("en"));
        assert!(!quiet.risk && quiet.guidance.is_empty() && quiet.guidance_language.is_empty());
        let worried = c.check_received("i want to kill myself", Some("en"));
        assert!(worried.risk && worried.guidance.len() >= 4);
        assert_eq!(worried.guidance_language, "en");
        let spanish = c.check_received("me quiero matar", None);
        assert_eq!(spanish.guidance_language, "es");
        let unknown_reader = c.check_received("nataka kujiua", Some("fr"));
        assert_eq!(unknown_reader.guidance_language, "sw");
    }
}
