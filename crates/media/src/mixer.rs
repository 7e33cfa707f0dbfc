//! N-party audio mixing: who hears whom on a call with a supervisor, a three-way or a conference.
//!
//! Each party has a [`Role`]; the [`MixMode`] decides from the roles whose voice reaches whom:
//!
//! | mode | caller hears | agent hears | supervisor hears |
//! |---|---|---|---|
//! | [`Monitor`](MixMode::Monitor) | agent | caller | caller, agent |
//! | [`Whisper`](MixMode::Whisper) | agent | caller, supervisor | caller, agent |
//! | [`Barge`](MixMode::Barge), [`Conference`](MixMode::Conference) | all others | all others | all others |
//!
//! Nobody hears themselves. A muted party is heard by no one; a party on hold is heard by no one
//! and hears only the hold audio handed in for it (music on hold).
//!
//! Every 20 ms the server hands in each party's decoded frame ([`Mixer::set_input`]), calls
//! [`Mixer::mix`], and sends each party its [`Mixer::output`]. Sums are taken in `i32` and
//! saturated to `i16`: a loud sum clips, it never wraps around to the opposite sign. After the
//! parties are added, mixing allocates nothing.

use crate::frame::{FRAME_SAMPLES, Frame};

/// What part a party plays on the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The customer side (every participant of a conference may be a caller).
    Caller,
    /// The agent handling the call.
    Agent,
    /// A supervisor listening, whispering or barging in.
    Supervisor,
}

/// Who hears whom (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MixMode {
    /// Everyone hears everyone else (a three-way call, a conference).
    #[default]
    Conference,
    /// Silent monitoring: supervisors hear everyone, nobody hears supervisors.
    Monitor,
    /// Supervisors are heard by agents only (coaching the agent).
    Whisper,
    /// The supervisor joins the conversation: everyone hears everyone else.
    Barge,
}

impl MixMode {
    /// Whether, in this mode, a `listener` hears a `speaker` (two different parties).
    pub fn hears(self, listener: Role, speaker: Role) -> bool {
        match self {
            MixMode::Conference | MixMode::Barge => true,
            MixMode::Monitor => speaker != Role::Supervisor,
            MixMode::Whisper => speaker != Role::Supervisor || listener == Role::Agent,
        }
    }
}

/// Identifies a party of a [`Mixer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartyId(u32);

/// A call to a [`Mixer`] named a party it does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no party {0:?} in this mixer")]
pub struct UnknownParty(pub PartyId);

#[derive(Debug)]
struct Party {
    id: PartyId,
    role: Role,
    muted: bool,
    on_hold: bool,
    input: Frame,
    /// False until an input is handed in for this tick: a party without one is silent.
    has_input: bool,
    hold_audio: Frame,
    has_hold_audio: bool,
    output: Frame,
}

impl Party {
    /// Whether anyone can hear this party this tick.
    fn speaks(&self) -> bool {
        self.has_input && !self.muted && !self.on_hold
    }
}

/// Whether `listener` hears `speaker`, two different parties, setting aside whether the
/// speaker sent audio this tick.
fn reaches(mode: MixMode, listener: &Party, speaker: &Party) -> bool {
    !listener.on_hold
        && !speaker.muted
        && !speaker.on_hold
        && mode.hears(listener.role, speaker.role)
}

/// Mixes the parties of one call.
#[derive(Debug)]
pub struct Mixer {
    parties: Vec<Party>,
    mode: MixMode,
    next_id: u32,
    /// Sum of every speaking party, reused each tick.
    total: [i32; FRAME_SAMPLES],
    /// One listener's sum, reused each tick.
    acc: [i32; FRAME_SAMPLES],
}

impl Default for Mixer {
    fn default() -> Mixer {
        Mixer {
            parties: Vec::new(),
            mode: MixMode::default(),
            next_id: 0,
            total: [0; FRAME_SAMPLES],
            acc: [0; FRAME_SAMPLES],
        }
    }
}

impl Mixer {
    /// A mixer without parties, in [`MixMode::Conference`].
    pub fn new() -> Mixer {
        Mixer::default()
    }

    /// Adds a party; it hears and is heard from the next [`Mixer::mix`].
    pub fn add_party(&mut self, role: Role) -> PartyId {
        let id = PartyId(self.next_id);
        self.next_id += 1;
        self.parties.push(Party {
            id,
            role,
            muted: false,
            on_hold: false,
            input: Frame::SILENCE,
            has_input: false,
            hold_audio: Frame::SILENCE,
            has_hold_audio: false,
            output: Frame::SILENCE,
        });
        id
    }

    /// Removes a party (a supervisor leaving).
    pub fn remove_party(&mut self, id: PartyId) -> Result<(), UnknownParty> {
        let index = self
            .parties
            .iter()
            .position(|p| p.id == id)
            .ok_or(UnknownParty(id))?;
        self.parties.remove(index);
        Ok(())
    }

    /// Switches mode; takes effect at the next [`Mixer::mix`].
    pub fn set_mode(&mut self, mode: MixMode) {
        self.mode = mode;
    }

    /// The current mode.
    pub fn mode(&self) -> MixMode {
        self.mode
    }

    /// Changes a party's role (a supervisor taking the call over becomes the agent).
    pub fn set_role(&mut self, id: PartyId, role: Role) -> Result<(), UnknownParty> {
        self.party_mut(id)?.role = role;
        Ok(())
    }

    /// Mutes or unmutes a party: a muted party still hears, but nobody hears it.
    pub fn set_muted(&mut self, id: PartyId, muted: bool) -> Result<(), UnknownParty> {
        self.party_mut(id)?.muted = muted;
        Ok(())
    }

    /// Puts a party on hold or takes it off: on hold it hears only its hold audio and nobody
    /// hears it.
    pub fn set_on_hold(&mut self, id: PartyId, on_hold: bool) -> Result<(), UnknownParty> {
        self.party_mut(id)?.on_hold = on_hold;
        Ok(())
    }

    /// This tick's audio from the party.
    pub fn set_input(&mut self, id: PartyId, frame: &Frame) -> Result<(), UnknownParty> {
        let party = self.party_mut(id)?;
        party.input.clone_from(frame);
        party.has_input = true;
        Ok(())
    }

    /// This tick's hold audio for a party on hold (music on hold); silence if none is given.
    pub fn set_hold_audio(&mut self, id: PartyId, frame: &Frame) -> Result<(), UnknownParty> {
        let party = self.party_mut(id)?;
        party.hold_audio.clone_from(frame);
        party.has_hold_audio = true;
        Ok(())
    }

    /// Whether `listener` currently hears `speaker` (mode, mute and hold considered).
    pub fn hears(&self, listener: PartyId, speaker: PartyId) -> Result<bool, UnknownParty> {
        let reached = reaches(self.mode, self.party(listener)?, self.party(speaker)?);
        Ok(listener != speaker && reached)
    }

    /// Computes every party's output from this tick's inputs, then forgets the inputs: a
    /// party with no input next tick is silent rather than repeated.
    pub fn mix(&mut self) {
        let mode = self.mode;
        self.total.fill(0);
        let mut speakers = 0;
        for party in self.parties.iter().filter(|p| p.speaks()) {
            add(&mut self.total, &party.input);
            speakers += 1;
        }
        for l in 0..self.parties.len() {
            let listener = &self.parties[l];
            if listener.on_hold {
                let party = &mut self.parties[l];
                if party.has_hold_audio {
                    party.output.clone_from(&party.hold_audio);
                } else {
                    party.output = Frame::SILENCE;
                }
                continue;
            }
            let heard = |s: usize, speaker: &Party| {
                s != l && speaker.speaks() && reaches(mode, listener, speaker)
            };
            let mut heard_count = 0;
            for (s, speaker) in self.parties.iter().enumerate() {
                heard_count += usize::from(heard(s, speaker));
            }
            // In a conference each listener hears nearly everyone: subtracting the few it does
            // not hear from the total is cheaper than adding the many it does.
            if 2 * heard_count >= speakers {
                self.acc = self.total;
                for (s, speaker) in self.parties.iter().enumerate() {
                    if speaker.speaks() && !heard(s, speaker) {
                        sub(&mut self.acc, &speaker.input);
                    }
                }
            } else {
                self.acc.fill(0);
                for (s, speaker) in self.parties.iter().enumerate() {
                    if heard(s, speaker) {
                        add(&mut self.acc, &speaker.input);
                    }
                }
            }
            saturate(&self.acc, &mut self.parties[l].output);
        }
        for party in &mut self.parties {
            party.has_input = false;
            party.has_hold_audio = false;
        }
    }

    /// What the party hears, as of the last [`Mixer::mix`].
    pub fn output(&self, id: PartyId) -> Result<&Frame, UnknownParty> {
        Ok(&self.party(id)?.output)
    }

    /// The parties, in the order they were added.
    pub fn parties(&self) -> impl Iterator<Item = (PartyId, Role)> + '_ {
        self.parties.iter().map(|p| (p.id, p.role))
    }

    fn party(&self, id: PartyId) -> Result<&Party, UnknownParty> {
        self.parties
            .iter()
            .find(|p| p.id == id)
            .ok_or(UnknownParty(id))
    }

    fn party_mut(&mut self, id: PartyId) -> Result<&mut Party, UnknownParty> {
        self.parties
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or(UnknownParty(id))
    }
}

fn add(acc: &mut [i32; FRAME_SAMPLES], frame: &Frame) {
    for (a, &s) in acc.iter_mut().zip(&frame.samples) {
        *a += i32::from(s);
    }
}

fn sub(acc: &mut [i32; FRAME_SAMPLES], frame: &Frame) {
    for (a, &s) in acc.iter_mut().zip(&frame.samples) {
        *a -= i32::from(s);
    }
}

/// Clips to the `i16` range: the sum of a few `i16` cannot overflow an `i32`, and clipping keeps
/// the sign where a cast would wrap.
fn saturate(acc: &[i32; FRAME_SAMPLES], out: &mut Frame) {
    for (o, &a) in out.samples.iter_mut().zip(acc) {
        *o = a.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constant(value: i16) -> Frame {
        Frame {
            samples: [value; FRAME_SAMPLES],
        }
    }

    #[test]
    fn sums_saturate_instead_of_wrapping() {
        let mut mixer = Mixer::new();
        let parties: Vec<_> = (0..4).map(|_| mixer.add_party(Role::Caller)).collect();
        for &p in &parties {
            mixer.set_input(p, &constant(i16::MAX)).unwrap();
        }
        mixer.mix();
        assert_eq!(mixer.output(parties[0]).unwrap().samples[0], i16::MAX);
        for &p in &parties {
            mixer.set_input(p, &constant(i16::MIN)).unwrap();
        }
        mixer.mix();
        assert_eq!(mixer.output(parties[0]).unwrap().samples[0], i16::MIN);
    }

    #[test]
    fn a_party_without_input_this_tick_is_silent() {
        let mut mixer = Mixer::new();
        let a = mixer.add_party(Role::Caller);
        let b = mixer.add_party(Role::Agent);
        mixer.set_input(a, &constant(1_000)).unwrap();
        mixer.mix();
        assert_eq!(mixer.output(b).unwrap().samples[0], 1_000);
        mixer.mix();
        assert!(mixer.output(b).unwrap().is_silent());
    }

    #[test]
    fn both_summing_strategies_agree() {
        // Seven parties in whisper mode: agents hear most (subtract path), callers few (add path).
        let mut mixer = Mixer::new();
        mixer.set_mode(MixMode::Whisper);
        let roles = [
            Role::Caller,
            Role::Caller,
            Role::Agent,
            Role::Supervisor,
            Role::Supervisor,
            Role::Caller,
        ];
        let ids: Vec<_> = roles.iter().map(|&r| mixer.add_party(r)).collect();
        for (n, &id) in ids.iter().enumerate() {
            mixer.set_input(id, &constant(1 << n)).unwrap();
        }
        mixer.mix();
        for &listener in &ids {
            let expected: i32 = ids
                .iter()
                .enumerate()
                .filter(|&(_, &s)| mixer.hears(listener, s).unwrap())
                .map(|(n, _)| 1 << n)
                .sum();
            assert_eq!(
                i32::from(mixer.output(listener).unwrap().samples[0]),
                expected
            );
        }
    }

    #[test]
    fn unknown_party_is_an_error() {
        let mut mixer = Mixer::new();
        let a = mixer.add_party(Role::Caller);
        mixer.remove_party(a).unwrap();
        assert_eq!(mixer.set_input(a, &Frame::SILENCE), Err(UnknownParty(a)));
    }
}
