//! Numbers, ordinals, digit strings and durations in English and French, and the promise that
//! the catalogue covers every prompt they name.
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::Duration;

use media::prompt::Language::{self, English, French};
use media::say::{self, Gender, SayError};
use proptest::prelude::*;

#[track_caller]
fn check_numbers(language: Language, cases: &[(u32, &str)]) {
    for &(n, words) in cases {
        assert_eq!(say::spell_number(language, n), words, "{n} in {language:?}");
    }
}

#[test]
fn english_numbers_below_one_hundred() {
    check_numbers(
        English,
        &[
            (0, "zero"),
            (1, "one"),
            (7, "seven"),
            (10, "ten"),
            (13, "thirteen"),
            (19, "nineteen"),
            (20, "twenty"),
            (21, "twenty-one"),
            (45, "forty-five"),
            (80, "eighty"),
            (99, "ninety-nine"),
        ],
    );
}

#[test]
fn english_hundreds_and_thousands() {
    check_numbers(
        English,
        &[
            (100, "one hundred"),
            (101, "one hundred one"),
            (115, "one hundred fifteen"),
            (342, "three hundred forty-two"),
            (1_000, "one thousand"),
            (1_001, "one thousand one"),
            (2_021, "two thousand twenty-one"),
            (10_000, "ten thousand"),
            (99_999, "ninety-nine thousand nine hundred ninety-nine"),
            (100_000, "one hundred thousand"),
            (700_070, "seven hundred thousand seventy"),
        ],
    );
}

#[test]
fn english_millions_and_billions() {
    check_numbers(
        English,
        &[
            (1_000_000, "one million"),
            (1_000_001, "one million one"),
            (
                12_345_678,
                "twelve million three hundred forty-five thousand six hundred seventy-eight",
            ),
            (
                999_999_999,
                "nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine",
            ),
            (1_000_000_000, "one billion"),
            (
                u32::MAX,
                "four billion two hundred ninety-four million nine hundred sixty-seven thousand two hundred ninety-five",
            ),
        ],
    );
}

#[test]
fn english_numbers_name_the_word_prompts() {
    assert_eq!(say::number(English, 3), ["digits/3"]);
    assert_eq!(say::number(English, 21), ["digits/20", "digits/1"]);
    assert_eq!(
        say::number(English, 1_200),
        ["digits/1", "digits/thousand", "digits/2", "digits/hundred"]
    );
}

#[test]
fn french_numbers_below_seventy() {
    check_numbers(
        French,
        &[
            (0, "zéro"),
            (1, "un"),
            (11, "onze"),
            (16, "seize"),
            (17, "dix-sept"),
            (19, "dix-neuf"),
            (20, "vingt"),
            (21, "vingt-et-un"),
            (22, "vingt-deux"),
            (31, "trente-et-un"),
            (41, "quarante-et-un"),
            (51, "cinquante-et-un"),
            (61, "soixante-et-un"),
            (69, "soixante-neuf"),
        ],
    );
}

#[test]
fn french_seventy_to_ninety_nine_count_in_twenties() {
    check_numbers(
        French,
        &[
            (70, "soixante-dix"),
            (71, "soixante-et-onze"),
            (72, "soixante-douze"),
            (77, "soixante-dix-sept"),
            (80, "quatre-vingts"),
            (81, "quatre-vingt-un"),
            (85, "quatre-vingt-cinq"),
            (90, "quatre-vingt-dix"),
            (91, "quatre-vingt-onze"),
            (99, "quatre-vingt-dix-neuf"),
        ],
    );
}

#[test]
fn french_hundreds_take_an_s_only_when_they_end_the_number() {
    check_numbers(
        French,
        &[
            (100, "cent"),
            (101, "cent-un"),
            (180, "cent-quatre-vingts"),
            (200, "deux-cents"),
            (201, "deux-cent-un"),
            (280, "deux-cent-quatre-vingts"),
            (999, "neuf-cent-quatre-vingt-dix-neuf"),
        ],
    );
}

#[test]
fn french_mille_is_invariable_and_never_preceded_by_un() {
    check_numbers(
        French,
        &[
            (1_000, "mille"),
            (1_001, "mille-un"),
            (2_000, "deux-mille"),
            (21_000, "vingt-et-un-mille"),
            (80_000, "quatre-vingt-mille"),
            (200_000, "deux-cent-mille"),
            (300_080, "trois-cent-mille-quatre-vingts"),
        ],
    );
}

#[test]
fn french_millions_and_milliards_are_nouns() {
    check_numbers(
        French,
        &[
            (1_000_000, "un million"),
            (2_000_000, "deux millions"),
            (1_000_001, "un million un"),
            (80_000_000, "quatre-vingts millions"),
            (200_000_000, "deux-cents millions"),
            (
                999_999_999,
                "neuf-cent-quatre-vingt-dix-neuf millions neuf-cent-quatre-vingt-dix-neuf-mille-neuf-cent-quatre-vingt-dix-neuf",
            ),
            (1_000_000_000, "un milliard"),
            (4_000_000_000, "quatre milliards"),
        ],
    );
}

#[test]
fn french_numbers_name_the_word_prompts() {
    assert_eq!(
        say::number(French, 21),
        ["digits/20", "digits/et", "digits/1"]
    );
    assert_eq!(say::number(French, 80), ["digits/4", "digits/vingts"]);
    assert_eq!(
        say::number(French, 81),
        ["digits/4", "digits/20", "digits/1"]
    );
    assert_eq!(say::number(French, 200), ["digits/2", "digits/hundreds"]);
    assert_eq!(
        say::number(French, 201),
        ["digits/2", "digits/hundred", "digits/1"]
    );
}

#[test]
fn french_feminine_changes_only_a_final_un() {
    let feminine = |n| say::number_of(French, n, Gender::Feminine);
    assert_eq!(feminine(1), ["digits/une"]);
    assert_eq!(feminine(21), ["digits/20", "digits/et", "digits/une"]);
    assert_eq!(feminine(81), ["digits/4", "digits/20", "digits/une"]);
    assert_eq!(feminine(71), say::number(French, 71));
    assert_eq!(feminine(1_000_000), say::number(French, 1_000_000));
    assert_eq!(
        say::number_of(English, 21, Gender::Feminine),
        say::number(English, 21)
    );
}

#[test]
fn ordinals_in_both_languages() {
    let cases = [
        (English, 1, "first"),
        (English, 2, "second"),
        (English, 12, "twelfth"),
        (English, 21, "twenty-first"),
        (English, 40, "fortieth"),
        (English, 100, "one hundredth"),
        (English, 103, "one hundred third"),
        (English, 1_000_000, "one millionth"),
        (French, 1, "premier"),
        (French, 2, "deuxième"),
        (French, 5, "cinquième"),
        (French, 9, "neuvième"),
        (French, 17, "dix-septième"),
        (French, 21, "vingt-et-unième"),
        (French, 71, "soixante-et-onzième"),
        (French, 80, "quatre-vingtième"),
        (French, 101, "cent-unième"),
        (French, 200, "deux-centième"),
        (French, 1_000, "millième"),
        (French, 2_000_000, "deux millionième"),
    ];
    for (language, n, words) in cases {
        assert_eq!(
            say::spell_ordinal(language, n),
            words,
            "{n} in {language:?}"
        );
    }
}

#[test]
fn digit_strings_are_said_one_digit_at_a_time() {
    assert_eq!(
        say::digits(French, "+33 6 12-34").unwrap(),
        [
            "digits/plus",
            "digits/3",
            "digits/3",
            "digits/6",
            "digits/1",
            "digits/2",
            "digits/3",
            "digits/4"
        ]
    );
    assert_eq!(
        say::digits(English, "0*#").unwrap(),
        ["digits/0", "digits/star", "digits/pound"]
    );
    assert_eq!(say::digits(English, "").unwrap(), Vec::<&str>::new());
}

#[test]
fn digit_strings_refuse_letters() {
    assert_eq!(say::digits(English, "12a3"), Err(SayError::Unsayable('a')));
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn english_durations() {
    assert_eq!(
        say::duration(English, secs(150)),
        ["digits/2", "time/minutes", "digits/30", "time/seconds"]
    );
    assert_eq!(
        say::duration(English, secs(3_600)),
        ["digits/1", "time/hour"]
    );
    assert_eq!(
        say::duration(English, secs(3_661)),
        [
            "digits/1",
            "time/hour",
            "digits/1",
            "time/minute",
            "digits/1",
            "time/second"
        ]
    );
    assert_eq!(
        say::duration(English, secs(7_200 + 5)),
        ["digits/2", "time/hours", "digits/5", "time/seconds"]
    );
    assert_eq!(
        say::duration(English, Duration::from_millis(999)),
        ["digits/0", "time/seconds"]
    );
}

#[test]
fn french_durations_are_feminine_and_singular_below_two() {
    assert_eq!(
        say::duration(French, secs(60)),
        ["digits/une", "time/minute"]
    );
    assert_eq!(
        say::duration(French, secs(150)),
        ["digits/2", "time/minutes", "digits/30", "time/seconds"]
    );
    assert_eq!(
        say::duration(French, secs(21 * 60)),
        ["digits/20", "digits/et", "digits/une", "time/minutes"]
    );
    assert_eq!(
        say::duration(French, secs(3_600 + 1)),
        ["digits/une", "time/hour", "digits/une", "time/second"]
    );
    assert_eq!(say::duration(French, secs(0)), ["digits/0", "time/second"]);
}

fn catalogue_names(language: Language) -> HashSet<&'static str> {
    say::catalogue(language).iter().map(|p| p.name).collect()
}

#[test]
fn catalogues_have_no_duplicate_or_empty_entries() {
    for language in Language::ALL {
        let catalogue = say::catalogue(language);
        assert_eq!(
            catalogue_names(language).len(),
            catalogue.len(),
            "{language:?}"
        );
        assert!(
            catalogue
                .iter()
                .all(|p| !p.text.is_empty() && !p.name.is_empty())
        );
    }
}

#[test]
fn every_catalogue_entry_is_used() {
    // Exhaustive below 1,000 plus the scales, all digits and a range of durations.
    for language in Language::ALL {
        let mut used = HashSet::new();
        for n in (0..1_000).chain([
            1_000,
            2_000,
            1_000_000,
            2_000_000,
            1_000_000_000,
            2_000_000_000,
        ]) {
            used.extend(say::number(language, n));
            used.extend(say::number_of(language, n, Gender::Feminine));
            used.extend(say::ordinal(language, n));
        }
        used.extend(say::digits(language, "0123456789*#+").unwrap());
        for s in [0, 1, 2, 60, 120, 3_600, 7_200] {
            used.extend(say::duration(language, secs(s)));
        }
        let unused: Vec<_> = catalogue_names(language)
            .difference(&used)
            .copied()
            .collect();
        assert!(
            unused.is_empty(),
            "{language:?} catalogues prompts nothing says: {unused:?}"
        );
    }
}

proptest! {
    #[test]
    fn everything_said_is_in_the_catalogue(n in any::<u32>(), seconds in 0_u64..400_000, digits in "[0-9*#+ -]{0,20}") {
        for language in Language::ALL {
            let names = catalogue_names(language);
            let mut said = say::number(language, n);
            said.extend(say::number_of(language, n, Gender::Feminine));
            said.extend(say::ordinal(language, n));
            said.extend(say::duration(language, secs(seconds)));
            said.extend(say::digits(language, &digits).unwrap());
            for name in said {
                prop_assert!(names.contains(name), "{language:?}: {name} is not catalogued");
            }
        }
    }

    #[test]
    fn numbers_are_never_empty_and_ordinals_differ_only_at_the_end(n in any::<u32>()) {
        for language in Language::ALL {
            let cardinal = say::number(language, n);
            let ordinal = say::ordinal(language, n);
            prop_assert!(!cardinal.is_empty());
            prop_assert_eq!(cardinal.len(), ordinal.len());
            prop_assert_eq!(&cardinal[..cardinal.len() - 1], &ordinal[..ordinal.len() - 1]);
            prop_assert_ne!(cardinal.last(), ordinal.last());
        }
    }

    #[test]
    fn english_hyphens_join_only_tens_and_units(n in any::<u32>()) {
        let words = say::spell_number(English, n);
        for piece in words.split(' ').filter(|w| w.contains('-')) {
            let parts: Vec<_> = piece.split('-').collect();
            prop_assert_eq!(parts.len(), 2, "{}", words);
            prop_assert!(parts[0].ends_with('y'), "{}", words);
        }
    }
}
