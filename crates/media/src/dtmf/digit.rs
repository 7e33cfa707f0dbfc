//! The sixteen DTMF keys: their characters, RFC 4733 event codes and Q.23 frequency pairs.

use std::fmt;

/// Low-group (row) frequencies in Hz, ITU-T Q.23.
pub const LOW_GROUP_HZ: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
/// High-group (column) frequencies in Hz, ITU-T Q.23.
pub const HIGH_GROUP_HZ: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

/// One DTMF key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Digit {
    /// `0`
    Zero,
    /// `1`
    One,
    /// `2`
    Two,
    /// `3`
    Three,
    /// `4`
    Four,
    /// `5`
    Five,
    /// `6`
    Six,
    /// `7`
    Seven,
    /// `8`
    Eight,
    /// `9`
    Nine,
    /// `*`
    Star,
    /// `#`
    Pound,
    /// `A`
    A,
    /// `B`
    B,
    /// `C`
    C,
    /// `D`
    D,
}

/// Keypad layout: rows are the low group, columns the high group.
const KEYPAD: [[Digit; 4]; 4] = [
    [Digit::One, Digit::Two, Digit::Three, Digit::A],
    [Digit::Four, Digit::Five, Digit::Six, Digit::B],
    [Digit::Seven, Digit::Eight, Digit::Nine, Digit::C],
    [Digit::Star, Digit::Zero, Digit::Pound, Digit::D],
];

impl Digit {
    /// All sixteen keys in RFC 4733 event-code order (0–9, *, #, A–D).
    pub const ALL: [Digit; 16] = [
        Digit::Zero,
        Digit::One,
        Digit::Two,
        Digit::Three,
        Digit::Four,
        Digit::Five,
        Digit::Six,
        Digit::Seven,
        Digit::Eight,
        Digit::Nine,
        Digit::Star,
        Digit::Pound,
        Digit::A,
        Digit::B,
        Digit::C,
        Digit::D,
    ];

    /// The RFC 4733 event code (0–15).
    pub fn event_code(self) -> u8 {
        self as u8
    }

    /// The key of an RFC 4733 event code; `None` for codes above 15 (flash and others).
    pub fn from_event_code(code: u8) -> Option<Digit> {
        Digit::ALL.get(usize::from(code)).copied()
    }

    /// The key's character: `0`–`9`, `*`, `#`, `A`–`D`.
    pub fn to_char(self) -> char {
        b"0123456789*#ABCD"[usize::from(self.event_code())] as char
    }

    /// The key of a character (`a`–`d` accepted too); `None` for anything else.
    pub fn from_char(c: char) -> Option<Digit> {
        let code = match c.to_ascii_uppercase() {
            d @ '0'..='9' => d as u8 - b'0',
            '*' => 10,
            '#' => 11,
            l @ 'A'..='D' => l as u8 - b'A' + 12,
            _ => return None,
        };
        Digit::from_event_code(code)
    }

    /// Row (low group index, 0–3) and column (high group index, 0–3) on the keypad.
    pub fn row_col(self) -> (usize, usize) {
        for (row, keys) in KEYPAD.iter().enumerate() {
            if let Some(col) = keys.iter().position(|&k| k == self) {
                return (row, col);
            }
        }
        // Every digit is on the keypad; the loop above always returns.
        (3, 1)
    }

    /// The key at a keypad position; `None` outside 0–3.
    pub fn from_row_col(row: usize, col: usize) -> Option<Digit> {
        KEYPAD.get(row)?.get(col).copied()
    }

    /// The (low, high) frequency pair in Hz.
    pub fn frequencies(self) -> (f32, f32) {
        let (row, col) = self.row_col();
        (LOW_GROUP_HZ[row], HIGH_GROUP_HZ[col])
    }
}

impl fmt::Display for Digit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_char())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_codes_follow_rfc_4733() {
        assert_eq!(Digit::Zero.event_code(), 0);
        assert_eq!(Digit::Nine.event_code(), 9);
        assert_eq!(Digit::Star.event_code(), 10);
        assert_eq!(Digit::Pound.event_code(), 11);
        assert_eq!(Digit::D.event_code(), 15);
        assert_eq!(Digit::from_event_code(16), None);
        for digit in Digit::ALL {
            assert_eq!(Digit::from_event_code(digit.event_code()), Some(digit));
        }
    }

    #[test]
    fn characters_round_trip() {
        for digit in Digit::ALL {
            assert_eq!(Digit::from_char(digit.to_char()), Some(digit));
        }
        assert_eq!(Digit::from_char('b'), Some(Digit::B));
        assert_eq!(Digit::from_char('E'), None);
        assert_eq!(Digit::from_char('é'), None);
    }

    #[test]
    fn frequencies_follow_the_keypad() {
        assert_eq!(Digit::One.frequencies(), (697.0, 1209.0));
        assert_eq!(Digit::Zero.frequencies(), (941.0, 1336.0));
        assert_eq!(Digit::Pound.frequencies(), (941.0, 1477.0));
        assert_eq!(Digit::C.frequencies(), (852.0, 1633.0));
        for digit in Digit::ALL {
            let (row, col) = digit.row_col();
            assert_eq!(Digit::from_row_col(row, col), Some(digit));
        }
        assert_eq!(Digit::from_row_col(4, 0), None);
    }
}
