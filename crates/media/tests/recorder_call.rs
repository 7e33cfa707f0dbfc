//! A simulated two-leg call recorded to a stereo WAV: loss, reordering, silence suppression
//! and a pause, checked channel by channel.
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::f64::consts::PI;
use std::io::Cursor;
use std::time::Duration;

use media::Frame;
use media::recorder::{CallTime, Channel, MarkerKind, Recorder, RecorderConfig, Recording};
use media::tones::goertzel::Goertzel;

const CALLER_HZ: f64 = 400.0;
const AGENT_HZ: f64 = 900.0;
const CALL_FRAMES: u64 = 500; // 10 s
const FRAME: u64 = 160;

/// Frame `k` of a sine at `freq` (phase-continuous across frames).
fn tone(freq: f64, k: u64) -> Frame {
    let mut frame = Frame::SILENCE;
    for (n, s) in frame.samples.iter_mut().enumerate() {
        let t = (k * FRAME + n as u64) as f64 / 8_000.0;
        *s = (8_000.0 * (2.0 * PI * freq * t).sin()).round() as i16;
    }
    frame
}

/// A small deterministic generator (xorshift64*), seeded by the test: no global RNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// When one leg's frames arrive: 5% are lost, and within each group of three consecutive
/// frames the arrival order is shuffled (a frame is at most two ticks late). Returns, per tick,
/// the frames arriving during it.
fn arrivals(rng: &mut Rng, sent: impl Fn(u64) -> bool) -> Vec<Vec<u64>> {
    let mut ticks = vec![Vec::new(); CALL_FRAMES as usize];
    for group in (0..CALL_FRAMES).step_by(3) {
        let mut slots: Vec<u64> = (group..(group + 3).min(CALL_FRAMES)).collect();
        for i in (1..slots.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            slots.swap(i, j);
        }
        for (k, slot) in (group..).zip(slots) {
            if sent(k) && !rng.chance(5) {
                ticks[slot as usize].push(k);
            }
        }
    }
    ticks
}

struct Stereo {
    left: Vec<i16>,
    right: Vec<i16>,
}

fn read_wav(bytes: &[u8]) -> Stereo {
    let mut reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 8_000, 16)
    );
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    Stereo {
        left: samples.iter().step_by(2).copied().collect(),
        right: samples.iter().skip(1).step_by(2).copied().collect(),
    }
}

/// Mean power of `freq` in a block.
fn power(block: &[i16], freq: f64) -> f32 {
    let x: Vec<f32> = block.iter().map(|&s| f32::from(s)).collect();
    Goertzel::new(freq as f32, 8_000).tone_power(&x)
}

/// What a 20 ms block of one channel holds.
#[derive(Debug, PartialEq)]
enum Block {
    Silent,
    Tone,
}

/// Classifies a block as silence or `own` tone, failing if `other` leaks into it.
fn classify(block: &[i16], own: f64, other: f64) -> Block {
    if block.iter().all(|&s| s == 0) {
        return Block::Silent;
    }
    let (p_own, p_other) = (power(block, own), power(block, other));
    assert!(
        p_own > 3.0e7,
        "block is neither silence nor a clean tone ({p_own})"
    );
    assert!(
        p_other < p_own * 1e-6,
        "the other party leaks into this channel ({p_other} vs {p_own})"
    );
    Block::Tone
}

/// Markers stored in the file: (position, label) read back from the `cue ` and `labl` chunks.
fn markers_in_file(bytes: &[u8]) -> Vec<(u32, String)> {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let mut positions = Vec::new();
    let mut labels = std::collections::HashMap::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let (id, size) = (&bytes[at..at + 4], u32_at(at + 4) as usize);
        let body = at + 8;
        match id {
            b"cue " => {
                for point in 0..u32_at(body) as usize {
                    let p = body + 4 + 24 * point;
                    positions.push((u32_at(p), u32_at(p + 20)));
                }
            }
            b"LIST" if &bytes[body..body + 4] == b"adtl" => {
                let mut sub = body + 4;
                while sub < body + size {
                    let sub_size = u32_at(sub + 4) as usize;
                    if &bytes[sub..sub + 4] == b"labl" {
                        let text = &bytes[sub + 12..sub + 8 + sub_size];
                        let text =
                            String::from_utf8(text.split(|&b| b == 0).next().unwrap().to_vec())
                                .unwrap();
                        labels.insert(u32_at(sub + 8), text);
                    }
                    sub += 8 + sub_size + sub_size % 2;
                }
            }
            _ => {}
        }
        at = body + size + size % 2;
    }
    positions
        .into_iter()
        .map(|(id, position)| (position, labels[&id].clone()))
        .collect()
}

const SUPPRESSED: std::ops::Range<u64> = 200..250; // caller silent 4.0–5.0 s: no packets
const PAUSED: std::ops::Range<u64> = 300..350; // 6.0–7.0 s: agent takes a card number

/// Runs the call; returns the recording report, the file, and the frames the recorder received
/// from each side.
fn record_call(seed: u64) -> (Recording, Vec<u8>, [Vec<u64>; 2]) {
    let mut rng = Rng(seed);
    let caller = arrivals(&mut rng, |k| !SUPPRESSED.contains(&k));
    let agent = arrivals(&mut rng, |_| true);
    let mut recorder = Recorder::new(Cursor::new(Vec::new()), RecorderConfig::default()).unwrap();
    for tick in 0..CALL_FRAMES {
        let now = CallTime::from_samples(tick * FRAME);
        if tick == PAUSED.start {
            recorder.pause(now).unwrap();
        }
        if tick == PAUSED.end {
            recorder.resume(now).unwrap();
        }
        for (channel, leg, freq) in [
            (Channel::Caller, &caller, CALLER_HZ),
            (Channel::Agent, &agent, AGENT_HZ),
        ] {
            for &k in &leg[tick as usize] {
                recorder
                    .push(channel, CallTime::from_samples(k * FRAME), &tone(freq, k))
                    .unwrap();
            }
        }
        recorder.advance_to(now).unwrap();
    }
    let (recording, file) = recorder
        .finish(CallTime::from_samples(CALL_FRAMES * FRAME))
        .unwrap();
    let received = |leg: Vec<Vec<u64>>| leg.into_iter().flatten().collect::<Vec<_>>();
    (
        recording,
        file.into_inner(),
        [received(caller), received(agent)],
    )
}

#[test]
fn recording_lasts_as_long_as_the_call() {
    let (recording, bytes, _) = record_call(1);
    let wav = read_wav(&bytes);
    let expected = (CALL_FRAMES * FRAME) as i64;
    assert!(
        (wav.left.len() as i64 - expected).abs() <= 160,
        "{} samples",
        wav.left.len()
    );
    assert_eq!(recording.duration, Duration::from_secs(10));
    assert_eq!(
        recording.stats.late_frames,
        [0, 0],
        "the reorder window absorbs a 3-frame shuffle"
    );
}

#[test]
fn each_channel_carries_only_its_party_where_its_frames_arrived() {
    for seed in [1, 2, 3] {
        let (_, bytes, [caller, agent]) = record_call(seed);
        let wav = read_wav(&bytes);
        for (samples, received, own, other) in [
            (&wav.left, &caller, CALLER_HZ, AGENT_HZ),
            (&wav.right, &agent, AGENT_HZ, CALLER_HZ),
        ] {
            for (k, block) in samples.chunks(FRAME as usize).enumerate() {
                let k = k as u64;
                let expected = if received.contains(&k) && !PAUSED.contains(&k) {
                    Block::Tone
                } else {
                    Block::Silent
                };
                assert_eq!(
                    classify(block, own, other),
                    expected,
                    "seed {seed}, {own} Hz channel, frame {k}"
                );
            }
        }
        // Sanity: the simulation did lose frames, and the suppression gap is silent on the left.
        assert!(caller.len() < (CALL_FRAMES - 50) as usize && agent.len() < CALL_FRAMES as usize);
    }
}

#[test]
fn the_channels_are_aligned_sample_for_sample() {
    // Both tones start at phase zero at call time 0: where both channels hold audio, each
    // sample equals the generated sample at that call time.
    let (_, bytes, _) = record_call(4);
    let wav = read_wav(&bytes);
    for (n, (&l, &r)) in wav.left.iter().zip(&wav.right).enumerate() {
        let (k, i) = (n as u64 / FRAME, n % FRAME as usize);
        assert!(
            l == 0 || l == tone(CALLER_HZ, k).samples[i],
            "left sample {n}"
        );
        assert!(
            r == 0 || r == tone(AGENT_HZ, k).samples[i],
            "right sample {n}"
        );
    }
}

#[test]
fn the_pause_is_silent_and_marked_in_the_file_and_the_report() {
    let (recording, bytes, _) = record_call(5);
    let wav = read_wav(&bytes);
    let span = (PAUSED.start * FRAME) as usize..(PAUSED.end * FRAME) as usize;
    assert!(
        wav.left[span.clone()]
            .iter()
            .chain(&wav.right[span.clone()])
            .all(|&s| s == 0)
    );
    assert!(
        wav.right[span.end..span.end + 160].iter().any(|&s| s != 0),
        "audio comes back after resume"
    );
    let kinds: Vec<_> = recording
        .markers
        .iter()
        .map(|m| (m.at.samples(), m.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (span.start as u64, MarkerKind::Paused),
            (span.end as u64, MarkerKind::Resumed)
        ]
    );
    assert_eq!(
        markers_in_file(&bytes),
        [
            (span.start as u32, "pause".to_owned()),
            (span.end as u32, "resume".to_owned())
        ]
    );
}

fn new_recorder() -> Recorder<Cursor<Vec<u8>>> {
    Recorder::new(Cursor::new(Vec::new()), RecorderConfig::default()).unwrap()
}

#[test]
fn a_frame_arriving_after_its_slot_was_written_is_dropped_and_counted() {
    let mut recorder = new_recorder();
    for k in 0..50 {
        recorder
            .push(
                Channel::Agent,
                CallTime::from_samples(k * FRAME),
                &tone(AGENT_HZ, k),
            )
            .unwrap();
    }
    recorder
        .push(
            Channel::Caller,
            CallTime::from_samples(5 * FRAME),
            &tone(CALLER_HZ, 5),
        )
        .unwrap();
    assert_eq!(recorder.stats().late_frames, [1, 0]);
    let (recording, file) = recorder.finish(CallTime::from_samples(50 * FRAME)).unwrap();
    assert_eq!(recording.stats.late_frames, [1, 0]);
    assert!(read_wav(file.get_ref()).left.iter().all(|&s| s == 0));
}

#[test]
fn frames_land_at_any_sample_offset() {
    let mut recorder = new_recorder();
    let frame = Frame {
        samples: [1_234; 160],
    };
    recorder
        .push(Channel::Caller, CallTime::from_samples(37), &frame)
        .unwrap();
    let (_, file) = recorder.finish(CallTime::from_samples(400)).unwrap();
    let left = read_wav(file.get_ref()).left;
    assert!(left[..37].iter().all(|&s| s == 0));
    assert!(left[37..197].iter().all(|&s| s == 1_234));
    assert!(left[197..].iter().all(|&s| s == 0));
}

#[test]
fn time_passing_without_frames_records_silence() {
    let mut recorder = new_recorder();
    recorder
        .push(Channel::Caller, CallTime::ZERO, &tone(CALLER_HZ, 0))
        .unwrap();
    recorder
        .advance_to(CallTime::from_duration(Duration::from_millis(2_500)))
        .unwrap();
    // Flushed at 1 s and 2 s of audio already: the header says so.
    let data_len = u32::from_le_bytes(recorder.writer().get_ref()[40..44].try_into().unwrap());
    assert_eq!(data_len, 2 * 8_000 * 4);
    let (recording, _) = recorder
        .finish(CallTime::from_duration(Duration::from_secs(3)))
        .unwrap();
    assert_eq!(recording.duration, Duration::from_secs(3));
}

#[test]
fn a_frame_absurdly_far_ahead_is_refused_not_filled_with_silence() {
    let mut recorder = new_recorder();
    recorder
        .push(
            Channel::Caller,
            CallTime::from_duration(Duration::from_secs(7_200)),
            &Frame::SILENCE,
        )
        .unwrap();
    assert_eq!(recorder.stats().far_frames, 1);
    let (recording, _) = recorder.finish(CallTime::from_samples(160)).unwrap();
    assert_eq!(recording.samples, 160);
}

#[test]
fn pause_and_resume_are_idempotent() {
    let mut recorder = new_recorder();
    assert!(recorder.resume(CallTime::ZERO).is_none());
    assert!(recorder.pause(CallTime::from_samples(800)).is_some());
    assert!(recorder.pause(CallTime::from_samples(900)).is_none());
    assert!(recorder.is_paused());
    assert!(recorder.resume(CallTime::from_samples(1_600)).is_some());
    assert!(recorder.resume(CallTime::from_samples(1_700)).is_none());
    assert_eq!(recorder.markers().len(), 2);
}

#[test]
fn a_recording_still_paused_at_the_end_is_silent_to_the_end() {
    let mut recorder = new_recorder();
    recorder.pause(CallTime::from_samples(320)).unwrap();
    for k in 0..10 {
        recorder
            .push(
                Channel::Caller,
                CallTime::from_samples(k * FRAME),
                &tone(CALLER_HZ, k),
            )
            .unwrap();
    }
    let (recording, file) = recorder.finish(CallTime::from_samples(10 * FRAME)).unwrap();
    let left = read_wav(file.get_ref()).left;
    assert!(left[..320].iter().any(|&s| s != 0));
    assert!(left[320..].iter().all(|&s| s == 0));
    assert_eq!(recording.markers.len(), 1);
}

#[test]
fn notes_are_stored_as_labelled_cue_points() {
    let mut recorder = new_recorder();
    recorder.mark(CallTime::from_samples(4_000), "supervisor joined");
    recorder.mark(CallTime::from_samples(1_000), "transfer");
    let (recording, file) = recorder.finish(CallTime::from_samples(8_000)).unwrap();
    let expected = [
        (1_000, "transfer".to_owned()),
        (4_000, "supervisor joined".to_owned()),
    ];
    assert_eq!(markers_in_file(file.get_ref()), expected);
    assert_eq!(
        recording.markers[0].kind,
        MarkerKind::Note("transfer".into())
    );
    // hound still reads the audio before the marker chunks.
    assert_eq!(read_wav(file.get_ref()).left.len(), 8_000);
}

#[test]
fn the_recording_may_start_mid_stream() {
    // The writer already holds other bytes: the WAV starts where the writer stood.
    let mut cursor = Cursor::new(b"PREFIX".to_vec());
    cursor.set_position(6);
    let recorder = Recorder::new(cursor, RecorderConfig::default()).unwrap();
    let (_, file) = recorder.finish(CallTime::from_samples(800)).unwrap();
    assert_eq!(read_wav(&file.get_ref()[6..]).left.len(), 800);
}

#[test]
fn an_absurd_time_jump_writes_at_most_the_max_gap() {
    let config = RecorderConfig {
        max_gap: Duration::from_secs(2),
        ..RecorderConfig::default()
    };
    let mut recorder = Recorder::new(Cursor::new(Vec::new()), config).unwrap();
    recorder
        .advance_to(CallTime::from_samples(u64::MAX))
        .unwrap();
    let (recording, _) = recorder.finish(CallTime::from_samples(u64::MAX)).unwrap();
    // Two seconds for the jump, two more for the end: bounded, not 2^64 samples.
    assert_eq!(recording.duration, Duration::from_secs(4));
}
