//! Prompt names shared by the languages' rules (the texts differ per language).

/// "zero" to "nineteen", indexed by value.
pub(super) const DIGITS: [&str; 20] = [
    "digits/0",
    "digits/1",
    "digits/2",
    "digits/3",
    "digits/4",
    "digits/5",
    "digits/6",
    "digits/7",
    "digits/8",
    "digits/9",
    "digits/10",
    "digits/11",
    "digits/12",
    "digits/13",
    "digits/14",
    "digits/15",
    "digits/16",
    "digits/17",
    "digits/18",
    "digits/19",
];
/// "twenty" to "ninety", indexed by the tens digit (0 and 1 unused).
pub(super) const TENS: [&str; 10] = [
    "",
    "",
    "digits/20",
    "digits/30",
    "digits/40",
    "digits/50",
    "digits/60",
    "digits/70",
    "digits/80",
    "digits/90",
];
pub(super) const HUNDRED: &str = "digits/hundred";
pub(super) const THOUSAND: &str = "digits/thousand";
pub(super) const MILLION: &str = "digits/million";
pub(super) const BILLION: &str = "digits/billion";

pub(super) const STAR: &str = "digits/star";
pub(super) const POUND: &str = "digits/pound";
pub(super) const PLUS: &str = "digits/plus";

pub(super) const HOUR: &str = "time/hour";
pub(super) const HOURS: &str = "time/hours";
pub(super) const MINUTE: &str = "time/minute";
pub(super) const MINUTES: &str = "time/minutes";
pub(super) const SECOND: &str = "time/second";
pub(super) const SECONDS: &str = "time/seconds";
