//! Amounts of money: integer minor units (cents) with an ISO 4217 currency, never floats.
//!
//! Custom fields of kind money and the order totals share this type, so "12.50" typed in a
//! form, read from a CSV cell or summed over order lines rounds nowhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Errors reading or adding amounts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The currency code is not three ASCII letters.
    #[error("currency code must be three letters, like EUR")]
    BadCurrency,
    /// The amount is not a decimal number.
    #[error("not an amount: expected digits with an optional decimal part, like 12.50")]
    Malformed,
    /// More decimals than the currency has minor units.
    #[error("{currency} has {digits} decimal places")]
    TooManyDecimals {
        /// The currency of the amount.
        currency: Currency,
        /// How many decimals it allows.
        digits: u8,
    },
    /// The amount does not fit in 64 bits of minor units.
    #[error("amount out of range")]
    Overflow,
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
}

/// An ISO 4217 currency code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// The code, like `"EUR"`.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored (checked in `from_str`).
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Decimal places of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn minor_digits(&self) -> u8 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes: [u8; 3] = s
            .trim()
            .as_bytes()
            .try_into()
            .map_err(|_| MoneyError::BadCurrency)?;
        if !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(MoneyError::BadCurrency);
        }
        Ok(Currency(bytes.map(|b| b.to_ascii_uppercase())))
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in minor units of a currency: `Money { minor: 1250, currency: EUR }` is 12.50 EUR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units (cents); negative for credits and refunds.
    pub minor: i64,
    /// Currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// Reads a decimal amount typed by a person: `12.5`, `-3,20` (comma as decimal mark),
    /// `1000`, optionally followed or preceded by the currency code (`12.50 EUR`). No thousands
    /// separators, no currency symbols.
    pub fn parse(raw: &str, currency: Currency) -> Result<Money, MoneyError> {
        let mut text = raw.trim();
        let code = currency.as_str();
        if let Some(rest) = strip_prefix_ignore_case(text, code) {
            text = rest.trim_start();
        } else if let Some(rest) = strip_suffix_ignore_case(text, code) {
            text = rest.trim_end();
        }
        let (negative, digits) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, fraction) = match digits.find(['.', ',']) {
            Some(at) => (&digits[..at], &digits[at + 1..]),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return Err(MoneyError::Malformed);
        }
        let places = currency.minor_digits();
        if fraction.len() > usize::from(places) {
            return Err(MoneyError::TooManyDecimals {
                currency,
                digits: places,
            });
        }
        let mut minor: i64 = 0;
        let padded = fraction.bytes().chain(std::iter::repeat(b'0'));
        for b in whole.bytes().chain(padded.take(usize::from(places))) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or(MoneyError::Overflow)?;
        }
        Ok(Money {
            minor: if negative { -minor } else { minor },
            currency,
        })
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// `self + other`; errors on different currencies or overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, ..self })
    }

    /// `self × quantity`; errors on overflow.
    pub fn checked_mul(self, quantity: u32) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(i64::from(quantity))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, ..self })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let places = u32::from(self.currency.minor_digits());
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let unit = 10u64.pow(places);
        if places == 0 {
            write!(f, "{sign}{abs} {}", self.currency)
        } else {
            let width = places as usize;
            write!(
                f,
                "{sign}{}.{:0width$} {}",
                abs / unit,
                abs % unit,
                self.currency
            )
        }
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let start = text.len().checked_sub(suffix.len())?;
    let tail = text.get(start..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..start])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        "EUR".parse().unwrap()
    }

    #[test]
    fn decimal_amounts_become_minor_units() {
        assert_eq!(Money::parse("12.5", eur()).unwrap().minor, 1250);
        assert_eq!(Money::parse("-3,20", eur()).unwrap().minor, -320);
        assert_eq!(Money::parse("1000", eur()).unwrap().minor, 100_000);
        assert_eq!(Money::parse(" 7.05 eur ", eur()).unwrap().minor, 705);
        assert_eq!(Money::parse("EUR 0.99", eur()).unwrap().minor, 99);
        assert_eq!(Money::parse(".5", eur()).unwrap().minor, 50);
    }

    #[test]
    fn currencies_without_cents_refuse_decimals() {
        let jpy: Currency = "jpy".parse().unwrap();
        assert_eq!(Money::parse("500", jpy).unwrap().minor, 500);
        assert!(matches!(
            Money::parse("500.5", jpy),
            Err(MoneyError::TooManyDecimals { digits: 0, .. })
        ));
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for raw in ["", "-", "1.2.3", "12a", "1 000", "€12", "1e3", "."] {
            assert!(Money::parse(raw, eur()).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn huge_amounts_overflow_instead_of_wrapping() {
        assert_eq!(
            Money::parse("99999999999999999999", eur()),
            Err(MoneyError::Overflow)
        );
        let max = Money {
            minor: i64::MAX,
            currency: eur(),
        };
        assert_eq!(max.checked_add(max), Err(MoneyError::Overflow));
        assert_eq!(max.checked_mul(2), Err(MoneyError::Overflow));
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let usd: Currency = "USD".parse().unwrap();
        assert!(matches!(
            Money::zero(eur()).checked_add(Money::zero(usd)),
            Err(MoneyError::CurrencyMismatch(..))
        ));
    }

    #[test]
    fn display_shows_minor_digits() {
        assert_eq!(
            Money::parse("-0.05", eur()).unwrap().to_string(),
            "-0.05 EUR"
        );
        let kwd: Currency = "KWD".parse().unwrap();
        assert_eq!(Money::parse("1.5", kwd).unwrap().to_string(), "1.500 KWD");
    }
}
