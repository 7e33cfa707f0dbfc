//! Call quality: a MOS estimate by the E-model (ITU-T G.107), simplified for G.711.
//!
//! `R = (Ro − Is) − Id − Ie,eff + A`, with the G.107 defaults `Ro − Is = 93.2` and `A = 0`:
//! - `Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)`, the loss impairment; for G.711
//!   `Ie = 0` and `Bpl` is 25.1 with packet loss concealment or 4.3 without (G.113 Appendix I);
//!   `BurstR` is 1 for random loss and grows with burstiness.
//! - `Id` is the pure-delay impairment `Idd` of G.107 for a mouth-to-ear delay `Ta` (no
//!   impairment up to 100 ms): echo is assumed controlled, so the talker-echo term is left out.
//! - MOS follows from R by the G.107 formula: 1 below R = 0, 4.5 above R = 100.
//!
//! [`CallQuality`] gathers the figures of one direction of a call for its quality report.

use std::time::Duration;

use crate::stats::ReceiverStats;

/// The parameters of the simplified E-model for one codec.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EModel {
    /// Basic signal-to-noise ratio minus simultaneous impairments (`Ro − Is`), 93.2 by default.
    pub ro_minus_is: f64,
    /// Equipment impairment of the codec without loss (`Ie`), 0 for G.711.
    pub ie: f64,
    /// Packet-loss robustness (`Bpl`).
    pub bpl: f64,
    /// Advantage factor (`A`), 0 for wired telephony.
    pub advantage: f64,
}

impl EModel {
    /// G.711 with packet loss concealment (G.711 Appendix I; our jitter buffer's repeat/fade is
    /// in that spirit): `Bpl = 25.1`.
    pub const G711_PLC: EModel = EModel {
        ro_minus_is: 93.2,
        ie: 0.0,
        bpl: 25.1,
        advantage: 0.0,
    };
    /// G.711 without concealment (lost packets played as silence): `Bpl = 4.3`.
    pub const G711_NO_PLC: EModel = EModel {
        ro_minus_is: 93.2,
        ie: 0.0,
        bpl: 4.3,
        advantage: 0.0,
    };

    /// `Ie,eff` for `loss_percent` (0–100) and a burst ratio (1 for random loss).
    pub fn effective_equipment_impairment(&self, loss_percent: f64, burst_ratio: f64) -> f64 {
        let ppl = loss_percent.clamp(0.0, 100.0);
        let burst = if burst_ratio > 0.0 { burst_ratio } else { 1.0 };
        let denominator = ppl / burst + self.bpl;
        if denominator <= 0.0 {
            return self.ie;
        }
        self.ie + (95.0 - self.ie) * ppl / denominator
    }

    /// The rating factor R for this loss and mouth-to-ear delay.
    pub fn r_factor(&self, loss_percent: f64, burst_ratio: f64, mouth_to_ear: Duration) -> f64 {
        self.ro_minus_is
            - delay_impairment(mouth_to_ear)
            - self.effective_equipment_impairment(loss_percent, burst_ratio)
            + self.advantage
    }
}

/// G.107 `Idd`: 0 up to 100 ms, then `25·((1+X⁶)^⅙ − 3(1+(X/3)⁶)^⅙ + 2)`, `X = log2(Ta/100 ms)`.
pub fn delay_impairment(mouth_to_ear: Duration) -> f64 {
    let ta_ms = mouth_to_ear.as_secs_f64() * 1000.0;
    if ta_ms <= 100.0 {
        return 0.0;
    }
    let x = (ta_ms / 100.0).log2();
    25.0 * ((1.0 + x.powi(6)).powf(1.0 / 6.0) - 3.0 * (1.0 + (x / 3.0).powi(6)).powf(1.0 / 6.0)
        + 2.0)
}

/// MOS (conversational quality, 1–4.5) from R (G.107 Annex B), never below 1.
pub fn mos_from_r(r: f64) -> f64 {
    if r.is_nan() || r <= 0.0 {
        1.0
    } else if r >= 100.0 {
        4.5
    } else {
        // The cubic dips just under 1 for R below about 6.5; MOS has no value under 1.
        (1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7.0e-6).max(1.0)
    }
}

/// `BurstR` estimated from a two-state loss model: `1 / (p + q)` with `p` the chance of a loss
/// after a received packet (bursts / received) and `q` the chance of a reception after a loss
/// (bursts / lost). 1 when nothing was lost.
pub fn burst_ratio(loss_bursts: u64, lost: u64, received: u64) -> f64 {
    if lost == 0 || loss_bursts == 0 || received == 0 {
        return 1.0;
    }
    let p = loss_bursts as f64 / received as f64;
    let q = (loss_bursts as f64 / lost as f64).min(1.0);
    1.0 / (p + q)
}

/// The quality figures of one direction of a call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallQuality {
    /// Packets expected.
    pub expected: u64,
    /// Packets lost (duplicates not counted against loss).
    pub lost: u64,
    /// Loss, in percent of expected.
    pub loss_percent: f64,
    /// Interarrival jitter, in milliseconds.
    pub jitter_ms: f64,
    /// Round-trip time from RTCP, if measured.
    pub round_trip: Option<Duration>,
    /// Mouth-to-ear delay used for `Id`.
    pub mouth_to_ear: Duration,
    /// `BurstR` used for `Ie,eff`.
    pub burst_ratio: f64,
    /// The rating factor.
    pub r_factor: f64,
    /// The MOS estimate.
    pub mos: f64,
}

impl CallQuality {
    /// Assesses a received stream: mouth-to-ear delay is half the round trip (0 if unknown),
    /// plus the jitter buffer's delay, plus one packet time (20 ms if not detected).
    pub fn assess(
        stats: &ReceiverStats,
        round_trip: Option<Duration>,
        jitter_buffer_delay: Duration,
        model: &EModel,
    ) -> CallQuality {
        let packetization = stats.ptime().unwrap_or(Duration::from_millis(20));
        let mouth_to_ear = round_trip.unwrap_or_default() / 2 + jitter_buffer_delay + packetization;
        let lost = stats.lost();
        let received = stats.received().saturating_sub(stats.duplicates());
        let loss_percent = stats.loss_percent();
        let burst = burst_ratio(stats.loss_bursts(), lost, received);
        let r_factor = model.r_factor(loss_percent, burst, mouth_to_ear);
        CallQuality {
            expected: stats.expected(),
            lost,
            loss_percent,
            jitter_ms: stats.jitter_ms(),
            round_trip,
            mouth_to_ear,
            burst_ratio: burst,
            r_factor,
            mos: mos_from_r(r_factor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn default_r_gives_mos_4_41() {
        let r = EModel::G711_PLC.r_factor(0.0, 1.0, Duration::from_millis(50));
        assert_eq!(r, 93.2);
        assert!(close(mos_from_r(r), 4.41, 0.005), "{}", mos_from_r(r));
    }

    #[test]
    fn mos_is_bounded_at_both_ends() {
        assert_eq!(mos_from_r(-5.0), 1.0);
        assert_eq!(mos_from_r(0.0), 1.0);
        assert_eq!(mos_from_r(100.0), 4.5);
        assert_eq!(mos_from_r(120.0), 4.5);
        assert!(close(mos_from_r(50.0), 2.575, 1e-9));
    }

    #[test]
    fn mos_rises_with_r() {
        let mut last = mos_from_r(0.0);
        for r in 1..=100 {
            let m = mos_from_r(f64::from(r));
            assert!(m >= last, "MOS fell at R={r}");
            last = m;
        }
    }

    #[test]
    fn one_percent_random_loss_without_plc_costs_about_18_points() {
        let ie = EModel::G711_NO_PLC.effective_equipment_impairment(1.0, 1.0);
        assert!(close(ie, 95.0 / 5.3, 1e-9));
        let r = EModel::G711_NO_PLC.r_factor(1.0, 1.0, Duration::ZERO);
        assert!(close(mos_from_r(r), 3.83, 0.01), "{}", mos_from_r(r));
    }

    #[test]
    fn one_percent_random_loss_with_plc_costs_under_4_points() {
        let r = EModel::G711_PLC.r_factor(1.0, 1.0, Duration::ZERO);
        assert!(close(r, 93.2 - 95.0 / 26.1, 1e-9));
        assert!(close(mos_from_r(r), 4.33, 0.005), "{}", mos_from_r(r));
    }

    #[test]
    fn bursty_loss_hurts_more_than_random_loss() {
        let random = EModel::G711_PLC.r_factor(5.0, 1.0, Duration::ZERO);
        let bursty = EModel::G711_PLC.r_factor(5.0, 2.0, Duration::ZERO);
        assert!(bursty < random);
    }

    #[test]
    fn delay_below_100_ms_is_free_and_grows_after() {
        assert_eq!(delay_impairment(Duration::from_millis(100)), 0.0);
        let d200 = delay_impairment(Duration::from_millis(200));
        let d400 = delay_impairment(Duration::from_millis(400));
        assert!(close(d200, 3.05, 0.01), "{d200}");
        assert!(close(d400, 24.07, 0.05), "{d400}");
    }

    #[test]
    fn random_loss_has_a_burst_ratio_of_one() {
        // 10% Bernoulli loss over 1000 packets: 100 lost in about 90 runs (a loss follows a
        // loss 10% of the time), 900 received: p = 0.1, q = 0.9.
        assert!(close(burst_ratio(90, 100, 900), 1.0, 1e-9));
        assert_eq!(burst_ratio(0, 0, 1000), 1.0);
    }

    #[test]
    fn losses_in_runs_raise_the_burst_ratio() {
        // Runs of 4: q = 0.25.
        assert!(close(
            burst_ratio(25, 100, 900),
            1.0 / (25.0 / 900.0 + 0.25),
            1e-9
        ));
        assert!(burst_ratio(25, 100, 900) > 3.0);
    }
}
