//! G.711 checked exhaustively: every code and every 16-bit input, against a reference built here
//! from the standard's decision intervals, and against the `audio-codec-algorithms` crate (whose
//! tables come from the G.191 reference software and G.711 Tables 3/4).

use media::Frame;
use media::g711::{
    Codec, alaw_to_linear, alaw_to_ulaw, linear_to_alaw, linear_to_ulaw, ulaw_to_alaw,
    ulaw_to_linear,
};

/// One law as G.711 Tables 1 and 2 define it, positive half: the decision interval of each of
/// the 128 magnitude indices, in the law's uniform unit (13-bit A-law, 14-bit µ-law).
struct Law {
    /// `[low, high)` per magnitude index, in increasing order.
    intervals: Vec<(i32, i32)>,
    /// 16-bit value of one uniform unit (8 for A-law, 4 for µ-law).
    unit: i32,
    /// Largest magnitude the law codes (anything above saturates).
    overload: i32,
    is_ulaw: bool,
}

impl Law {
    /// A-law: 8 segments of 16 steps; segments 0 and 1 step by 2, segment `s` by `2^s`.
    fn alaw() -> Law {
        let mut intervals = Vec::new();
        let mut low = 0;
        for segment in 0..8 {
            let step = if segment < 2 { 2 } else { 1 << segment };
            for _ in 0..16 {
                intervals.push((low, low + step));
                low += step;
            }
        }
        assert_eq!(low, 4096);
        Law {
            intervals,
            unit: 8,
            overload: 4096,
            is_ulaw: false,
        }
    }

    /// µ-law: value 0 alone, then 15 steps of 2 up to 31, and segment `s` in 16 steps of
    /// `2^(s+1)`: decision values 1, 3, ... 31, 35, ... 95, ... 8159.
    fn ulaw() -> Law {
        let mut intervals = vec![(0, 1)];
        let mut low = 1;
        for segment in 0..8 {
            let step = 2 << segment;
            for _ in 0..if segment == 0 { 15 } else { 16 } {
                intervals.push((low, low + step));
                low += step;
            }
        }
        assert_eq!(low, 8159);
        Law {
            intervals,
            unit: 4,
            overload: 8159,
            is_ulaw: true,
        }
    }

    /// Reconstruction value: the middle of the interval (0 for µ-law's first).
    fn reconstruction(&self, index: usize) -> i32 {
        let (low, high) = self.intervals[index];
        if self.is_ulaw && index == 0 {
            0
        } else {
            (low + high) / 2
        }
    }

    /// The line code for a sign and magnitude index (Tables 1/2, character signals):
    /// µ-law sends the inverted index, A-law inverts the even bits; bit 8 set means positive.
    fn code(&self, negative: bool, index: usize) -> u8 {
        let index = index as u8;
        match (self.is_ulaw, negative) {
            (true, false) => 0xFF - index,
            (true, true) => 0x7F - index,
            (false, false) => (0x80 | index) ^ 0x55,
            (false, true) => index ^ 0x55,
        }
    }

    fn decode(&self, code: u8) -> i16 {
        let index = (0..128).find(|&i| self.code(false, i) == code || self.code(true, i) == code);
        let index = index.expect("every code is some index");
        let negative = self.code(true, index) == code;
        let value = self.reconstruction(index) * self.unit;
        (if negative { -value } else { value }) as i16
    }

    /// Encodes a 16-bit sample: magnitude by one's complement for negatives (G.191), scaled to
    /// the law's unit by truncation, then the interval that holds it.
    fn encode(&self, x: i16) -> u8 {
        let negative = x < 0;
        let magnitude = if negative {
            -1 - i32::from(x)
        } else {
            i32::from(x)
        };
        let uniform = (magnitude / self.unit).min(self.overload - 1);
        let index = self
            .intervals
            .iter()
            .position(|&(low, high)| low <= uniform && uniform < high)
            .expect("intervals cover 0..overload");
        self.code(negative, index)
    }
}

#[test]
fn all_256_ulaw_codes_decode_to_the_table_values() {
    let law = Law::ulaw();
    for code in 0..=255u8 {
        assert_eq!(ulaw_to_linear(code), law.decode(code), "code {code:#04x}");
        assert_eq!(
            ulaw_to_linear(code),
            audio_codec_algorithms::decode_ulaw(code),
            "{code:#04x}"
        );
    }
}

#[test]
fn all_256_alaw_codes_decode_to_the_table_values() {
    let law = Law::alaw();
    for code in 0..=255u8 {
        assert_eq!(alaw_to_linear(code), law.decode(code), "code {code:#04x}");
        assert_eq!(
            alaw_to_linear(code),
            audio_codec_algorithms::decode_alaw(code),
            "{code:#04x}"
        );
    }
}

#[test]
fn all_65536_inputs_encode_to_the_ulaw_code_of_their_interval() {
    let law = Law::ulaw();
    for x in i16::MIN..=i16::MAX {
        let code = linear_to_ulaw(x);
        assert_eq!(code, law.encode(x), "sample {x}");
        assert_eq!(code, audio_codec_algorithms::encode_ulaw(x), "sample {x}");
    }
}

#[test]
fn all_65536_inputs_encode_to_the_alaw_code_of_their_interval() {
    let law = Law::alaw();
    for x in i16::MIN..=i16::MAX {
        let code = linear_to_alaw(x);
        assert_eq!(code, law.encode(x), "sample {x}");
        assert_eq!(code, audio_codec_algorithms::encode_alaw(x), "sample {x}");
    }
}

#[test]
fn sample_and_its_ones_complement_differ_only_in_sign() {
    for x in 0..=i16::MAX {
        assert_eq!(linear_to_ulaw(x) & 0x7F, linear_to_ulaw(-1 - x) & 0x7F);
        assert_eq!(linear_to_alaw(x) & 0x7F, linear_to_alaw(-1 - x) & 0x7F);
    }
}

#[test]
fn ulaw_to_alaw_follows_g711_table_3() {
    for code in 0..=255u8 {
        assert_eq!(
            ulaw_to_alaw(code),
            audio_codec_algorithms::convert_ulaw_to_alaw(code),
            "{code:#04x}"
        );
    }
}

#[test]
fn alaw_to_ulaw_follows_g711_table_4() {
    for code in 0..=255u8 {
        assert_eq!(
            alaw_to_ulaw(code),
            audio_codec_algorithms::convert_alaw_to_ulaw(code),
            "{code:#04x}"
        );
    }
}

/// µ-law "decoder output value number" of G.711 Table 2: 0 for the smallest magnitude.
fn ulaw_number(code: u8) -> u8 {
    !code & 0x7F
}

/// A-law "decoder output value number" of G.711 Table 1: 1 for the smallest magnitude.
fn alaw_number(code: u8) -> u8 {
    ((code ^ 0x55) & 0x7F) + 1
}

#[test]
fn ulaw_alaw_ulaw_changes_only_the_values_the_standard_lists() {
    // G.711 Table 3, note 2: numbers 0, 2, 4 ... 14 come back increased by 1; only the least
    // significant bit of the octet changes.
    for code in 0..=255u8 {
        let back = alaw_to_ulaw(ulaw_to_alaw(code));
        if [0, 2, 4, 6, 8, 10, 12, 14].contains(&ulaw_number(code)) {
            assert_eq!(ulaw_number(back), ulaw_number(code) + 1, "{code:#04x}");
            assert_eq!(back, code ^ 1);
        } else {
            assert_eq!(back, code, "{code:#04x}");
        }
    }
}

#[test]
fn alaw_ulaw_alaw_changes_only_the_values_the_standard_lists() {
    // G.711 Table 4, note 2: numbers 26, 28, 30, 32, 45, 47, 63 and 80 change, in bit 8 only.
    for code in 0..=255u8 {
        let back = ulaw_to_alaw(alaw_to_ulaw(code));
        if [26, 28, 30, 32, 45, 47, 63, 80].contains(&alaw_number(code)) {
            assert_eq!(back, code ^ 1, "{code:#04x}");
        } else {
            assert_eq!(back, code, "{code:#04x}");
        }
    }
}

#[test]
fn transcoding_keeps_the_sign_and_stays_close_in_level() {
    for code in 0..=255u8 {
        let a = ulaw_to_alaw(code);
        let (u_lin, a_lin) = (
            i32::from(ulaw_to_linear(code)),
            i32::from(alaw_to_linear(a)),
        );
        assert!(u_lin * a_lin >= 0, "{code:#04x}: {u_lin} vs {a_lin}");
        // Within one A-law step of the µ-law value (steps are at most 1024 at 16 bits).
        assert!(
            (u_lin - a_lin).abs() <= 1024,
            "{code:#04x}: {u_lin} vs {a_lin}"
        );
    }
}

#[test]
fn frames_survive_encode_decode_for_both_laws() {
    let mut frame = Frame::SILENCE;
    for (n, s) in frame.samples.iter_mut().enumerate() {
        *s = ((n as f64 * 0.3).sin() * 12_000.0) as i16;
    }
    for codec in Codec::ALL {
        let mut payload = [0u8; media::FRAME_SAMPLES];
        codec.encode_frame(&frame, &mut payload);
        let mut decoded = Frame::SILENCE;
        codec.decode_frame(&payload, &mut decoded);
        for (a, b) in frame.samples.iter().zip(&decoded.samples) {
            // Quantisation error stays under half of the largest step used at this level.
            assert!(
                (i32::from(*a) - i32::from(*b)).abs() <= 512,
                "{codec}: {a} vs {b}"
            );
        }
        let mut again = [0u8; media::FRAME_SAMPLES];
        codec.encode_frame(&decoded, &mut again);
        assert_eq!(
            payload, again,
            "{codec}: re-encoding a decoded frame is lossless"
        );
    }
}

#[test]
fn transcode_into_uses_the_direct_tables() {
    let codes: Vec<u8> = (0..=255).collect();
    let mut out = vec![0u8; 256];
    assert_eq!(
        Codec::Pcmu.transcode_into(Codec::Pcma, &codes, &mut out),
        256
    );
    assert!(codes.iter().zip(&out).all(|(&c, &o)| o == ulaw_to_alaw(c)));
    Codec::Pcma.transcode_into(Codec::Pcma, &codes, &mut out);
    assert_eq!(out, codes);
}
