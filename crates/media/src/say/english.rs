//! English numbers (American usage: no "and" after "hundred").

use super::names::{BILLION, DIGITS, HUNDRED, MILLION, PLUS, POUND, STAR, TENS, THOUSAND};
use super::names::{HOUR, HOURS, MINUTE, MINUTES, SECOND, SECONDS};
use crate::prompt::PromptText;
use crate::prompt::catalogue::entry;

pub(super) fn number(n: u32, out: &mut Vec<&'static str>) {
    if n == 0 {
        out.push(DIGITS[0]);
        return;
    }
    for (scale, name) in [
        (1_000_000_000, BILLION),
        (1_000_000, MILLION),
        (1_000, THOUSAND),
    ] {
        let group = n / scale % 1_000;
        if group > 0 {
            below_1000(group, out);
            out.push(name);
        }
    }
    below_1000(n % 1_000, out);
}

fn below_1000(n: u32, out: &mut Vec<&'static str>) {
    let (hundreds, rest) = (n / 100, n % 100);
    if hundreds > 0 {
        out.push(DIGITS[hundreds as usize]);
        out.push(HUNDRED);
    }
    if rest >= 20 {
        out.push(TENS[(rest / 10) as usize]);
        if rest % 10 > 0 {
            out.push(DIGITS[(rest % 10) as usize]);
        }
    } else if rest > 0 {
        out.push(DIGITS[rest as usize]);
    }
}

/// The ordinal form of the last word of a cardinal: "one" → "first", "hundred" → "hundredth".
pub(super) fn ordinal_of(cardinal: &str) -> &'static str {
    ORDINALS
        .iter()
        .find(|(c, _)| *c == cardinal)
        .map_or(ORDINALS[0].1, |(_, o)| o)
}

/// Tens and units are hyphenated ("twenty-one", "twenty-first"); other words are spaced.
pub(super) fn separator(previous: &str, next: &str) -> &'static str {
    let is_tens = TENS[2..].contains(&previous);
    let is_unit = DIGITS[1..10].contains(&next) || ORDINALS[1..10].iter().any(|(_, o)| *o == next);
    if is_tens && is_unit { "-" } else { " " }
}

/// Cardinal word → ordinal word, for every word that can end a number (index = value below 20).
const ORDINALS: &[(&str, &str)] = &[
    ("digits/0", "ordinal/0"),
    ("digits/1", "ordinal/1"),
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
    ("digits/17", "ordinal/17"),
    ("digits/18", "ordinal/18"),
    ("digits/19", "ordinal/19"),
    ("digits/20", "ordinal/20"),
    ("digits/30", "ordinal/30"),
    ("digits/40", "ordinal/40"),
    ("digits/50", "ordinal/50"),
    ("digits/60", "ordinal/60"),
    ("digits/70", "ordinal/70"),
    ("digits/80", "ordinal/80"),
    ("digits/90", "ordinal/90"),
    (HUNDRED, "ordinal/hundred"),
    (THOUSAND, "ordinal/thousand"),
    (MILLION, "ordinal/million"),
    (BILLION, "ordinal/billion"),
];

pub(super) const CATALOGUE: &[PromptText] = &[
    entry("digits/0", "zero"),
    entry("digits/1", "one"),
    entry("digits/2", "two"),
    entry("digits/3", "three"),
    entry("digits/4", "four"),
    entry("digits/5", "five"),
    entry("digits/6", "six"),
    entry("digits/7", "seven"),
    entry("digits/8", "eight"),
    entry("digits/9", "nine"),
    entry("digits/10", "ten"),
    entry("digits/11", "eleven"),
    entry("digits/12", "twelve"),
    entry("digits/13", "thirteen"),
    entry("digits/14", "fourteen"),
    entry("digits/15", "fifteen"),
    entry("digits/16", "sixteen"),
    entry("digits/17", "seventeen"),
    entry("digits/18", "eighteen"),
    entry("digits/19", "nineteen"),
    entry("digits/20", "twenty"),
    entry("digits/30", "thirty"),
    entry("digits/40", "forty"),
    entry("digits/50", "fifty"),
    entry("digits/60", "sixty"),
    entry("digits/70", "seventy"),
    entry("digits/80", "eighty"),
    entry("digits/90", "ninety"),
    entry(HUNDRED, "hundred"),
    entry(THOUSAND, "thousand"),
    entry(MILLION, "million"),
    entry(BILLION, "billion"),
    entry(STAR, "star"),
    entry(POUND, "pound"),
    entry(PLUS, "plus"),
    entry("ordinal/0", "zeroth"),
    entry("ordinal/1", "first"),
    entry("ordinal/2", "second"),
    entry("ordinal/3", "third"),
    entry("ordinal/4", "fourth"),
    entry("ordinal/5", "fifth"),
    entry("ordinal/6", "sixth"),
    entry("ordinal/7", "seventh"),
    entry("ordinal/8", "eighth"),
    entry("ordinal/9", "ninth"),
    entry("ordinal/10", "tenth"),
    entry("ordinal/11", "eleventh"),
    entry("ordinal/12", "twelfth"),
    entry("ordinal/13", "thirteenth"),
    entry("ordinal/14", "fourteenth"),
    entry("ordinal/15", "fifteenth"),
    entry("ordinal/16", "sixteenth"),
    entry("ordinal/17", "seventeenth"),
    entry("ordinal/18", "eighteenth"),
    entry("ordinal/19", "nineteenth"),
    entry("ordinal/20", "twentieth"),
    entry("ordinal/30", "thirtieth"),
    entry("ordinal/40", "fortieth"),
    entry("ordinal/50", "fiftieth"),
    entry("ordinal/60", "sixtieth"),
    entry("ordinal/70", "seventieth"),
    entry("ordinal/80", "eightieth"),
    entry("ordinal/90", "ninetieth"),
    entry("ordinal/hundred", "hundredth"),
    entry("ordinal/thousand", "thousandth"),
    entry("ordinal/million", "millionth"),
    entry("ordinal/billion", "billionth"),
    entry(HOUR, "hour"),
    entry(HOURS, "hours"),
    entry(MINUTE, "minute"),
    entry(MINUTES, "minutes"),
    entry(SECOND, "second"),
    entry(SECONDS, "seconds"),
];
