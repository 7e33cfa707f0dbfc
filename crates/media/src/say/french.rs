//! French numbers: "et" in 21–61 and 71, vigesimal 70–99, plural "-s" on "vingts" and "cents"
//! when they end the numeral, invariable "mille", and "million"/"milliard" as nouns.
//!
//! Written out (see [`super::spell_number`]) in the 1990 spelling, which hyphenates all
//! numeral words ("deux-cent-un", "deux-mille"); million and milliard are nouns and stay
//! spaced ("deux millions").

use super::Gender;
use super::names::{BILLION, DIGITS, HUNDRED, MILLION, PLUS, POUND, STAR, TENS, THOUSAND};
use super::names::{HOUR, HOURS, MINUTE, MINUTES, SECOND, SECONDS};
use crate::prompt::PromptText;
use crate::prompt::catalogue::entry;

/// "et", as in "vingt-et-un".
const AND: &str = "digits/et";
/// "une", the feminine of "un".
const ONE_FEMININE: &str = "digits/une";
/// "vingts", in "quatre-vingts".
const TWENTIES: &str = "digits/vingts";
/// "cents", in "deux-cents".
const HUNDREDS: &str = "digits/hundreds";
/// "millions".
const MILLIONS: &str = "digits/millions";
/// "milliards".
const BILLIONS: &str = "digits/billions";
/// "premier": 1st alone; "unième" ends 21st, 101st...
const FIRST: &str = "ordinal/1";
const UNIEME: &str = "ordinal/unieme";

pub(super) fn number(n: u32, gender: Gender, out: &mut Vec<&'static str>) {
    if n == 0 {
        out.push(DIGITS[0]);
        return;
    }
    // Millions and milliards are nouns: the numeral before them ends there, so it keeps its
    // plural "-s" ("quatre-vingts millions") and is masculine.
    for (scale, singular, plural) in [
        (1_000_000_000, BILLION, BILLIONS),
        (1_000_000, MILLION, MILLIONS),
    ] {
        let group = n / scale % 1_000;
        if group > 0 {
            below_1000(group, true, Gender::Masculine, out);
            out.push(if group > 1 { plural } else { singular });
        }
    }
    // "mille" is a numeral: "deux-cent-mille" (no -s before it), and never "un mille".
    let thousands = n / 1_000 % 1_000;
    if thousands > 1 {
        below_1000(thousands, false, Gender::Masculine, out);
    }
    if thousands > 0 {
        out.push(THOUSAND);
    }
    below_1000(n % 1_000, true, gender, out);
}

/// `ends_numeral`: nothing but a noun follows, so "vingts"/"cents" keep their plural.
fn below_1000(n: u32, ends_numeral: bool, gender: Gender, out: &mut Vec<&'static str>) {
    let (hundreds, rest) = (n / 100, n % 100);
    if hundreds > 1 {
        out.push(DIGITS[hundreds as usize]);
    }
    if hundreds > 0 {
        out.push(if hundreds > 1 && rest == 0 && ends_numeral {
            HUNDREDS
        } else {
            HUNDRED
        });
    }
    if rest > 0 {
        below_100(rest, ends_numeral, gender, out);
    }
}

fn below_100(n: u32, ends_numeral: bool, gender: Gender, out: &mut Vec<&'static str>) {
    let unit = |value: u32| match (value, gender) {
        (1, Gender::Feminine) => ONE_FEMININE,
        _ => DIGITS[value as usize],
    };
    match n {
        0 => {}
        1..=16 => out.push(unit(n)),
        17..=19 => out.extend([DIGITS[10], DIGITS[(n - 10) as usize]]),
        20..=69 => {
            out.push(TENS[(n / 10) as usize]);
            if n % 10 == 1 {
                out.extend([AND, unit(1)]);
            } else {
                below_100(n % 10, ends_numeral, gender, out);
            }
        }
        70..=79 => {
            out.push(TENS[6]);
            if n == 71 {
                out.push(AND);
            }
            below_100(n - 60, ends_numeral, gender, out);
        }
        80 => out.extend([DIGITS[4], if ends_numeral { TWENTIES } else { TENS[2] }]),
        _ => {
            // 81–99: "quatre-vingt-un", "quatre-vingt-onze" — no "et", no -s.
            out.extend([DIGITS[4], TENS[2]]);
            below_100(n - 80, ends_numeral, gender, out);
        }
    }
}

/// The ordinal form of the last word of the cardinal `n`: "un" → "premier" alone, "unième" in
/// "vingt-et-unième"; "cents" → "centième"; "quatre-vingts" → "quatre-vingtième".
pub(super) fn ordinal_of(cardinal: &str, n: u32) -> &'static str {
    if cardinal == DIGITS[1] {
        return if n == 1 { FIRST } else { UNIEME };
    }
    ORDINALS
        .iter()
        .find(|(c, _)| *c == cardinal)
        .map_or(FIRST, |(_, o)| o)
}

/// Numeral words are hyphenated; the nouns million and milliard are spaced.
pub(super) fn separator(previous: &str, next: &str) -> &'static str {
    let is_noun = |name: &str| NOUNS.contains(&name);
    if is_noun(previous) || is_noun(next) {
        " "
    } else {
        "-"
    }
}

const NOUNS: &[&str] = &[
    MILLION,
    MILLIONS,
    BILLION,
    BILLIONS,
    "ordinal/million",
    "ordinal/billion",
];

/// Cardinal word → ordinal word, for every word that can end a number other than "un".
const ORDINALS: &[(&str, &str)] = &[
    ("digits/0", "ordinal/0"),
    ("digits/2", "ordinal/2"),
    ("digits/3", "ordinal/3"),
    ("digits/4", "ordinal/4"),
    ("digits/5", "ordinal/5"),
    ("digits/6", "ordinal/6"),
    ("digits/7", "ordinal/7"),
    ("digits/8", "ordinal/8"),
    ("digits/9", "ordinal/9"),
    ("digits/10", "ordinal/10"),
    ("digits/11", "ordinal/11"),
    ("digits/12", "ordinal/12"),
    ("digits/13", "ordinal/13"),
    ("digits/14", "ordinal/14"),
    ("digits/15", "ordinal/15"),
    ("digits/16", "ordinal/16"),
    ("digits/20", "ordinal/20"),
    (TWENTIES, "ordinal/20"),
    ("digits/30", "ordinal/30"),
    ("digits/40", "ordinal/40"),
    ("digits/50", "ordinal/50"),
    ("digits/60", "ordinal/60"),
    (HUNDRED, "ordinal/hundred"),
    (HUNDREDS, "ordinal/hundred"),
    (THOUSAND, "ordinal/thousand"),
    (MILLION, "ordinal/million"),
    (MILLIONS, "ordinal/million"),
    (BILLION, "ordinal/billion"),
    (BILLIONS, "ordinal/billion"),
];

pub(super) const CATALOGUE: &[PromptText] = &[
    entry("digits/0", "zéro"),
    entry("digits/1", "un"),
    entry("digits/2", "deux"),
    entry("digits/3", "trois"),
    entry("digits/4", "quatre"),
    entry("digits/5", "cinq"),
    entry("digits/6", "six"),
    entry("digits/7", "sept"),
    entry("digits/8", "huit"),
    entry("digits/9", "neuf"),
    entry("digits/10", "dix"),
    entry("digits/11", "onze"),
    entry("digits/12", "douze"),
    entry("digits/13", "treize"),
    entry("digits/14", "quatorze"),
    entry("digits/15", "quinze"),
    entry("digits/16", "seize"),
    entry("digits/20", "vingt"),
    entry("digits/30", "trente"),
    entry("digits/40", "quarante"),
    entry("digits/50", "cinquante"),
    entry("digits/60", "soixante"),
    entry(AND, "et"),
    entry(ONE_FEMININE, "une"),
    entry(TWENTIES, "vingts"),
    entry(HUNDRED, "cent"),
    entry(HUNDREDS, "cents"),
    entry(THOUSAND, "mille"),
    entry(MILLION, "million"),
    entry(MILLIONS, "millions"),
    entry(BILLION, "milliard"),
    entry(BILLIONS, "milliards"),
    entry(STAR, "étoile"),
    entry(POUND, "dièse"),
    entry(PLUS, "plus"),
    entry("ordinal/0", "zéroième"),
    entry(FIRST, "premier"),
    entry(UNIEME, "unième"),
    entry("ordinal/2", "deuxième"),
    entry("ordinal/3", "troisième"),
    entry("ordinal/4", "quatrième"),
    entry("ordinal/5", "cinquième"),
    entry("ordinal/6", "sixième"),
    entry("ordinal/7", "septième"),
    entry("ordinal/8", "huitième"),
    entry("ordinal/9", "neuvième"),
    entry("ordinal/10", "dixième"),
    entry("ordinal/11", "onzième"),
    entry("ordinal/12", "douzième"),
    entry("ordinal/13", "treizième"),
    entry("ordinal/14", "quatorzième"),
    entry("ordinal/15", "quinzième"),
    entry("ordinal/16", "seizième"),
    entry("ordinal/20", "vingtième"),
    entry("ordinal/30", "trentième"),
    entry("ordinal/40", "quarantième"),
    entry("ordinal/50", "cinquantième"),
    entry("ordinal/60", "soixantième"),
    entry("ordinal/hundred", "centième"),
    entry("ordinal/thousand", "millième"),
    entry("ordinal/million", "millionième"),
    entry("ordinal/billion", "milliardième"),
    entry(HOUR, "heure"),
    entry(HOURS, "heures"),
    entry(MINUTE, "minute"),
    entry(MINUTES, "minutes"),
    entry(SECOND, "seconde"),
    entry(SECONDS, "secondes"),
];
