//! Who hears whom in each mixing mode, measured by the energy of each party's tone in each
//! output, and loud sums that clip without wrapping.
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::f64::consts::PI;

use media::Frame;
use media::mixer::{MixMode, Mixer, PartyId, Role};
use media::tones::goertzel::Goertzel;

const CALLER_HZ: f64 = 300.0;
const AGENT_HZ: f64 = 500.0;
const SUPERVISOR_HZ: f64 = 700.0;
/// Input level: low enough that six parties sum without clipping (clipping would add
/// intermodulation products on the other parties' frequencies).
const AMPLITUDE: f64 = 5_000.0;
/// Ticks per measurement: 200 ms, a whole number of periods of every tone used.
const TICKS: usize = 10;

/// Frame `tick` of a sine at `freq` and `amplitude`.
fn tone(freq: f64, amplitude: f64, tick: usize) -> Frame {
    let mut frame = Frame::SILENCE;
    for (n, s) in frame.samples.iter_mut().enumerate() {
        let t = (tick * 160 + n) as f64 / 8_000.0;
        *s = (amplitude * (2.0 * PI * freq * t).sin()).round() as i16;
    }
    frame
}

/// Level of `freq` in `samples`, in dB relative to the inputs' level.
fn level_db(samples: &[i16], freq: f64) -> f64 {
    let x: Vec<f32> = samples.iter().map(|&s| f32::from(s)).collect();
    let power = f64::from(Goertzel::new(freq as f32, 8_000).tone_power(&x));
    10.0 * (power / (AMPLITUDE.powi(2) / 2.0)).log10()
}

struct Call {
    mixer: Mixer,
    parties: Vec<(PartyId, f64)>,
}

impl Call {
    fn new(roles: &[(Role, f64)]) -> Call {
        let mut mixer = Mixer::new();
        let parties = roles
            .iter()
            .map(|&(role, freq)| (mixer.add_party(role), freq))
            .collect();
        Call { mixer, parties }
    }

    fn three_party() -> Call {
        Call::new(&[
            (Role::Caller, CALLER_HZ),
            (Role::Agent, AGENT_HZ),
            (Role::Supervisor, SUPERVISOR_HZ),
        ])
    }

    /// Runs `TICKS` frames, every party speaking its tone; returns what each party heard.
    fn run(&mut self) -> Vec<Vec<i16>> {
        let mut heard = vec![Vec::new(); self.parties.len()];
        for tick in 0..TICKS {
            for &(id, freq) in &self.parties {
                self.mixer
                    .set_input(id, &tone(freq, AMPLITUDE, tick))
                    .unwrap();
            }
            self.mixer.mix();
            for (out, &(id, _)) in heard.iter_mut().zip(&self.parties) {
                out.extend_from_slice(&self.mixer.output(id).unwrap().samples);
            }
        }
        heard
    }

    /// For each party, the frequencies it hears clearly (within 1 dB of the input level); fails
    /// if any other party's tone is audible above -80 dB.
    fn who_hears_whom(&mut self) -> Vec<Vec<f64>> {
        let heard = self.run();
        heard
            .iter()
            .map(|samples| {
                self.parties
                    .iter()
                    .map(|&(_, freq)| (freq, level_db(samples, freq)))
                    .filter_map(|(freq, db)| {
                        assert!(
                            db.abs() < 1.0 || db < -80.0,
                            "{freq} Hz at {db:.1} dB: neither heard nor absent"
                        );
                        (db.abs() < 1.0).then_some(freq)
                    })
                    .collect()
            })
            .collect()
    }
}

#[test]
fn silent_monitor_supervisor_hears_both_and_nobody_hears_the_supervisor() {
    let mut call = Call::three_party();
    call.mixer.set_mode(MixMode::Monitor);
    assert_eq!(
        call.who_hears_whom(),
        [vec![AGENT_HZ], vec![CALLER_HZ], vec![CALLER_HZ, AGENT_HZ]]
    );
}

#[test]
fn whisper_agent_hears_the_supervisor_and_the_caller_does_not() {
    let mut call = Call::three_party();
    call.mixer.set_mode(MixMode::Whisper);
    assert_eq!(
        call.who_hears_whom(),
        [
            vec![AGENT_HZ],
            vec![CALLER_HZ, SUPERVISOR_HZ],
            vec![CALLER_HZ, AGENT_HZ]
        ]
    );
}

#[test]
fn barge_everyone_hears_everyone_else() {
    let mut call = Call::three_party();
    call.mixer.set_mode(MixMode::Barge);
    assert_eq!(
        call.who_hears_whom(),
        [
            vec![AGENT_HZ, SUPERVISOR_HZ],
            vec![CALLER_HZ, SUPERVISOR_HZ],
            vec![CALLER_HZ, AGENT_HZ]
        ]
    );
}

#[test]
fn three_way_call_each_hears_the_two_others() {
    let mut call = Call::new(&[
        (Role::Caller, CALLER_HZ),
        (Role::Agent, AGENT_HZ),
        (Role::Caller, SUPERVISOR_HZ),
    ]);
    call.mixer.set_mode(MixMode::Conference);
    assert_eq!(
        call.who_hears_whom(),
        [
            vec![AGENT_HZ, SUPERVISOR_HZ],
            vec![CALLER_HZ, SUPERVISOR_HZ],
            vec![CALLER_HZ, AGENT_HZ]
        ]
    );
}

#[test]
fn conference_each_hears_all_others_but_not_themselves() {
    let freqs = [300.0, 400.0, 500.0, 600.0, 700.0, 800.0];
    let roles: Vec<_> = freqs.iter().map(|&f| (Role::Caller, f)).collect();
    let mut call = Call::new(&roles);
    let heard = call.who_hears_whom();
    for (listener, hears) in heard.iter().enumerate() {
        let others: Vec<f64> = freqs
            .iter()
            .copied()
            .filter(|&f| f != freqs[listener])
            .collect();
        assert_eq!(hears, &others);
    }
}

#[test]
fn modes_switch_mid_call() {
    let mut call = Call::three_party();
    call.mixer.set_mode(MixMode::Monitor);
    assert_eq!(call.who_hears_whom()[1], [CALLER_HZ]);
    call.mixer.set_mode(MixMode::Whisper);
    assert_eq!(call.who_hears_whom()[1], [CALLER_HZ, SUPERVISOR_HZ]);
    call.mixer.set_mode(MixMode::Barge);
    assert_eq!(call.who_hears_whom()[0], [AGENT_HZ, SUPERVISOR_HZ]);
    call.mixer.set_mode(MixMode::Monitor);
    assert_eq!(call.who_hears_whom()[0], [AGENT_HZ]);
}

#[test]
fn a_supervisor_joining_and_leaving_changes_the_mix() {
    let mut call = Call::new(&[(Role::Caller, CALLER_HZ), (Role::Agent, AGENT_HZ)]);
    assert_eq!(call.who_hears_whom(), [vec![AGENT_HZ], vec![CALLER_HZ]]);
    call.mixer.set_mode(MixMode::Whisper);
    let supervisor = call.mixer.add_party(Role::Supervisor);
    call.parties.push((supervisor, SUPERVISOR_HZ));
    assert_eq!(call.who_hears_whom()[1], [CALLER_HZ, SUPERVISOR_HZ]);
    call.mixer.remove_party(supervisor).unwrap();
    call.parties.pop();
    assert_eq!(call.who_hears_whom(), [vec![AGENT_HZ], vec![CALLER_HZ]]);
}

#[test]
fn a_muted_party_is_heard_by_nobody_but_still_hears() {
    let mut call = Call::three_party();
    call.mixer.set_mode(MixMode::Barge);
    call.mixer.set_muted(call.parties[2].0, true).unwrap();
    assert_eq!(
        call.who_hears_whom(),
        [vec![AGENT_HZ], vec![CALLER_HZ], vec![CALLER_HZ, AGENT_HZ]]
    );
}

#[test]
fn a_party_on_hold_hears_only_its_hold_music_and_is_not_heard() {
    let mut call = Call::new(&[(Role::Caller, CALLER_HZ), (Role::Agent, AGENT_HZ)]);
    let caller = call.parties[0].0;
    call.mixer.set_on_hold(caller, true).unwrap();
    let mut heard_by_caller = Vec::new();
    let mut heard_by_agent = Vec::new();
    for tick in 0..TICKS {
        call.mixer
            .set_input(caller, &tone(CALLER_HZ, AMPLITUDE, tick))
            .unwrap();
        call.mixer
            .set_input(call.parties[1].0, &tone(AGENT_HZ, AMPLITUDE, tick))
            .unwrap();
        call.mixer
            .set_hold_audio(caller, &tone(1_000.0, AMPLITUDE, tick))
            .unwrap();
        call.mixer.mix();
        heard_by_caller.extend_from_slice(&call.mixer.output(caller).unwrap().samples);
        heard_by_agent.extend_from_slice(&call.mixer.output(call.parties[1].0).unwrap().samples);
    }
    assert!(level_db(&heard_by_caller, 1_000.0).abs() < 1.0);
    assert!(level_db(&heard_by_caller, AGENT_HZ) < -80.0);
    assert!(heard_by_agent.iter().all(|&s| s == 0));
}

#[test]
fn full_scale_inputs_clip_and_never_wrap() {
    let mut call = Call::three_party();
    call.mixer.set_mode(MixMode::Barge);
    let mut clipped = 0;
    for tick in 0..TICKS {
        let inputs: Vec<Frame> = call
            .parties
            .iter()
            .map(|&(_, freq)| tone(freq, 32_767.0, tick))
            .collect();
        for (&(id, _), input) in call.parties.iter().zip(&inputs) {
            call.mixer.set_input(id, input).unwrap();
        }
        call.mixer.mix();
        for (listener, &(id, _)) in call.parties.iter().enumerate() {
            let output = call.mixer.output(id).unwrap();
            for n in 0..160 {
                let exact: i32 = (0..3)
                    .filter(|&s| s != listener)
                    .map(|s| i32::from(inputs[s].samples[n]))
                    .sum();
                let out = i32::from(output.samples[n]);
                assert_eq!(out, exact.clamp(-32_768, 32_767), "tick {tick} sample {n}");
                assert!(
                    out.signum() == exact.signum(),
                    "sign flipped: {exact} became {out}"
                );
                clipped += usize::from(exact != out);
            }
        }
    }
    assert!(
        clipped > 100,
        "the test should drive the sums past full scale ({clipped} clipped)"
    );
}
