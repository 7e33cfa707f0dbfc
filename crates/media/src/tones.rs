//! Tones: call-progress tones (ringback, busy, congestion, dial) for the US, UK and French tone
//! plans, beeps and silence as frames; and the measuring tools the signal detectors share
//! (the [`goertzel`] filter, the [`single_tone`] estimator and the [`level`] conventions).
//!
//! ```
//! use media::tones::{ToneGenerator, TonePlan, ToneKind};
//!
//! let plan = TonePlan::for_country("FR").unwrap();
//! let mut ringback = ToneGenerator::new(plan.tone(ToneKind::Ringback).clone());
//! let frame = ringback.next_frame(); // 20 ms of 440 Hz; call again every 20 ms
//! assert!(!frame.is_silent());
//! ```

mod generator;
pub mod goertzel;
pub mod level;
mod plan;
pub mod single_tone;

pub use generator::{CadenceStep, Tone, ToneComponent, ToneGenerator};
pub use plan::{ToneKind, TonePlan};

/// Errors of the tone module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TonesError {
    /// No tone plan for this country code.
    #[error("no tone plan for country {0:?} (known: US, GB, FR)")]
    UnknownCountry(String),
}
