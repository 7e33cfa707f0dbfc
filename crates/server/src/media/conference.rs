//! A call with a third leg (a supervisor listening, whispering or barging in; a third party
//! added by the agent): packets are no longer relayed one for one, each leg's audio is put in
//! order by a jitter buffer of its own, and every 20 ms the [`media::mixer::Mixer`] gives
//! each leg what it hears by the mode's rules (its table is in the mixer's documentation).
//!
//! The legs are numbered as the task's slots: 0 is the caller (A), 1 the agent (B), 2 the
//! third leg (C). Each leg's outgoing stream carries on from where it was
//! ([`super::pacing::OutStream::continuation`] gives each leg's first timestamp); frames
//! follow one 20 ms clock shared by the three legs, so the three streams stay in step.

use std::time::Instant;

use media::Frame;
use media::g711::Codec;
use media::jitter_buffer::{FrameKind, JitterBuffer, JitterBufferConfig};
use media::mixer::{MixMode, Mixer, PartyId, Role};
use media::rtp::RtpPacket;

use super::pacing::{Pacer, Slot};

/// How many legs a conference mixes.
pub(super) const LEGS: usize = 3;

/// The mixing state of a call with a third leg (see the module documentation).
pub(super) struct Conference {
    mixer: Mixer,
    parties: [PartyId; LEGS],
    jitter: [JitterBuffer; LEGS],
    clock: Pacer,
    /// Each leg's RTP timestamp at frame 0 of the clock.
    first_ts: [u32; LEGS],
    /// The next frame sent to the leg is the first of the stream since mixing began.
    first_frame: [bool; LEGS],
}

impl Conference {
    /// Starts mixing at `now`: `first_ts` are the legs' stream continuations, `third` the
    /// role of leg C.
    pub(super) fn new(
        now: Instant,
        mode: MixMode,
        third: Role,
        jitter: JitterBufferConfig,
        first_ts: [u32; LEGS],
    ) -> Conference {
        let mut mixer = Mixer::new();
        mixer.set_mode(mode);
        let parties = [
            mixer.add_party(Role::Caller),
            mixer.add_party(Role::Agent),
            mixer.add_party(third),
        ];
        Conference {
            mixer,
            parties,
            jitter: std::array::from_fn(|_| JitterBuffer::new(jitter)),
            clock: Pacer::start(now, 0),
            first_ts,
            first_frame: [true; LEGS],
        }
    }

    /// Changes who hears whom from the next frame.
    pub(super) fn set_mode(&mut self, mode: MixMode) {
        self.mixer.set_mode(mode);
    }

    /// A leg on hold is heard by no one and hears silence.
    pub(super) fn set_held(&mut self, leg: usize, held: bool) {
        if let Some(&party) = self.parties.get(leg) {
            let _ = self.mixer.set_on_hold(party, held);
        }
    }

    /// An audio packet received from `leg`.
    pub(super) fn push(&mut self, leg: usize, now: Instant, packet: &RtpPacket<'_>, codec: Codec) {
        if let Some(jitter) = self.jitter.get_mut(leg) {
            jitter.push(now, packet, codec);
        }
    }

    /// The frame slots due at `now` (at most `max_catch_up`, older ones skipped).
    pub(super) fn due(
        &mut self,
        now: Instant,
        max_catch_up: u32,
    ) -> impl Iterator<Item = Slot> + use<> {
        self.clock.due(now, max_catch_up)
    }

    /// Mixes the frame of `slot`: each leg's audio due then goes in, what each hears comes
    /// out ([`Conference::output`]).
    pub(super) fn mix(&mut self, slot: Slot) {
        for (jitter, &party) in self.jitter.iter_mut().zip(&self.parties) {
            let playout = jitter.pop(slot.at);
            if playout.kind != FrameKind::Silence {
                let _ = self.mixer.set_input(party, playout.frame);
            }
        }
        self.mixer.mix();
    }

    /// What `leg` hears in the frame last mixed.
    pub(super) fn output(&self, leg: usize) -> &Frame {
        self.parties
            .get(leg)
            .and_then(|&party| self.mixer.output(party).ok())
            .unwrap_or(&Frame::SILENCE)
    }

    /// The RTP timestamp of `slot` in `leg`'s stream, and whether it is the stream's first
    /// mixed frame (marked).
    pub(super) fn stamp(&mut self, leg: usize, slot: Slot) -> (u32, bool) {
        let first = self.first_ts.get(leg).copied().unwrap_or(0);
        let marker = self.first_frame.get_mut(leg).is_some_and(std::mem::take);
        (first.wrapping_add(slot.timestamp), marker)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use media::FRAME_SAMPLES;
    use media::rtp::{HEADER_LEN, RtpHeader};

    use super::*;

    #[allow(clippy::disallowed_methods)] // one real origin for simulated times
    fn origin() -> Instant {
        Instant::now()
    }

    /// A PCMU packet of a constant `level` from stream `ssrc`, frame `n`.
    fn packet(ssrc: u32, n: u16, level: i16) -> Vec<u8> {
        let mut bytes = vec![0u8; HEADER_LEN + FRAME_SAMPLES];
        RtpHeader {
            marker: n == 0,
            payload_type: 0,
            sequence_number: n,
            timestamp: u32::from(n) * FRAME_SAMPLES as u32,
            ssrc,
        }
        .write(&mut bytes)
        .unwrap();
        for code in &mut bytes[HEADER_LEN..] {
            *code = Codec::Pcmu.encode(level);
        }
        bytes
    }

    /// Feeds the three legs constant levels for a second and returns the average level each
    /// leg hears over the last frames.
    fn heard(mode: MixMode) -> [f64; LEGS] {
        let t0 = origin();
        let levels = [1_000i16, 2_000, 4_000];
        let mut conference = Conference::new(
            t0,
            mode,
            Role::Supervisor,
            JitterBufferConfig::default(),
            [0; 3],
        );
        let mut sums = [0.0; LEGS];
        for n in 0..50u16 {
            let now = t0 + Duration::from_millis(20 * u64::from(n));
            for (leg, &level) in levels.iter().enumerate() {
                let bytes = packet(leg as u32 + 1, n, level);
                let packet = RtpPacket::parse(&bytes).unwrap();
                conference.push(leg, now, &packet, Codec::Pcmu);
            }
            for slot in conference.due(now, 3) {
                conference.mix(slot);
                if n >= 40 {
                    for (leg, sum) in sums.iter_mut().enumerate() {
                        *sum += f64::from(conference.output(leg).samples[0]);
                    }
                }
            }
        }
        sums.map(|s| s / 10.0)
    }

    fn near(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < expected.max(1.0) * 0.05
    }

    #[test]
    fn listening_the_supervisor_hears_both_and_nobody_hears_the_supervisor() {
        let [caller, agent, supervisor] = heard(MixMode::Monitor);
        assert!(
            near(caller, 2_000.0),
            "caller hears the agent only: {caller}"
        );
        assert!(near(agent, 1_000.0), "agent hears the caller only: {agent}");
        assert!(
            near(supervisor, 3_000.0),
            "supervisor hears both: {supervisor}"
        );
    }

    #[test]
    fn whispering_only_the_agent_hears_the_supervisor() {
        let [caller, agent, _] = heard(MixMode::Whisper);
        assert!(near(caller, 2_000.0), "caller: {caller}");
        assert!(near(agent, 5_000.0), "agent: {agent}");
    }

    #[test]
    fn barging_everyone_hears_everyone_else() {
        let [caller, agent, supervisor] = heard(MixMode::Barge);
        assert!(near(caller, 6_000.0), "caller: {caller}");
        assert!(near(agent, 5_000.0), "agent: {agent}");
        assert!(near(supervisor, 3_000.0), "supervisor: {supervisor}");
    }

    #[test]
    fn each_stream_goes_on_from_its_own_timestamp_and_marks_its_first_frame() {
        let t0 = origin();
        let mut conference = Conference::new(
            t0,
            MixMode::Monitor,
            Role::Supervisor,
            JitterBufferConfig::default(),
            [100, 5_000, 0],
        );
        let slots: Vec<Slot> = conference.due(t0 + Duration::from_millis(20), 3).collect();
        assert_eq!(slots.len(), 2);
        assert_eq!(conference.stamp(1, slots[0]), (5_000, true));
        assert_eq!(conference.stamp(1, slots[1]), (5_160, false));
        assert_eq!(conference.stamp(0, slots[1]), (260, true));
    }
}
