//! Plays sequences of prompts, generated tones and silences, one 20 ms frame at a time.
//!
//! A [`Sequence`] is what an IVR step says: "you are number" + 3 + "in the queue", built from a
//! [`PromptLibrary`] with [`Sequence::builder`]. A [`Player`] belongs to one call leg; the
//! server asks it for a frame every 20 ms and reads its events:
//!
//! ```
//! use media::playback::{PlaybackEvent, Player, Sequence};
//! use media::prompt::{Language, Prompt, PromptLibrary};
//!
//! let mut library = PromptLibrary::new();
//! for name in ["you-are-number", "digits/3", "in-the-queue"] {
//!     library.insert("en", name, Prompt::from_samples(&[100; 800]));
//! }
//! let sequence = Sequence::builder(&library, Language::English)
//!     .prompt("you-are-number")?
//!     .number(3)?
//!     .prompt("in-the-queue")?
//!     .build();
//!
//! let mut player = Player::new();
//! let id = player.play(sequence);
//! let mut frames = 0;
//! while let Some(_frame) = player.next_frame() {
//!     frames += 1; // encode and send it
//! }
//! assert_eq!(frames, 15);
//! assert_eq!(player.poll_event(), Some(PlaybackEvent::Finished { sequence: id }));
//! # Ok::<(), media::playback::PlaybackError>(())
//! ```
//!
//! A keypress during an item that allows barge-in ([`Player::dtmf`]) stops the sequence and
//! reports which item it cut; the next queued sequence, if any, starts on the next frame.

use std::collections::VecDeque;
use std::time::Duration;

use crate::frame::{FRAME_MS, Frame};
use crate::prompt::{Language, Prompt, PromptError, PromptLibrary};
use crate::say::{self, SayError};

/// Why a sequence could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    /// A prompt the sequence needs is not in the library.
    #[error(transparent)]
    Prompt(#[from] PromptError),
    /// A value could not be put into words.
    #[error(transparent)]
    Say(#[from] SayError),
}

/// Audio computed as it plays (a tone, comfort noise): one frame per call.
pub trait FrameSource: Send {
    /// The next 20 ms.
    fn next_frame(&mut self) -> Frame;
}

impl<F: FnMut() -> Frame + Send> FrameSource for F {
    fn next_frame(&mut self) -> Frame {
        self()
    }
}

/// What an item plays.
enum Segment {
    /// A decoded prompt, played once.
    Prompt(Prompt),
    /// Digital silence for a number of frames.
    Silence {
        /// Length in 20 ms frames.
        frames: usize,
    },
    /// Generated audio for a number of frames.
    Generated {
        /// Where the frames come from.
        source: Box<dyn FrameSource>,
        /// Length in 20 ms frames.
        frames: usize,
    },
}

impl Segment {
    fn len(&self) -> usize {
        match self {
            Segment::Prompt(prompt) => prompt.len(),
            Segment::Silence { frames } | Segment::Generated { frames, .. } => *frames,
        }
    }

    fn frame(&mut self, index: usize) -> Frame {
        match self {
            Segment::Prompt(prompt) => prompt.frame(index).cloned().unwrap_or_default(),
            Segment::Silence { .. } => Frame::SILENCE,
            Segment::Generated { source, .. } => source.next_frame(),
        }
    }
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Segment::Prompt(prompt) => write!(f, "{prompt:?}"),
            Segment::Silence { frames } => write!(f, "Silence({frames} frames)"),
            Segment::Generated { frames, .. } => write!(f, "Generated({frames} frames)"),
        }
    }
}

/// One step of a sequence: a segment, a label for events and logs, and whether a keypress may
/// cut it short.
#[derive(Debug)]
pub struct Item {
    segment: Segment,
    label: String,
    barge_in: bool,
}

impl Item {
    /// A prompt, labelled (usually with its name); barge-in allowed.
    pub fn prompt(label: impl Into<String>, prompt: Prompt) -> Item {
        Item {
            segment: Segment::Prompt(prompt),
            label: label.into(),
            barge_in: true,
        }
    }

    /// Silence, rounded up to whole frames; barge-in allowed.
    pub fn silence(duration: Duration) -> Item {
        Item {
            segment: Segment::Silence {
                frames: frames_in(duration),
            },
            label: "silence".into(),
            barge_in: true,
        }
    }

    /// Generated audio (a beep, a tone) for `duration`, rounded up to whole frames; barge-in
    /// allowed.
    pub fn generated(
        label: impl Into<String>,
        duration: Duration,
        source: impl FrameSource + 'static,
    ) -> Item {
        let segment = Segment::Generated {
            source: Box::new(source),
            frames: frames_in(duration),
        };
        Item {
            segment,
            label: label.into(),
            barge_in: true,
        }
    }

    /// Whether a keypress may interrupt this item (a legal notice may not).
    pub fn with_barge_in(mut self, allowed: bool) -> Item {
        self.barge_in = allowed;
        self
    }

    /// The label given at creation.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether a keypress interrupts this item.
    pub fn barge_in(&self) -> bool {
        self.barge_in
    }

    /// Number of frames the item plays.
    pub fn len(&self) -> usize {
        self.segment.len()
    }

    /// True for an item that plays nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn frames_in(duration: Duration) -> usize {
    duration
        .as_millis()
        .div_ceil(u128::from(FRAME_MS))
        .try_into()
        .unwrap_or(usize::MAX)
}

/// Items played one after the other.
#[derive(Debug, Default)]
pub struct Sequence {
    items: Vec<Item>,
}

impl Sequence {
    /// An empty sequence.
    pub fn new() -> Sequence {
        Sequence::default()
    }

    /// Starts building a sequence from the prompts of `library` in `language`.
    pub fn builder(library: &PromptLibrary, language: Language) -> SequenceBuilder<'_> {
        SequenceBuilder {
            library,
            language,
            barge_in: true,
            sequence: Sequence::new(),
        }
    }

    /// Appends an item.
    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    /// The items, in order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Playing time of the whole sequence.
    pub fn duration(&self) -> Duration {
        let frames: usize = self.items.iter().map(Item::len).sum();
        Duration::from_millis(u64::from(FRAME_MS).saturating_mul(frames as u64))
    }
}

/// Builds a [`Sequence`] from prompt names and [`say`] values; each step fails with the name of
/// a missing prompt.
#[derive(Debug)]
pub struct SequenceBuilder<'a> {
    library: &'a PromptLibrary,
    language: Language,
    barge_in: bool,
    sequence: Sequence,
}

impl SequenceBuilder<'_> {
    /// Whether the items added from now on may be cut by a keypress (default: yes).
    pub fn barge_in(mut self, allowed: bool) -> Self {
        self.barge_in = allowed;
        self
    }

    /// The prompt of that name.
    pub fn prompt(mut self, name: &str) -> Result<Self, PlaybackError> {
        let prompt = self.library.get(self.language.code(), name)?.clone();
        self.sequence
            .push(Item::prompt(name, prompt).with_barge_in(self.barge_in));
        Ok(self)
    }

    /// The prompts of several names, in order.
    pub fn prompts<'n>(
        self,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Result<Self, PlaybackError> {
        names
            .into_iter()
            .try_fold(self, |builder, name| builder.prompt(name))
    }

    /// A cardinal number ([`say::number`]).
    pub fn number(self, n: u32) -> Result<Self, PlaybackError> {
        let names = say::number(self.language, n);
        self.prompts(names)
    }

    /// An ordinal number ([`say::ordinal`]).
    pub fn ordinal(self, n: u32) -> Result<Self, PlaybackError> {
        let names = say::ordinal(self.language, n);
        self.prompts(names)
    }

    /// A digit string, one digit at a time ([`say::digits`]).
    pub fn digits(self, digits: &str) -> Result<Self, PlaybackError> {
        let names = say::digits(self.language, digits)?;
        self.prompts(names)
    }

    /// A duration in hours, minutes and seconds ([`say::duration`]).
    pub fn duration(self, duration: Duration) -> Result<Self, PlaybackError> {
        let names = say::duration(self.language, duration);
        self.prompts(names)
    }

    /// A pause.
    pub fn silence(mut self, duration: Duration) -> Self {
        self.sequence
            .push(Item::silence(duration).with_barge_in(self.barge_in));
        self
    }

    /// Any item, as given (its own barge-in setting is kept).
    pub fn item(mut self, item: Item) -> Self {
        self.sequence.push(item);
        self
    }

    /// The sequence.
    pub fn build(self) -> Sequence {
        self.sequence
    }
}

/// Identifies a sequence handed to a [`Player`], in its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SequenceId(u64);

/// What happened to a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaybackEvent {
    /// Every item played to the end.
    Finished {
        /// The sequence.
        sequence: SequenceId,
    },
    /// A keypress cut the sequence during an item that allows barge-in.
    Interrupted {
        /// The sequence.
        sequence: SequenceId,
        /// Index of the item that was playing.
        item: usize,
        /// That item's label (a prompt's name).
        label: String,
        /// The key pressed.
        digit: char,
    },
    /// [`Player::clear`] or [`Player::replace`] dropped the sequence before its end.
    Stopped {
        /// The sequence.
        sequence: SequenceId,
    },
}

#[derive(Debug)]
struct Playing {
    id: SequenceId,
    sequence: Sequence,
    item: usize,
    frame: usize,
}

/// Plays queued sequences frame by frame for one call leg.
#[derive(Debug, Default)]
pub struct Player {
    playing: Option<Playing>,
    queued: VecDeque<(SequenceId, Sequence)>,
    events: VecDeque<PlaybackEvent>,
    next_id: u64,
}

impl Player {
    /// A player with nothing to play.
    pub fn new() -> Player {
        Player::default()
    }

    /// Queues a sequence after whatever is playing or queued.
    pub fn play(&mut self, sequence: Sequence) -> SequenceId {
        let id = SequenceId(self.next_id);
        self.next_id += 1;
        self.queued.push_back((id, sequence));
        id
    }

    /// Stops everything (reporting [`PlaybackEvent::Stopped`]) and plays `sequence` instead.
    pub fn replace(&mut self, sequence: Sequence) -> SequenceId {
        self.clear();
        self.play(sequence)
    }

    /// Stops the playing sequence and drops the queued ones, each reported as stopped.
    pub fn clear(&mut self) {
        let playing = self.playing.take().map(|p| p.id);
        let queued = self.queued.drain(..).map(|(id, _)| id);
        self.events.extend(
            playing
                .into_iter()
                .chain(queued)
                .map(|sequence| PlaybackEvent::Stopped { sequence }),
        );
    }

    /// A key was pressed. Stops the playing sequence if its current item allows barge-in
    /// (returns true and reports [`PlaybackEvent::Interrupted`]); otherwise changes nothing.
    pub fn dtmf(&mut self, digit: char) -> bool {
        self.skip_finished_items();
        let Some(playing) = self
            .playing
            .take_if(|p| p.sequence.items.get(p.item).is_some_and(Item::barge_in))
        else {
            return false;
        };
        let label = playing
            .sequence
            .items
            .get(playing.item)
            .map(|i| i.label.clone())
            .unwrap_or_default();
        self.events.push_back(PlaybackEvent::Interrupted {
            sequence: playing.id,
            item: playing.item,
            label,
            digit,
        });
        true
    }

    /// The next 20 ms to send, or `None` when there is nothing left to play.
    pub fn next_frame(&mut self) -> Option<Frame> {
        self.skip_finished_items();
        let playing = self.playing.as_mut()?;
        let item = playing.sequence.items.get_mut(playing.item)?;
        let frame = item.segment.frame(playing.frame);
        playing.frame += 1;
        // Report the end with the last frame rather than one tick later.
        self.skip_finished_items();
        Some(frame)
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<PlaybackEvent> {
        self.events.pop_front()
    }

    /// True while a sequence is playing or queued.
    pub fn is_active(&self) -> bool {
        self.playing.is_some() || !self.queued.is_empty()
    }

    /// Moves past items that have played out, finishing sequences and starting queued ones, so
    /// that `playing` (if any) points at a frame that exists.
    fn skip_finished_items(&mut self) {
        loop {
            if self.playing.is_none() {
                let Some((id, sequence)) = self.queued.pop_front() else {
                    return;
                };
                self.playing = Some(Playing {
                    id,
                    sequence,
                    item: 0,
                    frame: 0,
                });
            }
            let Some(playing) = self.playing.as_mut() else {
                return;
            };
            match playing.sequence.items.get(playing.item) {
                Some(item) if playing.frame < item.len() => return,
                Some(_) => {
                    playing.item += 1;
                    playing.frame = 0;
                }
                None => {
                    self.events.push_back(PlaybackEvent::Finished {
                        sequence: playing.id,
                    });
                    self.playing = None;
                }
            }
        }
    }
}
