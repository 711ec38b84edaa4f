//! How typed text becomes the tokens the crisis check compares: the same steps run on a draft and on every word of a
//! phrase list, so a list written "suicide" finds "SUICIDE", "Suïcide" and "su1c1de".
//!
//! - Unicode lowercase, then accents folded to their base letter by a small table (Latin-1 and Latin Extended-A,
//!   which covers Spanish, Portuguese, French, Swahili and the other Latin-script languages a list may be written
//!   in); combining marks are dropped, so text typed in decomposed form folds the same way.
//! - "Fancy font" letters (mathematical bold, italic, script... and fullwidth forms) become plain ASCII letters.
//! - Apostrophes inside a word are removed ("don't" is `dont`, "I'm" is `im`); every other punctuation mark and all
//!   whitespace separate words ("self-harm" is `self harm`).
//! - In a word that mixes letters and digits, the digits people use as letters become those letters
//!   (`0 1 3 4 5 7` as `o i e a s t`: "su1c1de" is `suicide`); a word of digits only stays a number.
//! - Each emoji (or other pictographic symbol) is a word of its own; variation selectors, skin tones and joiners are
//!   dropped, so "⚰️" and "⚰" are the same word.
//!
//! Stretched letters ("sooo", "dieeee") are not collapsed here but when comparing words (see `check`), where both
//! readings of a run of three or more (one letter or two) are tried.

/// A draft cut into normalised words. `text` holds the words one after another; `words` their byte ranges in it.
#[derive(Debug, Default)]
pub(crate) struct Words {
    text: String,
    words: Vec<(usize, usize)>,
}

impl Words {
    /// How many words.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// The `i`th word, or "" past the end.
    pub(crate) fn get(&self, i: usize) -> &str {
        self.words.get(i).and_then(|&(start, end)| self.text.get(start..end)).unwrap_or("")
    }

    /// Every word, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Cuts `text` into normalised words.
pub(crate) fn words(text: &str) -> Words {
    let mut out = Words { text: String::with_capacity(text.len()), words: Vec::with_capacity(text.len() / 4) };
    let mut start = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // Most text people type is ASCII: letters and digits go straight in, the rest separates (the apostrophe
        // aside).
        if c.is_ascii() && c != '\'' && c != '`' {
            if c.is_ascii_alphanumeric() {
                out.text.push(c.to_ascii_lowercase());
            } else {
                finish_word(&mut out, &mut start);
            }
            continue;
        }
        if is_ignorable(c) {
            continue;
        }
        if is_apostrophe(c) {
            // Inside a word ("don't"), it disappears; anywhere else it separates.
            let inside = out.text.len() > start && chars.peek().is_some_and(|next| next.is_alphanumeric());
            if !inside {
                finish_word(&mut out, &mut start);
            }
            continue;
        }
        if c.is_alphanumeric() {
            let c = plain_letter(c).unwrap_or(c);
            for lower in c.to_lowercase() {
                push_folded(&mut out.text, lower);
            }
            continue;
        }
        finish_word(&mut out, &mut start);
        if is_pictograph(c) {
            out.text.push(c);
            finish_word(&mut out, &mut start);
        }
    }
    finish_word(&mut out, &mut start);
    out
}

/// Ends the word that began at `start` (if any): de-leets it and records it.
fn finish_word(out: &mut Words, start: &mut usize) {
    let end = out.text.len();
    if end > *start {
        if let Some(word) = out.text.get(*start..end) {
            let has_digit = word.bytes().any(|b| b.is_ascii_digit());
            let has_letter = word.chars().any(char::is_alphabetic);
            if has_digit && has_letter {
                let deleeted: String = word.chars().map(deleet).collect();
                out.text.truncate(*start);
                out.text.push_str(&deleeted);
            }
        }
        out.words.push((*start, out.text.len()));
    }
    *start = out.text.len();
}

/// The letter a digit stands for inside a word ("k1ll", "su1c1de"), or the character itself.
fn deleet(c: char) -> char {
    match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        other => other,
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}')
}

/// Characters that change how a neighbour looks but carry nothing themselves: combining accents, variation
/// selectors, joiners, emoji skin tones, the keycap mark.
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{200B}'..='\u{200D}'
        | '\u{2060}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0020}'..='\u{E007F}')
}

/// Emoji and other pictographic symbols (not letters, not punctuation): each is a word of its own.
fn is_pictograph(c: char) -> bool {
    let code = u32::from(c);
    code >= 0x2190
        && !matches!(code,
            0x2000..=0x206F      // general punctuation
            | 0x2E00..=0x2E7F    // supplemental punctuation
            | 0x3000..=0x303F    // CJK punctuation
            | 0xFE30..=0xFE4F    // CJK compatibility forms
            | 0xFE50..=0xFE6F    // small form variants
            | 0xFF00..=0xFF65    // fullwidth punctuation
            | 0xE000..=0xF8FF    // private use
            | 0xFFF0..=0xFFFF)
}

/// A styled letter or digit (mathematical bold, italic, script, double-struck... or fullwidth) as its plain ASCII
/// form; `None` for every other character.
fn plain_letter(c: char) -> Option<char> {
    let code = u32::from(c);
    let from = |base: u8, offset: u32| char::from_u32(u32::from(base) + offset);
    match code {
        // Fullwidth A-Z, a-z, 0-9.
        0xFF21..=0xFF3A => from(b'a', code - 0xFF21),
        0xFF41..=0xFF5A => from(b'a', code - 0xFF41),
        0xFF10..=0xFF19 => from(b'0', code - 0xFF10),
        // Mathematical alphanumeric letters: 13 styles of 52 letters (A-Z then a-z); the styles' few holes are
        // unassigned code points that text never contains.
        0x1D400..=0x1D6A3 => from(b'a', (code - 0x1D400) % 52 % 26),
        // Mathematical digits: 5 styles of 10.
        0x1D7CE..=0x1D7FF => from(b'0', (code - 0x1D7CE) % 10),
        _ => None,
    }
}

/// Appends `c` (already lowercase) with its accent folded away.
fn push_folded(out: &mut String, c: char) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ſ' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        other => {
            out.push(other);
            return;
        }
    };
    out.push_str(folded);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> Vec<String> {
        words(text).iter().map(str::to_owned).collect()
    }

    #[test]
    fn lowercases_including_beyond_ascii() {
        assert_eq!(norm("I WANT To DIE"), ["i", "want", "to", "die"]);
        assert_eq!(norm("ΜΟΝΟΣ"), ["μονοσ"]);
    }

    #[test]
    fn folds_accents_precomposed_and_decomposed() {
        assert_eq!(norm("Suïcide más ÑANDÚ"), ["suicide", "mas", "nandu"]);
        // "más" typed as "ma" + U+0301 combining acute.
        assert_eq!(norm("ma\u{0301}s"), ["mas"]);
        assert_eq!(norm("ŒUVRE straße"), ["oeuvre", "strasse"]);
    }

    #[test]
    fn strips_punctuation_and_joins_apostrophes() {
        assert_eq!(norm("don't...I'm DONE!!!"), ["dont", "im", "done"]);
        assert_eq!(norm("can’t go on"), ["cant", "go", "on"]);
        assert_eq!(norm("self-harm, again?¿"), ["self", "harm", "again"]);
        assert_eq!(norm("'quoted' words"), ["quoted", "words"]);
        assert_eq!(norm("ng'ombe"), ["ngombe"]);
    }

    #[test]
    fn reads_digits_used_as_letters_only_inside_words() {
        assert_eq!(norm("su1c1de k1ll mys3lf"), ["suicide", "kill", "myself"]);
        assert_eq!(norm("took 30 pills at 2"), ["took", "30", "pills", "at", "2"]);
    }

    #[test]
    fn emoji_are_words_of_their_own() {
        assert_eq!(norm("bye⚰️🪦"), ["bye", "⚰", "🪦"]);
        assert_eq!(norm("💊💊"), ["💊", "💊"]);
        // Skin tones and joiners vanish; the pictographs stay.
        assert_eq!(norm("👋🏽"), ["👋"]);
        assert_eq!(norm("🧍\u{200D}♀️"), ["🧍", "♀"]);
    }

    #[test]
    fn fancy_fonts_become_plain_letters() {
        // Mathematical bold "kill", fullwidth "ＤＩＥ".
        assert_eq!(norm("\u{1D424}\u{1D422}\u{1D425}\u{1D425} ＤＩＥ"), ["kill", "die"]);
    }

    #[test]
    fn empty_and_punctuation_only_text_has_no_words() {
        assert!(norm("").is_empty());
        assert!(norm(" ...!?  — ").is_empty());
    }
}
