//! What we play to one leg ourselves: queued prompt sequences first, else hold music.
//!
//! The prompt [`Player`] numbers its sequences itself; this keeps the switchboard's
//! [`PlayId`] for each and turns the player's events into [`MediaEvent`]s. Hold music is a
//! [`HoldMusic`] cursor that only moves while it is asked for frames, so an announcement
//! played over it pauses it and it resumes where it left off.

use media::Frame;
use media::dtmf::Digit;
use media::music_on_hold::{HoldMusic, Playlist};
use media::playback::{PlaybackEvent, Player, Sequence, SequenceId};

use super::commands::{MediaEvent, PlayId};

#[derive(Debug, Default)]
pub(super) struct LocalAudio {
    player: Player,
    plays: Vec<(SequenceId, PlayId)>,
    music: Option<HoldMusic>,
    /// Music plays when no sequence does (queue music); a held leg hears it regardless.
    music_on: bool,
}

impl LocalAudio {
    pub(super) fn play(&mut self, id: PlayId, sequence: Sequence) {
        let sequence_id = self.player.play(sequence);
        self.plays.push((sequence_id, id));
    }

    /// Stops everything playing and queued if `id` is among it (the player cannot drop one
    /// sequence alone; the switchboard plays one at a time).
    pub(super) fn stop_play(&mut self, id: PlayId) {
        if self.plays.iter().any(|&(_, play)| play == id) {
            self.stop_prompts();
        }
    }

    pub(super) fn stop_prompts(&mut self) {
        self.player.clear();
        // Stopped on request: nothing to report.
        while self.player.poll_event().is_some() {}
        self.plays.clear();
    }

    /// Starts `playlist` from its beginning as the music heard between sequences.
    pub(super) fn start_music(&mut self, playlist: &Playlist) {
        self.music = Some(playlist.listener());
        self.music_on = true;
    }

    pub(super) fn stop_music(&mut self) {
        self.music_on = false;
    }

    /// Makes sure a held leg has music to hear: keeps the current cursor, else starts
    /// `playlist`.
    pub(super) fn prepare_hold(&mut self, playlist: Option<&Playlist>) {
        if self.music.is_none() {
            self.music = playlist.map(Playlist::listener);
        }
    }

    /// True while there is something to play: prompts playing or queued, or music turned on.
    pub(super) fn audible(&self) -> bool {
        self.player.is_active() || (self.music_on && self.music.is_some())
    }

    /// The next 20 ms for the leg, `None` for nothing to send. A held leg hears only music.
    pub(super) fn next_frame(&mut self, held: bool) -> Option<Frame> {
        if held {
            return Some(
                self.music
                    .as_mut()
                    .map_or(Frame::SILENCE, HoldMusic::next_frame),
            );
        }
        if let Some(frame) = self.player.next_frame() {
            return Some(frame);
        }
        if self.music_on {
            return self.music.as_mut().map(HoldMusic::next_frame);
        }
        None
    }

    /// A key went down: cuts the playing sequence if its item allows barge-in.
    pub(super) fn key_down(&mut self, digit: Digit) {
        self.player.dtmf(digit.to_char());
    }

    /// The next playback event, as the switchboard names it.
    pub(super) fn poll_event(&mut self) -> Option<MediaEvent> {
        while let Some(event) = self.player.poll_event() {
            let (sequence, report) = match event {
                PlaybackEvent::Finished { sequence } => (sequence, Report::Finished),
                PlaybackEvent::Interrupted {
                    sequence, digit, ..
                } => (sequence, Report::Interrupted(digit)),
                PlaybackEvent::Stopped { sequence } => (sequence, Report::Nothing),
            };
            let Some(index) = self.plays.iter().position(|&(s, _)| s == sequence) else {
                continue;
            };
            let (_, id) = self.plays.swap_remove(index);
            match report {
                Report::Finished => return Some(MediaEvent::PlayFinished { id }),
                Report::Interrupted(key) => {
                    if let Some(digit) = Digit::from_char(key) {
                        return Some(MediaEvent::PlayInterrupted { id, digit });
                    }
                }
                Report::Nothing => {}
            }
        }
        None
    }
}

enum Report {
    Finished,
    Interrupted(char),
    Nothing,
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::playback::Item;
    use media::prompt::Prompt;

    fn sequence(frames: usize, level: i16) -> Sequence {
        let mut sequence = Sequence::new();
        sequence.push(Item::prompt(
            "p",
            Prompt::from_samples(&vec![level; frames * 160]),
        ));
        sequence
    }

    #[test]
    fn an_announcement_pauses_the_music_which_resumes_where_it_left_off() {
        let playlist = Playlist::new(vec![Prompt::from_samples(
            &(0..1_600).map(|n| n as i16).collect::<Vec<_>>(),
        )])
        .unwrap();
        let mut audio = LocalAudio::default();
        audio.start_music(&playlist);
        assert_eq!(audio.next_frame(false).unwrap().samples[0], 0);
        audio.play(PlayId(7), sequence(2, 9));
        assert_eq!(audio.next_frame(false).unwrap().samples[0], 9);
        assert_eq!(audio.next_frame(false).unwrap().samples[0], 9);
        assert_eq!(
            audio.poll_event(),
            Some(MediaEvent::PlayFinished { id: PlayId(7) })
        );
        assert_eq!(audio.next_frame(false).unwrap().samples[0], 160);
    }

    #[test]
    fn a_key_cuts_a_barge_in_sequence_and_names_it() {
        let mut audio = LocalAudio::default();
        audio.play(PlayId(3), sequence(10, 1));
        audio.next_frame(false);
        audio.key_down(Digit::from_char('5').unwrap());
        assert_eq!(
            audio.poll_event(),
            Some(MediaEvent::PlayInterrupted {
                id: PlayId(3),
                digit: Digit::from_char('5').unwrap()
            })
        );
        assert!(!audio.audible());
        assert_eq!(audio.next_frame(false), None);
    }

    #[test]
    fn stopping_an_unknown_play_changes_nothing() {
        let mut audio = LocalAudio::default();
        audio.play(PlayId(1), sequence(3, 1));
        audio.stop_play(PlayId(2));
        assert!(audio.audible());
        audio.stop_play(PlayId(1));
        assert!(!audio.audible());
        assert_eq!(audio.poll_event(), None);
    }
}
