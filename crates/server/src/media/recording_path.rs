//! Where a call's recording goes: `<data>/recordings/<tenant>/<yyyy>/<mm>/<dd>/<interaction>.wav`,
//! dated in UTC by when the recording started. One directory per tenant keeps tenants' files
//! apart on disk; one per day keeps directories small and makes retention a matter of
//! deleting old days.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The recording file of interaction `interaction` of `tenant`, started at `at`.
///
/// Both names are reduced to `[A-Za-z0-9_-]` (anything else becomes `_`), so no id can climb
/// out of the recordings directory.
pub fn recording_path(
    data_dir: &Path,
    tenant: impl Display,
    interaction: impl Display,
    at: SystemTime,
) -> PathBuf {
    let days = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() / 86_400);
    let (year, month, day) = civil_from_days(days);
    let mut path = data_dir.join("recordings");
    path.push(path_safe(&tenant.to_string()));
    path.push(format!("{year:04}"));
    path.push(format!("{month:02}"));
    path.push(format!("{day:02}"));
    path.push(format!("{}.wav", path_safe(&interaction.to_string())));
    path
}

fn path_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() { "_".into() } else { safe }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn days_map_to_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        // 2000-02-29, a leap day of a century divisible by 400.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        // 2025-11-15.
        assert_eq!(civil_from_days(20_407), (2025, 11, 15));
    }

    #[test]
    fn path_is_dated_and_per_tenant() {
        let at = UNIX_EPOCH + Duration::from_secs(20_407 * 86_400 + 3_600);
        let path = recording_path(Path::new("/data"), 7, "0123abcd", at);
        assert_eq!(
            path,
            Path::new("/data/recordings/7/2025/11/15/0123abcd.wav")
        );
    }

    #[test]
    fn ids_cannot_escape_the_directory() {
        let path = recording_path(Path::new("/data"), "../etc", "a/../../b", UNIX_EPOCH);
        assert_eq!(
            path,
            Path::new("/data/recordings/___etc/1970/01/01/a_______b.wav")
        );
    }
}
