//! G.711 µ-law (PCMU) and A-law (PCMA): the two codecs every SIP phone speaks.
//!
//! Bit-exact with ITU-T G.711 and the behaviour of its G.191 reference software on 16-bit input:
//! a negative sample is coded by the magnitude of its one's complement (`-1 - x`), so `x` and
//! `-1 - x` differ only in the sign bit; A-law quantises `x >> 3` (13-bit uniform PCM), µ-law
//! `x >> 2` (14-bit). Decoding gives the interval's reconstruction value scaled back to 16 bits.
//!
//! Everything runs from tables built at compile time: 256-entry decode tables, encode tables
//! indexed by the 13/14 significant bits, and the direct µ-law↔A-law tables of G.711 Tables 3
//! and 4 (which are not "decode then encode": they keep a double conversion transparent).

use crate::frame::{FRAME_SAMPLES, Frame};

/// The two G.711 companding laws, as negotiated in SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// µ-law, static RTP payload type 0 ("PCMU"), North America and Japan.
    Pcmu,
    /// A-law, static RTP payload type 8 ("PCMA"), Europe and most of the world.
    Pcma,
}

impl Codec {
    /// Both codecs, in the order offered by default.
    pub const ALL: [Codec; 2] = [Codec::Pcmu, Codec::Pcma];

    /// The static RTP payload type (RFC 3551): 0 for PCMU, 8 for PCMA.
    pub const fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// The codec of a static payload type, if it is one of the two.
    pub const fn from_payload_type(payload_type: u8) -> Option<Codec> {
        match payload_type {
            0 => Some(Codec::Pcmu),
            8 => Some(Codec::Pcma),
            _ => None,
        }
    }

    /// The SDP encoding name (`a=rtpmap:0 PCMU/8000`).
    pub const fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The codec of an SDP encoding name; names are case-insensitive (RFC 4566).
    pub fn from_name(name: &str) -> Option<Codec> {
        Codec::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// RTP clock rate in Hz (8000 for both).
    pub const fn clock_rate(self) -> u32 {
        crate::frame::SAMPLE_RATE
    }

    /// The code of digital silence (linear 0): 0xFF in µ-law, 0xD5 in A-law.
    pub const fn silence(self) -> u8 {
        match self {
            Codec::Pcmu => 0xFF,
            Codec::Pcma => 0xD5,
        }
    }

    /// Decodes one code to a 16-bit linear sample.
    #[inline]
    pub fn decode(self, code: u8) -> i16 {
        self.decode_table()[usize::from(code)]
    }

    /// Encodes one 16-bit linear sample.
    #[inline]
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Codec::Pcmu => linear_to_ulaw(sample),
            Codec::Pcma => linear_to_alaw(sample),
        }
    }

    /// The 256-entry decode table of this law.
    pub fn decode_table(self) -> &'static [i16; 256] {
        match self {
            Codec::Pcmu => &ULAW_DECODE,
            Codec::Pcma => &ALAW_DECODE,
        }
    }

    /// Decodes `codes` into `samples`, as many as the shorter of the two holds; returns the count.
    pub fn decode_into(self, codes: &[u8], samples: &mut [i16]) -> usize {
        let table = self.decode_table();
        let n = codes.len().min(samples.len());
        for (s, &c) in samples.iter_mut().zip(codes) {
            *s = table[usize::from(c)];
        }
        n
    }

    /// Encodes `samples` into `codes`, as many as the shorter of the two holds; returns the count.
    pub fn encode_into(self, samples: &[i16], codes: &mut [u8]) -> usize {
        let n = samples.len().min(codes.len());
        match self {
            Codec::Pcmu => {
                for (c, &s) in codes.iter_mut().zip(samples) {
                    *c = linear_to_ulaw(s);
                }
            }
            Codec::Pcma => {
                for (c, &s) in codes.iter_mut().zip(samples) {
                    *c = linear_to_alaw(s);
                }
            }
        }
        n
    }

    /// Decodes one 20 ms payload into a frame.
    pub fn decode_frame(self, payload: &[u8; FRAME_SAMPLES], frame: &mut Frame) {
        self.decode_into(payload, &mut frame.samples);
    }

    /// Encodes one frame into a 20 ms payload.
    pub fn encode_frame(self, frame: &Frame, payload: &mut [u8; FRAME_SAMPLES]) {
        self.encode_into(&frame.samples, payload);
    }

    /// The direct transcoding table from `self` to `to` (identity when they are equal).
    pub fn transcode_table(self, to: Codec) -> &'static [u8; 256] {
        match (self, to) {
            (Codec::Pcmu, Codec::Pcma) => &ULAW_TO_ALAW,
            (Codec::Pcma, Codec::Pcmu) => &ALAW_TO_ULAW,
            _ => &IDENTITY,
        }
    }

    /// Transcodes `codes` from `self` to `to` into `out`, through G.711 Tables 3/4; returns the
    /// number of codes written (the shorter of the two slices).
    pub fn transcode_into(self, to: Codec, codes: &[u8], out: &mut [u8]) -> usize {
        let table = self.transcode_table(to);
        let n = codes.len().min(out.len());
        for (o, &c) in out.iter_mut().zip(codes) {
            *o = table[usize::from(c)];
        }
        n
    }
}

impl std::fmt::Display for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Decodes a µ-law code.
#[inline]
pub fn ulaw_to_linear(code: u8) -> i16 {
    ULAW_DECODE[usize::from(code)]
}

/// Decodes an A-law code.
#[inline]
pub fn alaw_to_linear(code: u8) -> i16 {
    ALAW_DECODE[usize::from(code)]
}

/// Encodes a sample in µ-law.
#[inline]
pub fn linear_to_ulaw(sample: i16) -> u8 {
    // The code depends only on the 14 most significant bits (see the module doc).
    ULAW_ENCODE[((sample >> 2) as u16 & 0x3FFF) as usize]
}

/// Encodes a sample in A-law.
#[inline]
pub fn linear_to_alaw(sample: i16) -> u8 {
    // The code depends only on the 13 most significant bits (see the module doc).
    ALAW_ENCODE[((sample >> 3) as u16 & 0x1FFF) as usize]
}

/// Converts a µ-law code to A-law by G.711 Table 3.
#[inline]
pub fn ulaw_to_alaw(code: u8) -> u8 {
    ULAW_TO_ALAW[usize::from(code)]
}

/// Converts an A-law code to µ-law by G.711 Table 4.
#[inline]
pub fn alaw_to_ulaw(code: u8) -> u8 {
    ALAW_TO_ULAW[usize::from(code)]
}

// ---- The laws, as the standard defines them, evaluated at compile time. ----
//
// Both laws code a sign and a 7-bit "magnitude index" (3-bit segment, 4-bit step in the segment).
// µ-law transmits the index with every bit inverted; A-law inverts the even bits (XOR 0x55).
// In both, a set bit 7 on the line means a positive sample.

/// The sign and magnitude index carried by a µ-law code.
const fn ulaw_index(code: u8) -> (bool, u8) {
    (code & 0x80 == 0, !code & 0x7F)
}

/// The sign and magnitude index carried by an A-law code.
const fn alaw_index(code: u8) -> (bool, u8) {
    (code & 0x80 == 0, (code ^ 0x55) & 0x7F)
}

const fn ulaw_code(negative: bool, index: u8) -> u8 {
    let sign = if negative { 0x00 } else { 0x80 };
    (!index & 0x7F) | sign
}

const fn alaw_code(negative: bool, index: u8) -> u8 {
    let sign = if negative { 0x00 } else { 0x80 };
    ((index & 0x7F) ^ 0x55) | sign
}

/// µ-law decision interval `[low, high)` of a magnitude index, in 14-bit units.
///
/// Segment `s` holds 16 steps of `2^(s+1)` ending at `2^(s+6) - 33` (31, 95, 223 ... 8159); the
/// lowest interval is cut to the single value 0.
const fn ulaw_interval(index: u8) -> (i32, i32) {
    let segment = (index >> 4) as i32;
    let step = (index & 0x0F) as i32;
    let low = ((16 + step) << (segment + 1)) - 33;
    let high = ((17 + step) << (segment + 1)) - 33;
    (if low < 0 { 0 } else { low }, high)
}

/// A-law decision interval `[low, high)` of a magnitude index, in 13-bit units.
///
/// Segments 0 and 1 both step by 2 from 0 to 64; segment `s >= 2` steps by `2^s` from `2^(s+4)`.
const fn alaw_interval(index: u8) -> (i32, i32) {
    let segment = (index >> 4) as i32;
    let step = (index & 0x0F) as i32;
    if segment == 0 {
        (2 * step, 2 * step + 2)
    } else {
        ((16 + step) << segment, (17 + step) << segment)
    }
}

/// Reconstruction value of a µ-law index (14-bit units): the interval's midpoint, 0 for the first.
const fn ulaw_reconstruction(index: u8) -> i32 {
    let (low, high) = ulaw_interval(index);
    if index == 0 { 0 } else { (low + high) / 2 }
}

/// Reconstruction value of an A-law index (13-bit units): the interval's midpoint.
const fn alaw_reconstruction(index: u8) -> i32 {
    let (low, high) = alaw_interval(index);
    (low + high) / 2
}

const fn ulaw_decode(code: u8) -> i16 {
    let (negative, index) = ulaw_index(code);
    let linear = ulaw_reconstruction(index) * 4;
    (if negative { -linear } else { linear }) as i16
}

const fn alaw_decode(code: u8) -> i16 {
    let (negative, index) = alaw_index(code);
    let linear = alaw_reconstruction(index) * 8;
    (if negative { -linear } else { linear }) as i16
}

/// Sign and magnitude of a sample, negatives by one's complement (G.191).
const fn sign_magnitude(sample: i16) -> (bool, u16) {
    if sample < 0 {
        (true, !sample as u16)
    } else {
        (false, sample as u16)
    }
}

const fn ulaw_encode(sample: i16) -> u8 {
    let (negative, magnitude) = sign_magnitude(sample);
    // Biasing by 33 makes every segment start at a power of two; the top is clipped.
    let mut biased = (magnitude >> 2) as u32 + 33;
    if biased > 0x1FFF {
        biased = 0x1FFF;
    }
    let segment = (31 - biased.leading_zeros()) - 5;
    let step = (biased >> (segment + 1)) & 0x0F;
    ulaw_code(negative, ((segment << 4) | step) as u8)
}

const fn alaw_encode(sample: i16) -> u8 {
    let (negative, magnitude) = sign_magnitude(sample);
    let steps = (magnitude >> 4) as u32; // 0..=2047, in units of segment 0's step
    let index = if steps < 16 {
        steps
    } else {
        let segment = (31 - steps.leading_zeros()) - 3;
        (segment << 4) | ((steps >> (segment - 1)) & 0x0F)
    };
    alaw_code(negative, index as u8)
}

const fn build_decode(law_is_ulaw: bool) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = if law_is_ulaw {
            ulaw_decode(code as u8)
        } else {
            alaw_decode(code as u8)
        };
        code += 1;
    }
    table
}

/// Encode table indexed by the top `bits` bits of the sample (two's complement, masked).
const fn build_encode<const N: usize>(shift: u32) -> [u8; N] {
    let mut table = [0u8; N];
    let mut i = 0;
    while i < N {
        // Rebuild a sample with these top bits; the bits below do not change the code.
        let top = if i >= N / 2 {
            i as i32 - N as i32
        } else {
            i as i32
        };
        let sample = (top << shift) as i16;
        table[i] = if shift == 2 {
            ulaw_encode(sample)
        } else {
            alaw_encode(sample)
        };
        i += 1;
    }
    table
}

/// Length of the overlap of two intervals.
const fn overlap(a: (i64, i64), b: (i64, i64)) -> i64 {
    let low = if a.0 > b.0 { a.0 } else { b.0 };
    let high = if a.1 < b.1 { a.1 } else { b.1 };
    if high > low { high - low } else { 0 }
}

// µ-law's 14-bit scale and A-law's 13-bit scale meet where their overload points sit in dBm0
// (8159 at +3.17 dBm0, 4096 at +3.14 dBm0): one A-law unit is 1.985 µ-law units.
const ULAW_PER_ALAW_NUM: i64 = 397;
const ULAW_PER_ALAW_DEN: i64 = 200;

/// G.711 Table 3: each µ-law index maps to the A-law index whose decision interval covers most
/// of its own (ties to the larger magnitude).
const fn build_ulaw_to_alaw_index() -> [u8; 128] {
    let mut map = [0u8; 128];
    let mut u = 0;
    while u < 128 {
        let (ul, uh) = ulaw_interval(u as u8);
        let scaled_u = (ul as i64 * ULAW_PER_ALAW_DEN, uh as i64 * ULAW_PER_ALAW_DEN);
        let mut best = 0;
        let mut best_overlap = -1;
        let mut a = 0;
        while a < 128 {
            let (al, ah) = alaw_interval(a as u8);
            let scaled_a = (al as i64 * ULAW_PER_ALAW_NUM, ah as i64 * ULAW_PER_ALAW_NUM);
            let o = overlap(scaled_u, scaled_a);
            if o >= best_overlap {
                best = a;
                best_overlap = o;
            }
            a += 1;
        }
        map[u] = best as u8;
        u += 1;
    }
    map
}

/// G.711 Table 4: the same rule from A-law to µ-law, plus the one entry where the published
/// table differs from it: A-law decoder output value number 80 (index 79) maps to µ-law number 79.
const fn build_alaw_to_ulaw_index() -> [u8; 128] {
    let mut map = [0u8; 128];
    let mut a = 0;
    while a < 128 {
        let (al, ah) = alaw_interval(a as u8);
        let scaled_a = (al as i64 * ULAW_PER_ALAW_NUM, ah as i64 * ULAW_PER_ALAW_NUM);
        let mut best = 0;
        let mut best_overlap = -1;
        let mut u = 0;
        while u < 128 {
            let (ul, uh) = ulaw_interval(u as u8);
            let scaled_u = (ul as i64 * ULAW_PER_ALAW_DEN, uh as i64 * ULAW_PER_ALAW_DEN);
            let o = overlap(scaled_u, scaled_a);
            if o >= best_overlap {
                best = u;
                best_overlap = o;
            }
            u += 1;
        }
        map[a] = best as u8;
        a += 1;
    }
    map[79] = 79;
    map
}

const fn build_transcode(from_ulaw: bool) -> [u8; 256] {
    let ua = build_ulaw_to_alaw_index();
    let au = build_alaw_to_ulaw_index();
    let mut table = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = if from_ulaw {
            let (negative, index) = ulaw_index(code as u8);
            alaw_code(negative, ua[index as usize])
        } else {
            let (negative, index) = alaw_index(code as u8);
            ulaw_code(negative, au[index as usize])
        };
        code += 1;
    }
    table
}

const fn build_identity() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = i as u8;
        i += 1;
    }
    table
}

static ULAW_DECODE: [i16; 256] = build_decode(true);
static ALAW_DECODE: [i16; 256] = build_decode(false);
static ULAW_ENCODE: [u8; 16384] = build_encode::<16384>(2);
static ALAW_ENCODE: [u8; 8192] = build_encode::<8192>(3);
static ULAW_TO_ALAW: [u8; 256] = build_transcode(true);
static ALAW_TO_ULAW: [u8; 256] = build_transcode(false);
static IDENTITY: [u8; 256] = build_identity();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_codes_decode_to_zero() {
        assert_eq!(Codec::Pcmu.decode(Codec::Pcmu.silence()), 0);
        assert_eq!(Codec::Pcma.decode(Codec::Pcma.silence()), 8);
        assert_eq!(Codec::Pcmu.encode(0), 0xFF);
        assert_eq!(Codec::Pcma.encode(0), 0xD5);
    }

    #[test]
    fn extremes_decode_to_the_g191_values() {
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(alaw_to_linear(0x2A), -32256);
        assert_eq!(alaw_to_linear(0xAA), 32256);
    }

    #[test]
    fn table_encoder_matches_the_formula_for_every_sample() {
        for x in i16::MIN..=i16::MAX {
            assert_eq!(linear_to_ulaw(x), ulaw_encode(x), "µ-law {x}");
            assert_eq!(linear_to_alaw(x), alaw_encode(x), "A-law {x}");
        }
    }

    #[test]
    fn encoding_a_decoded_value_gives_the_code_back() {
        for code in 0..=255u8 {
            // µ-law has two zeros (0x7F and 0xFF); both decode to 0, which encodes as 0xFF.
            let expected = if code == 0x7F { 0xFF } else { code };
            assert_eq!(linear_to_ulaw(ulaw_to_linear(code)), expected);
            assert_eq!(linear_to_alaw(alaw_to_linear(code)), code);
        }
    }

    #[test]
    fn codec_names_and_payload_types_round_trip() {
        for codec in Codec::ALL {
            assert_eq!(Codec::from_payload_type(codec.payload_type()), Some(codec));
            assert_eq!(Codec::from_name(&codec.name().to_lowercase()), Some(codec));
        }
        assert_eq!(Codec::from_payload_type(18), None);
        assert_eq!(Codec::from_name("G729"), None);
    }
}
