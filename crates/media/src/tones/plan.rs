//! National call-progress tone plans: what a caller hears while a call rings, when the far end
//! is busy, and when the network is congested.
//!
//! Sources (frequencies and cadences): US, the Precise Tone Plan (levels per sine: dial −13,
//! ringback −19, busy and reorder −24 dBm0); UK, BT SIN 350 as carried by Asterisk's
//! `indications.conf` (levels not checked against SIN 350: the US levels are used); France,
//! France Télécom's analogue-line document (ringback 440 Hz 1.5 s on / 3.5 s off at −8 dBm0;
//! the same level is used for its other tones).

use super::TonesError;
use super::generator::Tone;

/// Which call-progress tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToneKind {
    /// Dial tone: the line is ready for digits.
    Dial,
    /// Ringback: the called party is being alerted.
    Ringback,
    /// Busy: the called party is engaged.
    Busy,
    /// Congestion (reorder, "fast busy"): the network could not complete the call.
    Congestion,
}

/// The call-progress tones of one country.
#[derive(Debug, Clone, PartialEq)]
pub struct TonePlan {
    country: &'static str,
    dial: Tone,
    ringback: Tone,
    busy: Tone,
    congestion: Tone,
}

impl TonePlan {
    /// The plan of a country by ISO 3166 code: `US`, `GB` (or `UK`), `FR`, any case.
    pub fn for_country(code: &str) -> Result<TonePlan, TonesError> {
        match code.to_ascii_uppercase().as_str() {
            "US" => Ok(TonePlan::united_states()),
            "GB" | "UK" => Ok(TonePlan::united_kingdom()),
            "FR" => Ok(TonePlan::france()),
            _ => Err(TonesError::UnknownCountry(code.chars().take(8).collect())),
        }
    }

    fn united_states() -> TonePlan {
        TonePlan {
            country: "US",
            dial: Tone::continuous(&[(350.0, -13.0), (440.0, -13.0)]),
            ringback: Tone::cadenced(
                &[(440.0, -19.0), (480.0, -19.0)],
                &[(true, 2_000), (false, 4_000)],
                true,
            ),
            busy: Tone::cadenced(
                &[(480.0, -24.0), (620.0, -24.0)],
                &[(true, 500), (false, 500)],
                true,
            ),
            congestion: Tone::cadenced(
                &[(480.0, -24.0), (620.0, -24.0)],
                &[(true, 250), (false, 250)],
                true,
            ),
        }
    }

    fn united_kingdom() -> TonePlan {
        TonePlan {
            country: "GB",
            dial: Tone::continuous(&[(350.0, -13.0), (440.0, -13.0)]),
            ringback: Tone::cadenced(
                &[(400.0, -19.0), (450.0, -19.0)],
                &[(true, 400), (false, 200), (true, 400), (false, 2_000)],
                true,
            ),
            busy: Tone::cadenced(&[(400.0, -24.0)], &[(true, 375), (false, 375)], true),
            congestion: Tone::cadenced(
                &[(400.0, -24.0)],
                &[(true, 400), (false, 350), (true, 225), (false, 525)],
                true,
            ),
        }
    }

    fn france() -> TonePlan {
        TonePlan {
            country: "FR",
            dial: Tone::continuous(&[(440.0, -8.0)]),
            ringback: Tone::cadenced(&[(440.0, -8.0)], &[(true, 1_500), (false, 3_500)], true),
            busy: Tone::cadenced(&[(440.0, -8.0)], &[(true, 500), (false, 500)], true),
            congestion: Tone::cadenced(&[(440.0, -8.0)], &[(true, 250), (false, 250)], true),
        }
    }

    /// The ISO 3166 code of the plan's country.
    pub fn country(&self) -> &'static str {
        self.country
    }

    /// One of the plan's tones.
    pub fn tone(&self, kind: ToneKind) -> &Tone {
        match kind {
            ToneKind::Dial => &self.dial,
            ToneKind::Ringback => &self.ringback,
            ToneKind::Busy => &self.busy,
            ToneKind::Congestion => &self.congestion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_off_ms(tone: &Tone) -> Vec<(bool, u128)> {
        tone.cadence()
            .iter()
            .map(|s| (s.on, s.duration.as_millis()))
            .collect()
    }

    #[test]
    fn us_ringback_is_440_480_two_on_four_off() {
        let plan = TonePlan::for_country("us").unwrap();
        let ringback = plan.tone(ToneKind::Ringback);
        let freqs: Vec<f64> = ringback.components().iter().map(|c| c.freq_hz).collect();
        assert_eq!(freqs, vec![440.0, 480.0]);
        assert_eq!(on_off_ms(ringback), vec![(true, 2_000), (false, 4_000)]);
    }

    #[test]
    fn uk_ringback_is_double_ring() {
        let plan = TonePlan::for_country("GB").unwrap();
        assert_eq!(
            on_off_ms(plan.tone(ToneKind::Ringback)),
            vec![(true, 400), (false, 200), (true, 400), (false, 2_000)]
        );
        assert_eq!(TonePlan::for_country("UK").unwrap().country(), "GB");
    }

    #[test]
    fn french_tones_are_440_hz() {
        let plan = TonePlan::for_country("FR").unwrap();
        for kind in [
            ToneKind::Dial,
            ToneKind::Ringback,
            ToneKind::Busy,
            ToneKind::Congestion,
        ] {
            let freqs: Vec<f64> = plan
                .tone(kind)
                .components()
                .iter()
                .map(|c| c.freq_hz)
                .collect();
            assert_eq!(freqs, vec![440.0], "{kind:?}");
        }
        assert_eq!(
            on_off_ms(plan.tone(ToneKind::Ringback)),
            vec![(true, 1_500), (false, 3_500)]
        );
    }

    #[test]
    fn busy_and_congestion_are_told_apart_by_cadence() {
        for country in ["US", "GB", "FR"] {
            let plan = TonePlan::for_country(country).unwrap();
            let busy = on_off_ms(plan.tone(ToneKind::Busy));
            assert_ne!(
                busy,
                on_off_ms(plan.tone(ToneKind::Congestion)),
                "{country}"
            );
            assert!(busy.iter().all(|&(_, ms)| ms < 1_000), "{country}");
            assert!(plan.tone(ToneKind::Dial).cadence().is_empty(), "{country}");
        }
    }

    #[test]
    fn unknown_country_is_an_error() {
        assert!(matches!(
            TonePlan::for_country("XX"),
            Err(TonesError::UnknownCountry(_))
        ));
    }
}
