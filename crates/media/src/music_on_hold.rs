//! Music on hold: a playlist looped for every caller of a queue, each at their own place.
//!
//! A [`Playlist`] holds the decoded tracks once (reference-counted [`Prompt`]s); each caller
//! gets a [`HoldMusic`] — the playlist handle plus a cursor of two integers. When an
//! announcement interrupts the music the server simply stops asking this caller's
//! [`HoldMusic`] for frames; asking again resumes where the caller left off.
//!
//! ```
//! use media::music_on_hold::Playlist;
//! use media::prompt::Prompt;
//!
//! let playlist = Playlist::new(vec![Prompt::from_samples(&[1; 1_600])])?;
//! let mut caller = playlist.listener();
//! let frame = caller.next_frame(); // every 20 ms while the caller waits
//! # assert_eq!(frame.samples[0], 1);
//! # Ok::<(), media::music_on_hold::MohError>(())
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::frame::{FRAME_MS, Frame};
use crate::prompt::Prompt;

/// Why a playlist cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MohError {
    /// No track holds any audio.
    #[error("the hold music playlist has no audio")]
    Empty,
}

/// The tracks of one queue's hold music, decoded once and shared by all its callers.
#[derive(Debug, Clone)]
pub struct Playlist {
    /// Only non-empty tracks are kept, so a cursor always points at a frame that exists.
    tracks: Arc<[Prompt]>,
    frames: usize,
}

impl Playlist {
    /// A playlist of the tracks, in order; empty tracks are left out.
    pub fn new(tracks: Vec<Prompt>) -> Result<Playlist, MohError> {
        let tracks: Arc<[Prompt]> = tracks.into_iter().filter(|t| !t.is_empty()).collect();
        let frames = tracks.iter().map(Prompt::len).sum();
        if frames == 0 {
            return Err(MohError::Empty);
        }
        Ok(Playlist { tracks, frames })
    }

    /// A new listener starting at the beginning of the first track.
    pub fn listener(&self) -> HoldMusic {
        HoldMusic {
            playlist: self.clone(),
            cursor: Cursor::default(),
        }
    }

    /// A new listener starting `offset` into the playlist (wrapping), so that callers entering
    /// together need not hear the same bar; the offset (random or not) is the caller's choice.
    pub fn listener_at(&self, offset: Duration) -> HoldMusic {
        let frame = (offset.as_millis() / u128::from(FRAME_MS)) % self.frames as u128;
        let mut cursor = Cursor::default();
        let mut remaining = frame as usize;
        for (index, track) in self.tracks.iter().enumerate() {
            if remaining < track.len() {
                cursor = Cursor {
                    track: index,
                    frame: remaining,
                    loops: 0,
                };
                break;
            }
            remaining -= track.len();
        }
        HoldMusic {
            playlist: self.clone(),
            cursor,
        }
    }

    /// Total playing time of one pass through the playlist.
    pub fn duration(&self) -> Duration {
        Duration::from_millis(u64::from(FRAME_MS) * self.frames as u64)
    }

    /// Number of (non-empty) tracks.
    pub fn tracks(&self) -> usize {
        self.tracks.len()
    }

    /// The track at `index` (empty tracks were left out).
    pub fn track(&self, index: usize) -> Option<&Prompt> {
        self.tracks.get(index)
    }
}

/// Where a listener is in the playlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    /// Index of the track playing.
    pub track: usize,
    /// Index of the next frame in that track.
    pub frame: usize,
    /// Completed passes through the whole playlist.
    pub loops: u64,
}

/// One caller's hold music: the shared playlist and this caller's place in it.
#[derive(Debug, Clone)]
pub struct HoldMusic {
    playlist: Playlist,
    cursor: Cursor,
}

impl HoldMusic {
    /// The next 20 ms of music; the playlist loops forever.
    pub fn next_frame(&mut self) -> Frame {
        let tracks = &self.playlist.tracks;
        let cursor = &mut self.cursor;
        let track = tracks.get(cursor.track);
        let frame = track
            .and_then(|t| t.frame(cursor.frame))
            .cloned()
            .unwrap_or_default();
        cursor.frame += 1;
        if track.is_none_or(|t| cursor.frame >= t.len()) {
            cursor.frame = 0;
            cursor.track += 1;
            if cursor.track >= tracks.len() {
                cursor.track = 0;
                cursor.loops += 1;
            }
        }
        frame
    }

    /// Where this caller is.
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    /// The playlist this caller listens to.
    pub fn playlist(&self) -> &Playlist {
        &self.playlist
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_playlist_without_audio_is_refused() {
        assert_eq!(Playlist::new(vec![]).unwrap_err(), MohError::Empty);
        assert_eq!(
            Playlist::new(vec![Prompt::from_samples(&[])]).unwrap_err(),
            MohError::Empty
        );
    }

    #[test]
    fn empty_tracks_are_skipped() {
        let playlist = Playlist::new(vec![
            Prompt::from_samples(&[]),
            Prompt::from_samples(&[5; 160]),
        ])
        .unwrap();
        let mut caller = playlist.listener();
        assert_eq!(caller.next_frame().samples[0], 5);
        assert_eq!(caller.next_frame().samples[0], 5);
        assert_eq!(caller.cursor().loops, 2);
    }

    #[test]
    fn listener_at_wraps_the_offset() {
        let playlist = Playlist::new(vec![
            Prompt::from_samples(&[1; 320]),
            Prompt::from_samples(&[2; 320]),
        ])
        .unwrap();
        let caller = playlist.listener_at(Duration::from_millis(100));
        assert_eq!(
            caller.cursor(),
            Cursor {
                track: 0,
                frame: 1,
                loops: 0
            }
        );
    }
}
