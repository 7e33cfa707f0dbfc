//! "Did you mean ...?" for misspelt field, kind and node names.

/// The candidate closest to `word` when it is close enough to be a likely typo.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    // One edit in short names, two in longer ones: "nxt" → "next", "timout" → "timeout",
    // but "a" is not a typo of "b".
    let length = word.chars().count();
    let allowed = match length {
        0..=2 => 0,
        3..=4 => 1,
        // Nobody misspells a name this long; comparing it would only cost time.
        65.. => return None,
        _ => 2,
    };
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the hopeless cheaply.
        .filter(|c| c.chars().count().abs_diff(length) <= allowed)
        .map(|c| (distance(word, c), c))
        .filter(|&(d, _)| d <= allowed)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// ` (did you mean "x"?)`, or nothing.
pub(crate) fn hint<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean \"{c}\"?)"))
        .unwrap_or_default()
}

/// Edit distance in characters, case-insensitive, counting a swap of two neighbours as one edit
/// ("mian" → "main").
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    // rows[i][j]: distance between the first i characters of a and the first j of b.
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let same = a[i - 1] == b[j - 1];
            let mut d = (rows[i - 1][j - 1] + usize::from(!same))
                .min(rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_the_intended_name() {
        assert_eq!(closest("timout", ["timeout", "retries"]), Some("timeout"));
        assert_eq!(closest("nxt", ["next", "play"]), Some("next"));
        assert_eq!(closest("mian", ["main", "sales"]), Some("main"));
    }

    #[test]
    fn an_unrelated_word_finds_nothing() {
        assert_eq!(closest("billing", ["sales", "support"]), None);
        assert_eq!(hint("a", ["b"]), "");
    }
}
