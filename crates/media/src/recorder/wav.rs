//! The bytes of the recording's WAV file: a canonical 44-byte PCM header whose sizes are
//! patched as audio is flushed, and the `cue ` + `LIST`/`adtl` chunks that carry the markers.
//!
//! Written by hand rather than with hound's writer because the markers go in chunks after the
//! audio, and the header must be rewritten in place while the file grows.

use std::io::{self, Seek, SeekFrom, Write};

use super::Marker;

/// Bytes before the first audio sample.
pub(super) const HEADER_LEN: u64 = 44;
/// Offset of the RIFF size field.
const RIFF_SIZE_AT: u64 = 4;
/// Offset of the data chunk's size field.
const DATA_SIZE_AT: u64 = 40;

/// The header of a PCM16 file, sizes set for `data_len` bytes of audio and nothing after.
pub(super) fn header(sample_rate: u32, channels: u16) -> [u8; HEADER_LEN as usize] {
    let block_align = channels * 2;
    let mut h = [0_u8; HEADER_LEN as usize];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&36_u32.to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&16_u32.to_le_bytes());
    h[20..22].copy_from_slice(&1_u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&channels.to_le_bytes());
    h[24..28].copy_from_slice(&sample_rate.to_le_bytes());
    h[28..32].copy_from_slice(&(sample_rate * u32::from(block_align)).to_le_bytes());
    h[32..34].copy_from_slice(&block_align.to_le_bytes());
    h[34..36].copy_from_slice(&16_u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h
}

/// Rewrites the RIFF and data sizes of the file starting at `base`, then puts the writer back
/// at `resume_at`. `trailing_len` counts the chunks written after the audio.
pub(super) fn patch_sizes<W: Write + Seek>(
    writer: &mut W,
    base: u64,
    data_len: u32,
    trailing_len: u32,
    resume_at: u64,
) -> io::Result<()> {
    let riff_len = 36_u32.saturating_add(data_len).saturating_add(trailing_len);
    writer.seek(SeekFrom::Start(base + RIFF_SIZE_AT))?;
    writer.write_all(&riff_len.to_le_bytes())?;
    writer.seek(SeekFrom::Start(base + DATA_SIZE_AT))?;
    writer.write_all(&data_len.to_le_bytes())?;
    writer.seek(SeekFrom::Start(resume_at))?;
    Ok(())
}

/// A `cue ` chunk with one point per marker (position in sample frames) and a `LIST`/`adtl`
/// chunk giving each point its label; empty when there are no markers.
pub(super) fn marker_chunks(markers: &[Marker]) -> Vec<u8> {
    if markers.is_empty() {
        return Vec::new();
    }
    let mut cue = Vec::with_capacity(12 + 24 * markers.len());
    cue.extend_from_slice(b"cue ");
    cue.extend_from_slice(&len_u32(4 + 24 * markers.len()).to_le_bytes());
    cue.extend_from_slice(&len_u32(markers.len()).to_le_bytes());
    let mut labels = Vec::new();
    for (index, marker) in markers.iter().enumerate() {
        let id = len_u32(index + 1);
        let position = u32::try_from(marker.at.samples()).unwrap_or(u32::MAX);
        cue.extend_from_slice(&id.to_le_bytes());
        cue.extend_from_slice(&position.to_le_bytes());
        cue.extend_from_slice(b"data");
        cue.extend_from_slice(&0_u32.to_le_bytes()); // chunk start
        cue.extend_from_slice(&0_u32.to_le_bytes()); // block start
        cue.extend_from_slice(&position.to_le_bytes());

        let text = marker.label().as_bytes();
        labels.extend_from_slice(b"labl");
        labels.extend_from_slice(&len_u32(4 + text.len() + 1).to_le_bytes());
        labels.extend_from_slice(&id.to_le_bytes());
        labels.extend_from_slice(text);
        labels.push(0);
        if labels.len() % 2 == 1 {
            labels.push(0); // chunks start on even offsets
        }
    }
    cue.extend_from_slice(b"LIST");
    cue.extend_from_slice(&len_u32(4 + labels.len()).to_le_bytes());
    cue.extend_from_slice(b"adtl");
    cue.extend_from_slice(&labels);
    cue
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}
