//! Phrase lists: the data the crisis check matches, one [`Lexicon`] per language, in a small text format (described
//! on [`Lexicon`]) that an app, a clinic or an NGO can write, ship, extend or replace without touching code.

use std::collections::BTreeSet;
use std::fmt;

use crate::crisis::normalize;
use crate::error::{Error, Result};

/// The languages with a shipped list, by primary language tag.
pub const BUILTIN_LANGUAGES: &[&str] = &["en", "es", "sw"];

/// The name of the reserved category of figures of speech and negations.
pub const EXCEPTIONS: &str = "exceptions";

/// The largest list text [`Lexicon::parse`] accepts, in bytes.
pub const MAX_LEXICON_BYTES: usize = 512 * 1024;
/// The most phrases in one list (after [`Lexicon::extend`] too).
pub const MAX_PHRASES: usize = 10_000;
/// The longest phrase, in characters.
pub const MAX_PHRASE_CHARS: usize = 500;
/// The widest gap `..N`.
pub const MAX_GAP: u8 = 8;
/// The widest distance `&N`.
pub const MAX_NEAR: u8 = 10;

const DEFAULT_GAP: u8 = 3;
const DEFAULT_NEAR: u8 = 6;
const MAX_ELEMENTS: usize = 16;
const MAX_GAPS: usize = 4;
const MAX_ALTERNATIVES: usize = 64;
const MAX_ALTERNATIVE_WORDS: usize = 6;
const MAX_CATEGORIES: usize = 64;
const MAX_CATEGORY_CHARS: usize = 40;
const MAX_ALSO: usize = 8;
const MIN_PREFIX_CHARS: usize = 3;
const MIN_FUZZY_CHARS: usize = 5;

const FIELD: &str = "crisis phrase list";

/// How one word of a phrase is compared with a word of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum AtomKind {
    /// The same word (stretched letters tolerated).
    Exact,
    /// A word that starts with it (`word*`).
    Prefix,
    /// The same word or one typo away (`word~`).
    Fuzzy,
}

/// One normalised word of a phrase and how it compares.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Atom {
    pub(crate) text: String,
    pub(crate) kind: AtomKind,
}

/// One step of a phrase: one of several runs of words, or a gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Element {
    /// One of these runs of words, each at least one word long.
    OneOf(Vec<Vec<Atom>>),
    /// Up to this many words of any kind.
    Gap(u8),
}

/// A parsed phrase: a sequence, and optionally a second one that must be near it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    pub(crate) sequence: Vec<Element>,
    /// `A &N B`: B within N words of A, before or after.
    pub(crate) near: Option<(u8, Vec<Element>)>,
}

/// A phrase as written in the list (what a match reports) and its parsed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phrase {
    pub(crate) source: String,
    pub(crate) pattern: Pattern,
}

/// A named group of phrases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Category {
    pub(crate) name: String,
    pub(crate) phrases: Vec<Phrase>,
}

/// The phrase lists of one language: categories of phrases that are signs of risk, and the exceptions (figures of
/// speech, negations) that cancel a match they overlap. [`Lexicon::builtin`] gives a shipped list,
/// [`Lexicon::parse`] reads one in this text format:
///
/// ```text
/// # A comment: '#' at the start of a line or after a space, to the end of the line.
/// language: en          # required, before the first section: the primary language tag (pt-BR is pt)
/// also: fr              # optional: other lists to check with this one (people mix languages)
///
/// [suicidal_ideation]   # a category: lowercase letters, digits and '_'
/// kill myself           # words in a row
/// (want|wanna) .. die   # (a|b): one of several words or runs of words; '..': up to 3 words between
/// want to ..5 (die|be dead)   # '..N': up to N words between (N at most 8)
/// (i|id) (just)? die    # (a|b)?: may be skipped (not as the first or last step)
/// suicid*               # word*: any word starting so (at least 3 letters before the '*')
/// overdose~             # word~: also one typo away: a letter missing, extra or wrong, or two swapped (5+ letters)
/// 💊 & (all|whole bottle)    # A & B: both, in either order, at most 6 words apart ('&N': N, at most 10)
///
/// [exceptions]          # figures of speech and negations: a match they overlap is dropped
/// dying to (see|meet)
/// ```
///
/// Words are compared after the same normalisation as the text (lowercase, accents folded, punctuation removed,
/// "don't" as `dont`, digits inside words read as letters, emoji as words, stretched letters tolerated: see
/// [`crate::crisis`]), so a list may write `dont` or `don't`, `mas` or `más`, alike. The category `exceptions` is
/// reserved: its phrases never raise the check; they remove any match whose words overlap theirs ("this week is
/// killing me", "me muero de risa"), whichever checked list that match is from. Any other category name is allowed;
/// the shipped lists use those of [`crate::crisis::category`].
///
/// ```
/// use kindred_core::crisis::Lexicon;
/// # fn main() -> kindred_core::Result<()> {
/// let mut english = Lexicon::builtin("en").expect("shipped");
/// english.extend(Lexicon::parse("language: en\n[plan_or_means]\n(saving|hoarding) .. (meds|pills)\n")?)?;
/// assert!(english.phrases("plan_or_means").contains(&"(saving|hoarding) .. (meds|pills)"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexicon {
    language: String,
    also: Vec<String>,
    categories: Vec<Category>,
}

impl Lexicon {
    /// The shipped list for `language` (a language tag such as "en", "es-MX" or "SW"), or `None` if Kindred ships
    /// none for it (see [`BUILTIN_LANGUAGES`]).
    pub fn builtin(language: &str) -> Option<Lexicon> {
        // The shipped lists are parsed by a test; a list that failed would give no list rather than a panic.
        Lexicon::parse(builtin_text(language)?).ok()
    }

    /// Parses a list in the text format described on [`Lexicon`]. Errors ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)) name the line
    /// and what is wrong, never more of the list than a word.
    pub fn parse(text: &str) -> Result<Lexicon> {
        if text.len() > MAX_LEXICON_BYTES {
            return Err(Error::invalid(FIELD, format!("is {} bytes; the limit is {MAX_LEXICON_BYTES}", text.len())));
        }
        let mut language = None;
        let mut also = Vec::new();
        let mut categories: Vec<Category> = Vec::new();
        // The category the phrases being read belong to (a repeated header continues the earlier one).
        let mut current: Option<usize> = None;
        let mut phrases = 0usize;
        for (index, raw) in text.lines().enumerate() {
            let line_number = index + 1;
            let at = |reason: String| Error::invalid(FIELD, format!("line {line_number}: {reason}"));
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
                let name = name.trim();
                check_category_name(name).map_err(at)?;
                current = Some(match categories.iter().position(|c| c.name == name) {
                    Some(position) => position,
                    None if categories.len() >= MAX_CATEGORIES => {
                        return Err(at(format!("more than {MAX_CATEGORIES} categories")));
                    }
                    None => {
                        categories.push(Category { name: name.to_owned(), phrases: Vec::new() });
                        categories.len() - 1
                    }
                });
                continue;
            }
            let Some(category) = current.and_then(|position| categories.get_mut(position)) else {
                let (key, value) = line.split_once(':').ok_or_else(|| {
                    at("expected a header (\"language: en\") or a category (\"[self_harm]\")".to_owned())
                })?;
                match key.trim() {
                    "language" => language = Some(parse_language(value).map_err(at)?),
                    "also" => {
                        for tag in value.split([',', ' ']).filter(|t| !t.is_empty()) {
                            let tag = parse_language(tag).map_err(at)?;
                            if !also.contains(&tag) {
                                also.push(tag);
                            }
                        }
                        if also.len() > MAX_ALSO {
                            return Err(at(format!("more than {MAX_ALSO} languages after \"also\"")));
                        }
                    }
                    _ => {
                        return Err(at("unknown header; expected \"language\" or \"also\"".to_owned()));
                    }
                }
                continue;
            };
            let pattern = parse_pattern(line).map_err(at)?;
            if !category.phrases.iter().any(|p| p.source == line) {
                phrases += 1;
                if phrases > MAX_PHRASES {
                    return Err(at(format!("more than {MAX_PHRASES} phrases")));
                }
                category.phrases.push(Phrase { source: line.to_owned(), pattern });
            }
        }
        let language = language.ok_or_else(|| Error::invalid(FIELD, "has no \"language:\" header"))?;
        also.retain(|tag| *tag != language);
        Ok(Lexicon { language, also, categories })
    }

    /// Adds `other`'s phrases (and its `also` languages) to this list: same-named categories are merged, a phrase
    /// already present is kept once. Fails if `other` is for another language or the result is too large.
    pub fn extend(&mut self, other: Lexicon) -> Result<()> {
        if other.language != self.language {
            return Err(Error::invalid(
                FIELD,
                format!("is for {:?}; it cannot extend the list for {:?}", other.language, self.language),
            ));
        }
        let mut merged = self.clone();
        for tag in other.also {
            if !merged.also.contains(&tag) && tag != merged.language {
                merged.also.push(tag);
            }
        }
        for category in other.categories {
            let index = match merged.categories.iter().position(|c| c.name == category.name) {
                Some(index) => index,
                None => {
                    merged.categories.push(Category { name: category.name, phrases: Vec::new() });
                    merged.categories.len() - 1
                }
            };
            if let Some(target) = merged.categories.get_mut(index) {
                for phrase in category.phrases {
                    if !target.phrases.iter().any(|p| p.source == phrase.source) {
                        target.phrases.push(phrase);
                    }
                }
            }
        }
        if merged.categories.len() > MAX_CATEGORIES {
            return Err(Error::invalid(FIELD, format!("would have more than {MAX_CATEGORIES} categories")));
        }
        if merged.also.len() > MAX_ALSO {
            return Err(Error::invalid(FIELD, format!("would check more than {MAX_ALSO} other languages")));
        }
        if merged.phrase_count() > MAX_PHRASES {
            return Err(Error::invalid(FIELD, format!("would have more than {MAX_PHRASES} phrases")));
        }
        *self = merged;
        Ok(())
    }

    /// The list's language: a lowercase primary language tag ("en").
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The other languages whose lists are checked with this one (its `also:` header).
    pub fn also(&self) -> &[String] {
        &self.also
    }

    /// The category names, in the order the list gives them, [`EXCEPTIONS`] included if present.
    pub fn categories(&self) -> Vec<&str> {
        self.categories.iter().map(|c| c.name.as_str()).collect()
    }

    /// The phrases of one category, as written in the list.
    pub fn phrases(&self, category: &str) -> Vec<&str> {
        self.categories
            .iter()
            .filter(|c| c.name == category)
            .flat_map(|c| c.phrases.iter().map(|p| p.source.as_str()))
            .collect()
    }

    /// How many phrases the list holds, exceptions included.
    pub fn phrase_count(&self) -> usize {
        self.categories.iter().map(|c| c.phrases.len()).sum()
    }

    pub(crate) fn category_list(&self) -> &[Category] {
        &self.categories
    }
}

/// The list in the text format: [`Lexicon::parse`] of it gives the same list back.
impl fmt::Display for Lexicon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "language: {}", self.language)?;
        if !self.also.is_empty() {
            writeln!(f, "also: {}", self.also.join(", "))?;
        }
        for category in &self.categories {
            writeln!(f, "\n[{}]", category.name)?;
            for phrase in &category.phrases {
                writeln!(f, "{}", phrase.source)?;
            }
        }
        Ok(())
    }
}

/// The text of the shipped list for `language` (compressed in the library: `crate::shipped`).
fn builtin_text(language: &str) -> Option<&'static str> {
    use std::sync::OnceLock;
    static EN: OnceLock<String> = OnceLock::new();
    static ES: OnceLock<String> = OnceLock::new();
    static SW: OnceLock<String> = OnceLock::new();
    let (cell, compressed): (&'static OnceLock<String>, &'static [u8]) = match primary_language(language)?.as_str() {
        "en" => (&EN, include_bytes!(concat!(env!("OUT_DIR"), "/en.txt.z"))),
        "es" => (&ES, include_bytes!(concat!(env!("OUT_DIR"), "/es.txt.z"))),
        "sw" => (&SW, include_bytes!(concat!(env!("OUT_DIR"), "/sw.txt.z"))),
        _ => return None,
    };
    Some(cell.get_or_init(|| crate::shipped::text(compressed)).as_str())
}

/// The primary language subtag of a tag, lowercased ("es-MX" is "es", "pt_BR" is "pt"); `None` if it is not 2 to 8
/// ASCII letters.
pub(crate) fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    (2..=8).contains(&primary.len()).then_some(())?;
    primary.bytes().all(|b| b.is_ascii_alphabetic()).then(|| primary.to_ascii_lowercase())
}

fn parse_language(value: &str) -> std::result::Result<String, String> {
    primary_language(value)
        .ok_or_else(|| format!("{:?} is not a language tag such as \"en\" or \"es-MX\"", value.trim()))
}

fn check_category_name(name: &str) -> std::result::Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= MAX_CATEGORY_CHARS
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "category {name:?}: use lowercase letters, digits and '_', starting with a letter, at most {MAX_CATEGORY_CHARS}"
        ))
    }
}

/// The line without its comment: '#' at the start or after whitespace starts one.
fn strip_comment(line: &str) -> &str {
    let mut previous_is_space = true;
    for (index, c) in line.char_indices() {
        if c == '#' && previous_is_space {
            return line.get(..index).unwrap_or(line);
        }
        previous_is_space = c.is_whitespace();
    }
    line
}

/// A piece of phrase syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Syntax<'a> {
    Open,
    Close,
    /// `)?`: the group may be skipped.
    CloseOptional,
    Bar,
    Near(u8),
    Gap(u8),
    Word(&'a str),
}

fn lex(line: &str) -> std::result::Result<Vec<Syntax<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else { break };
        let (piece, len) = match c {
            '(' => (Syntax::Open, 1),
            ')' if rest.get(1..2) == Some("?") => (Syntax::CloseOptional, 2),
            ')' => (Syntax::Close, 1),
            '|' => (Syntax::Bar, 1),
            '&' => {
                let digits = rest.get(1..).unwrap_or("").bytes().take_while(u8::is_ascii_digit).count();
                let n = number(rest.get(1..1 + digits).unwrap_or(""), DEFAULT_NEAR, MAX_NEAR, "&")?;
                (Syntax::Near(n), 1 + digits)
            }
            _ => {
                let len = rest.find(|c: char| c.is_whitespace() || "()|&".contains(c)).unwrap_or(rest.len());
                let word = rest.get(..len).unwrap_or("");
                match word.strip_prefix("..") {
                    Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
                        (Syntax::Gap(number(digits, DEFAULT_GAP, MAX_GAP, "..")?), len)
                    }
                    _ => (Syntax::Word(word), len),
                }
            }
        };
        out.push(piece);
        rest = rest.get(len..).unwrap_or("");
    }
    Ok(out)
}

fn number(digits: &str, default: u8, max: u8, what: &str) -> std::result::Result<u8, String> {
    if digits.is_empty() {
        return Ok(default);
    }
    match digits.parse::<u8>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("\"{what}{digits}\": the number must be 1 to {max}")),
    }
}

/// Parses one phrase line.
pub(crate) fn parse_pattern(line: &str) -> std::result::Result<Pattern, String> {
    if line.chars().count() > MAX_PHRASE_CHARS {
        return Err(format!("the phrase is longer than {MAX_PHRASE_CHARS} characters"));
    }
    let syntax = lex(line)?;
    let mut parts = syntax.split(|s| matches!(s, Syntax::Near(_)));
    let first = parse_sequence(parts.next().unwrap_or(&[]))?;
    let near = match parts.next() {
        None => None,
        Some(second) => {
            let n = syntax
                .iter()
                .find_map(|s| if let Syntax::Near(n) = s { Some(*n) } else { None })
                .unwrap_or(DEFAULT_NEAR);
            Some((n, parse_sequence(second)?))
        }
    };
    if parts.next().is_some() {
        return Err("a phrase may have one '&' at most".to_owned());
    }
    Ok(Pattern { sequence: first, near })
}

fn parse_sequence(syntax: &[Syntax<'_>]) -> std::result::Result<Vec<Element>, String> {
    let mut elements = Vec::new();
    let mut pieces = syntax.iter();
    while let Some(piece) = pieces.next() {
        match piece {
            Syntax::Gap(n) => elements.push(Element::Gap(*n)),
            Syntax::Word(word) => {
                for atom in parse_word(word)? {
                    elements.push(Element::OneOf(vec![vec![atom]]));
                }
            }
            Syntax::Open => {
                let mut alternatives: Vec<Vec<Atom>> = vec![Vec::new()];
                let mut optional = false;
                loop {
                    match pieces.next() {
                        Some(Syntax::Close) => break,
                        Some(Syntax::CloseOptional) => {
                            optional = true;
                            break;
                        }
                        Some(Syntax::Bar) => alternatives.push(Vec::new()),
                        Some(Syntax::Word(word)) => {
                            if let Some(current) = alternatives.last_mut() {
                                current.extend(parse_word(word)?);
                            }
                        }
                        Some(Syntax::Gap(_)) => return Err("'..' is not allowed inside ( )".to_owned()),
                        Some(Syntax::Open) => return Err("( ) cannot be nested".to_owned()),
                        Some(Syntax::Near(_)) | None => return Err("'(' without its ')'".to_owned()),
                    }
                }
                if alternatives.iter().any(Vec::is_empty) {
                    return Err("an empty alternative in ( | )".to_owned());
                }
                if alternatives.len() > MAX_ALTERNATIVES {
                    return Err(format!("more than {MAX_ALTERNATIVES} alternatives in one ( )"));
                }
                if alternatives.iter().any(|a| a.len() > MAX_ALTERNATIVE_WORDS) {
                    return Err(format!("an alternative longer than {MAX_ALTERNATIVE_WORDS} words"));
                }
                if optional {
                    // Skipping the group is the empty alternative.
                    alternatives.push(Vec::new());
                }
                elements.push(Element::OneOf(alternatives));
            }
            Syntax::Close | Syntax::CloseOptional => return Err("')' without its '('".to_owned()),
            Syntax::Bar => return Err("'|' outside ( )".to_owned()),
            Syntax::Near(_) => return Err("a phrase may have one '&' at most".to_owned()),
        }
    }
    let skippable = |element: Option<&Element>| match element {
        Some(Element::Gap(_)) => true,
        Some(Element::OneOf(alternatives)) => alternatives.iter().any(Vec::is_empty),
        None => false,
    };
    if elements.is_empty() {
        return Err("an empty phrase".to_owned());
    }
    if skippable(elements.first()) || skippable(elements.last()) {
        return Err("a phrase cannot start or end with '..' or an optional ( )?".to_owned());
    }
    if elements.windows(2).any(|pair| matches!(pair, [Element::Gap(_), Element::Gap(_)])) {
        return Err("two '..' in a row".to_owned());
    }
    if elements.iter().filter(|e| matches!(e, Element::Gap(_))).count() > MAX_GAPS {
        return Err(format!("more than {MAX_GAPS} '..' in one phrase"));
    }
    if elements.len() > MAX_ELEMENTS {
        return Err(format!("more than {MAX_ELEMENTS} words and gaps in one phrase"));
    }
    Ok(elements)
}

/// One written word as atoms: normalised (it may become several words: "self-harm" is `self harm`), with its `*`
/// or `~` mark.
fn parse_word(word: &str) -> std::result::Result<Vec<Atom>, String> {
    let (body, kind) = if let Some(body) = word.strip_suffix('*') {
        (body, AtomKind::Prefix)
    } else if let Some(body) = word.strip_suffix('~') {
        (body, AtomKind::Fuzzy)
    } else {
        (word, AtomKind::Exact)
    };
    let words = normalize::words(body);
    let texts: Vec<&str> = words.iter().collect();
    match (kind, texts.as_slice()) {
        (_, []) => Err(format!("{word:?} has no letters, digits or emoji")),
        (AtomKind::Exact, texts) => {
            Ok(texts.iter().map(|t| Atom { text: (*t).to_owned(), kind: AtomKind::Exact }).collect())
        }
        (kind, [text]) => {
            let (min, mark) = if kind == AtomKind::Prefix { (MIN_PREFIX_CHARS, '*') } else { (MIN_FUZZY_CHARS, '~') };
            if text.chars().count() < min {
                return Err(format!("{word:?}: '{mark}' needs at least {min} letters before it"));
            }
            Ok(vec![Atom { text: (*text).to_owned(), kind }])
        }
        (_, _) => Err(format!("{word:?}: '*' and '~' apply to a single word")),
    }
}

/// Every distinct atom of a list (for compiling).
pub(crate) fn atoms(lexicon: &Lexicon) -> BTreeSet<Atom> {
    let mut out = BTreeSet::new();
    let mut add = |elements: &[Element]| {
        for element in elements {
            if let Element::OneOf(alternatives) = element {
                out.extend(alternatives.iter().flatten().cloned());
            }
        }
    };
    for phrase in lexicon.categories.iter().flat_map(|c| &c.phrases) {
        add(&phrase.pattern.sequence);
        if let Some((_, near)) = &phrase.pattern.near {
            add(near);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn exact(text: &str) -> Atom {
        Atom { text: text.to_owned(), kind: AtomKind::Exact }
    }

    #[test]
    fn parses_headers_categories_and_comments() -> Result<()> {
        let lexicon = Lexicon::parse(
            "# a list\nlanguage: es-MX  # Spanish\nalso: en, EN\n\n[self_harm]\nme corto\n[farewell]\nadiós a todos\n\
             [self_harm]\nhacerme daño\n[exceptions]\nme corté cocinando\n",
        )?;
        assert_eq!(lexicon.language(), "es");
        assert_eq!(lexicon.also(), ["en"]);
        assert_eq!(lexicon.categories(), ["self_harm", "farewell", "exceptions"]);
        assert_eq!(lexicon.phrases("self_harm"), ["me corto", "hacerme daño"]);
        assert_eq!(lexicon.phrase_count(), 4);
        Ok(())
    }

    #[test]
    fn parses_the_phrase_syntax() -> std::result::Result<(), String> {
        let pattern = parse_pattern("(want|wanna go) .. DIE ..5 suicid* overdose~ & 💊")?;
        let Pattern { sequence, near } = pattern;
        assert_eq!(
            sequence,
            vec![
                Element::OneOf(vec![vec![exact("want")], vec![exact("wanna"), exact("go")]]),
                Element::Gap(3),
                Element::OneOf(vec![vec![exact("die")]]),
                Element::Gap(5),
                Element::OneOf(vec![vec![Atom { text: "suicid".into(), kind: AtomKind::Prefix }]]),
                Element::OneOf(vec![vec![Atom { text: "overdose".into(), kind: AtomKind::Fuzzy }]]),
            ]
        );
        assert_eq!(near, Some((6, vec![Element::OneOf(vec![vec![exact("💊")]])])));
        // A written word that normalises to two words is two elements.
        assert_eq!(parse_pattern("self-harm")?.sequence.len(), 2);
        assert_eq!(parse_pattern("a &9 b")?.near.map(|(n, _)| n), Some(9));
        assert_eq!(
            parse_pattern("a (b|c d)? e")?.sequence.get(1),
            Some(&Element::OneOf(vec![vec![exact("b")], vec![exact("c"), exact("d")], vec![]]))
        );
        Ok(())
    }

    #[test]
    fn refuses_malformed_lists_with_the_line_number() {
        let cases = [
            ("[self_harm]\nme corto\n", "no \"language:\""),
            ("language: en\nkill myself\n", "line 2"),
            ("language: english!\n", "line 1"),
            ("language: en\n[Self Harm]\n", "line 2"),
            ("language: en\n[a]\n(want|wanna die\n", "line 3"),
            ("language: en\n[a]\n.. die\n", "line 3"),
            ("language: en\n[a]\nwant ..9 die\n", "line 3"),
            ("language: en\n[a]\nwant ..0 die\n", "line 3"),
            ("language: en\n[a]\na & b & c\n", "line 3"),
            ("language: en\n[a]\nab*\n", "line 3"),
            ("language: en\n[a]\nkill~\n", "line 3"),
            ("language: en\n[a]\nself-harm*\n", "line 3"),
            ("language: en\n[a]\n(a||b)\n", "line 3"),
            ("language: en\n[a]\n(a (b))\n", "line 3"),
            ("language: en\n[a]\n...\n", "line 3"),
            ("language: en\n[a]\n(a)? b\n", "line 3"),
            ("language: en\n[a]\nb (a)?\n", "line 3"),
            ("language: en\n[a]\nb )?\n", "line 3"),
            ("language: en\nflavour: mild\n", "line 2"),
        ];
        for (text, expected) in cases {
            match Lexicon::parse(text).as_ref().map_err(Error::kind) {
                Err(ErrorKind::InvalidInput { field, reason }) => {
                    assert_eq!(*field, FIELD);
                    assert!(reason.contains(expected), "{text:?}: {reason}");
                }
                other => panic!("{text:?} parsed: {other:?}"),
            }
        }
        assert!(Lexicon::parse(&"#".repeat(MAX_LEXICON_BYTES + 1)).is_err());
        assert!(Lexicon::parse(&format!("language: en\n[a]\n{}\n", "a ".repeat(300))).is_err());
    }

    #[test]
    fn extends_by_merging_categories_and_skipping_duplicates() -> Result<()> {
        let mut lexicon = Lexicon::parse("language: en\n[self_harm]\ncut myself\n")?;
        lexicon.extend(Lexicon::parse("language: en-GB\nalso: es\n[self_harm]\ncut myself\nburn myself\n[x]\ny\n")?)?;
        assert_eq!(lexicon.phrases("self_harm"), ["cut myself", "burn myself"]);
        assert_eq!(lexicon.categories(), ["self_harm", "x"]);
        assert_eq!(lexicon.also(), ["es"]);
        assert!(lexicon.extend(Lexicon::parse("language: es\n[a]\nb\n")?).is_err());
        Ok(())
    }

    #[test]
    fn display_round_trips() -> Result<()> {
        let lexicon = Lexicon::parse("language: sw\nalso: en\n[a]\nnataka (kufa|kujiua)\n[exceptions]\nx & y\n")?;
        assert_eq!(Lexicon::parse(&lexicon.to_string())?, lexicon);
        Ok(())
    }

    #[test]
    fn every_shipped_list_parses() {
        for language in BUILTIN_LANGUAGES {
            if let Some(text) = builtin_text(language) {
                assert!(Lexicon::parse(text).is_ok(), "{language}: {:?}", Lexicon::parse(text).err());
            }
            let lexicon = Lexicon::builtin(language);
            assert!(lexicon.as_ref().is_some_and(|l| l.phrase_count() > 50), "{language}");
            assert_eq!(lexicon.map(|l| l.language().to_owned()).as_deref(), Some(*language));
        }
        assert!(Lexicon::builtin("EN-us").is_some());
        assert!(Lexicon::builtin("xx").is_none());
        assert!(Lexicon::builtin("").is_none());
    }

    #[test]
    fn language_tags_reduce_to_their_primary_subtag() {
        assert_eq!(primary_language("pt-BR").as_deref(), Some("pt"));
        assert_eq!(primary_language(" SW ").as_deref(), Some("sw"));
        assert_eq!(primary_language("e"), None);
        assert_eq!(primary_language("1a"), None);
    }
}
