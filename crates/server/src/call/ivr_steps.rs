//! A call in its flow: the `ivr` session's actions become media commands (prompts resolved
//! from the prompt library in the flow's language), queueing, hanging up and log events; the
//! caller's keys and the ends of prompts go back to the session. The session's one timer (a
//! menu waiting for a key) is kept in the switchboard's timer heap.

use std::collections::BTreeMap;
use std::time::Instant;

use ivr::{Action, Event, FlowEvent, Session};
use media::playback::{PlaybackError, Sequence};
use media::prompt::Language;
use store::NewEvent;

use super::call::EndReason;
use super::switchboard::Board;
use crate::media::{CallRef, MediaCommand, PlayId};

impl Board {
    /// The caller enters the call's flow.
    pub(crate) fn start_ivr(&mut self, now: Instant, id: CallRef) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let mut vars = BTreeMap::new();
        vars.insert("caller_number".to_owned(), call.caller.clone());
        vars.insert("called_number".to_owned(), call.dialed.clone());
        let local_time = self
            .directory
            .tenants
            .get(&call.tenant)
            .and_then(|tenant| tenant.local_time(jiff::Timestamp::now()));
        call.ivr = Some(Session::start_with_time(
            call.flow.clone(),
            now,
            vars,
            local_time,
        ));
        self.drive_ivr(now, id);
    }

    /// Something happened that the call's session must hear.
    pub(crate) fn ivr_event(&mut self, now: Instant, id: CallRef, event: Event) {
        let Some(session) = self.calls.get_mut(&id).and_then(|c| c.ivr.as_mut()) else {
            return;
        };
        session.handle_event(now, event);
        self.drive_ivr(now, id);
    }

    /// The session's deadline came (or a stale entry of the heap did).
    pub(crate) fn ivr_timeout(&mut self, now: Instant, id: CallRef) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.ivr_armed = None;
        let Some(session) = call.ivr.as_mut() else {
            return;
        };
        if session.poll_timeout().is_some_and(|at| at <= now) {
            session.handle_timeout(now);
        }
        self.drive_ivr(now, id);
    }

    /// Performs the session's actions until it has none, then re-arms its timer.
    fn drive_ivr(&mut self, now: Instant, id: CallRef) {
        loop {
            let actions: Vec<Action> = match self.calls.get_mut(&id).and_then(|c| c.ivr.as_mut()) {
                Some(session) => std::iter::from_fn(|| session.poll_action()).collect(),
                None => Vec::new(),
            };
            if actions.is_empty() {
                break;
            }
            for action in actions {
                self.ivr_action(now, id, action);
            }
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.ivr.as_ref().is_some_and(Session::is_finished) {
            call.ivr = None;
        }
        let deadline = call.ivr.as_ref().and_then(Session::poll_timeout);
        if deadline != call.ivr_armed {
            call.ivr_armed = deadline;
            if let Some(at) = deadline {
                self.ivr_timers.push(std::cmp::Reverse((at, id)));
            }
        }
    }

    fn ivr_action(&mut self, now: Instant, id: CallRef, action: Action) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.is_ending() {
            return;
        }
        let (tenant, interaction) = (call.tenant, call.interaction);
        match action {
            Action::Play {
                id: play,
                language,
                prompts,
                barge_in,
            } => {
                // Numbers and digits are said with the media crate's prompt words; spoken text
                // and dates have no player yet and are left out.
                let say_in = Language::from_code(&language).unwrap_or(Language::English);
                let names = prompts.iter().flat_map(|p| match p {
                    ivr::Prompt::Recorded(name) => vec![name.as_ref()],
                    ivr::Prompt::Number(n) => media::say::number(say_in, *n),
                    ivr::Prompt::Digits(d) => media::say::digits(say_in, d).unwrap_or_default(),
                    ivr::Prompt::Text(_) | ivr::Prompt::Date(_) => Vec::new(),
                });
                match self.sequence(&language, names, barge_in) {
                    Ok(sequence) => self.media_command(
                        id,
                        MediaCommand::Play {
                            id: PlayId(play.0),
                            sequence,
                        },
                    ),
                    Err(error) => {
                        // The flow was checked against the library, so this is a prompt
                        // removed since; the flow goes on as if it had played.
                        self.metrics.error("prompt_missing");
                        tracing::error!(interaction = %interaction, %error, "prompt missing");
                        if let Some(session) = self.calls.get_mut(&id).and_then(|c| c.ivr.as_mut())
                        {
                            session.handle_event(now, Event::PromptFinished(play));
                        }
                    }
                }
            }
            Action::StopPlayback { id: play } => {
                self.media_command(id, MediaCommand::StopPlay { id: PlayId(play.0) });
            }
            Action::Queue {
                queue,
                priority,
                skills,
                callback,
            } => {
                self.enqueue_with_skills(now, id, &queue, priority, required_skills(&skills));
                if callback {
                    self.offer_callback(id);
                }
            }
            Action::HttpRequest {
                id: request,
                method,
                url,
                body,
                timeout,
            } => self.ivr_http_request(
                now,
                id,
                super::ivr_http::HttpAsk {
                    request,
                    method,
                    url,
                    body,
                    timeout,
                },
            ),
            Action::Transfer { .. } | Action::Voicemail { .. } => {
                tracing::warn!(interaction = %interaction, action = %action, "ivr action not supported yet; hanging up");
                self.end_call(now, id, EndReason::IvrHangup, None);
            }
            Action::SurveyAnswer { survey, score } => {
                tracing::info!(interaction = %interaction, %survey, score, "survey answer");
                let event = NewEvent::survey(interaction, crate::log::now_ms(), &survey, score);
                self.log_event(tenant, event);
            }
            Action::Hangup => {
                // After an agent's conversation (an after-call survey) the call was the
                // agent's to end; the flow only saw the caller out.
                let reason = match call.agent {
                    Some(_) => EndReason::AgentHangup,
                    None => EndReason::IvrHangup,
                };
                self.end_call(now, id, reason, None);
            }
            Action::Log(event) => {
                let at = crate::log::now_ms();
                let event = match event {
                    FlowEvent::IvrEntered { flow } => {
                        let version = self.calls.get(&id).map_or(0, |c| c.flow_version);
                        Some(NewEvent::ivr_entered(interaction, at, &flow, version))
                    }
                    FlowEvent::Digit { digit } => Some(NewEvent::digit(interaction, at, digit)),
                    FlowEvent::Branch { node, branch } => {
                        Some(NewEvent::ivr_branch(interaction, at, &node, branch))
                    }
                    other => {
                        tracing::debug!(interaction = %interaction, event = %other, "ivr");
                        None
                    }
                };
                if let Some(event) = event {
                    self.log_event(tenant, event);
                }
            }
        }
    }

    /// A sequence of prompts from the library, in `language` (the flow's).
    pub(crate) fn sequence<'a>(
        &self,
        language: &str,
        names: impl IntoIterator<Item = &'a str>,
        barge_in: bool,
    ) -> Result<Sequence, PlaybackError> {
        let language = Language::from_code(language).unwrap_or(Language::English);
        Ok(Sequence::builder(&self.library, language)
            .barge_in(barge_in)
            .prompts(names)?
            .build())
    }

    /// Sends a command to a call's media task (a task that is gone or stuck is logged).
    pub(crate) fn media_command(&mut self, id: CallRef, command: MediaCommand) {
        let Some(media) = self.calls.get(&id).and_then(|c| c.media.as_ref()) else {
            return;
        };
        if let Err(error) = media.send(command) {
            self.metrics.error("media_command");
            tracing::warn!(%error, "media command not delivered");
        }
    }
}

/// The skills a queue node asks for, as the `acd` takes them: a skill named twice (the node's
/// and a language node's) needs the higher level.
fn required_skills(skills: &[ivr::Skill]) -> acd::Skills {
    let mut required = acd::Skills::new();
    for skill in skills {
        let level = required.entry(skill.name.to_string()).or_insert(0);
        *level = (*level).max(skill.level);
    }
    required
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(name: &str, level: u8) -> ivr::Skill {
        ivr::Skill {
            name: name.into(),
            level,
        }
    }

    #[test]
    fn a_skill_named_twice_requires_the_higher_level() {
        let required = required_skills(&[
            skill("language:fr", 1),
            skill("product:billing", 3),
            skill("language:fr", 5),
        ]);
        assert_eq!(required.len(), 2);
        assert_eq!(required.get("language:fr"), Some(&5));
        assert_eq!(required.get("product:billing"), Some(&3));
    }
}
