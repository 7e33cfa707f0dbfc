//! The switchboard: the control plane's one task. It owns the SIP transaction layer and
//! dialogs, the registrar and location service, every call's state, the `acd` engine and the
//! IVR sessions, so that everything about a call happens in one order (no 180 relayed after
//! a 200, no offer for a call that just hung up) and no engine sits behind a lock.
//!
//! ```text
//!            ┌──────────── select! ─────────────┐
//! transports ─▶ inbound SIP  ─┐                  │
//! media tasks ─▶ media events ─┤                  │   after every input: drain the
//! HTTP, stop ─▶ commands ─────┼─▶ Board ─────────┼─▶ transaction layer's events (dialogs
//! log writer ─▶ acks ─────────┤   (one task)     │   first), the dialogs' events, the acd's
//! one timer  ─▶ earliest of  ─┘                  │   outputs, the `ended` events to log,
//!               layer, dialogs, acd, IVRs, drain │   and send what is queued
//!            └───────────────────────────────────┘
//! ```
//!
//! It never awaits anything slow: sends are `try_send`; store writes go to the log writer,
//! whose acks (a registration or a call's `ended` event is durable) come back as inputs
//! through a `JoinSet`; the IVR's HTTP requests run in tasks of their own and come back the
//! same way ([`super::ivr_http`]); the store is read at start, then by the directory's refresh
//! task ([`super::reload`]), every minute and when the admin API asks. Inbound messages are
//! taken in batches (up to [`BATCH`] per wake-up), and registrations changed in one batch are
//! written as one log entry per tenant with one ack.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use acd::{Acd, AgentStateKind};
use media::music_on_hold::Playlist;
use media::prompt::PromptLibrary;
use sip::Response;
use sip::dialog::DialogKey;
use sip::transaction::{ClientKey, ServerKey};
use store::{InteractionId, NewRegistration, Store, TenantId, UserId};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::call::Call;
use super::directory::Directory;
use crate::config::Config;
use crate::control::{
    Command, ControlContext, ControlFailure, ControlPlane, ControlTask, DrainReport,
};
use crate::log::{LogRejected, LogWriter};
use crate::media::{CallRef, MediaConfig, MediaEventEnvelope, MediaService, RtpPorts};
use crate::metrics::{Metrics, RtpTotals};
use crate::sip::auth_guard::GuardConfig;
use crate::sip::endpoint::{self, SipEndpoint};
use crate::sip::inbound::Inbound;
use crate::sip::local_address::LocalAddresses;
use crate::sip::location::Location;
use crate::sip::random::RandomPool;
use crate::sip::registrar::{Registrar, RegistrarConfig};
use crate::sip::transport_tcp::{self, TcpLimits};
use crate::sip::transport_udp;

/// Inbound messages the transports may have waiting for the switchboard; past it, UDP
/// requests are answered 503 by the transport and TCP readers wait.
const INBOUND_QUEUE: usize = 8_192;

/// Inbound messages (and media events) handled per wake-up before the engines are drained.
pub(crate) const BATCH: usize = 64;

/// The file holding the digest nonce secret.
const NONCE_SECRET_FILE: &str = "sip-nonce.key";

/// The control plane that takes calls: see the module documentation. `plateau demo` and
/// `plateau serve` start it through [`crate::launch::launch`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Switchboard;

/// Which leg of a call a dialog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leg {
    /// The caller's.
    A,
    /// An agent's.
    B,
}

/// REGISTER responses waiting for their bindings to be durable.
pub(crate) type RegisterAnswers = Vec<(ServerKey, Response)>;

/// What a durability ack was for.
#[derive(Debug)]
pub(crate) enum AckPurpose {
    /// Bindings: send these REGISTER responses.
    Registered(RegisterAnswers),
    /// A call's `ended` event.
    Ended(CallRef),
}

/// An ack come back.
#[derive(Debug)]
pub(crate) struct AckDone {
    pub(crate) purpose: AckPurpose,
    pub(crate) result: Result<(), LogRejected>,
}

/// A drain in progress.
#[derive(Debug)]
pub(crate) struct Drain {
    /// When calls still up are cut.
    pub(crate) deadline: Instant,
    /// Whether they were.
    pub(crate) cut: bool,
    /// When to stop waiting for cut calls to leave.
    pub(crate) give_up: Option<Instant>,
    pub(crate) report: DrainReport,
    pub(crate) reply: Option<tokio::sync::oneshot::Sender<DrainReport>>,
}

/// The switchboard's state (see the module doc).
pub(crate) struct Board {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Store,
    pub(crate) log: LogWriter,
    pub(crate) metrics: Metrics,
    pub(crate) sip: SipEndpoint,
    pub(crate) registrar: Registrar,
    pub(crate) location: Location,
    pub(crate) directory: Directory,
    pub(crate) acd: Acd,
    pub(crate) media: MediaService,
    pub(crate) rtp: RtpPorts,
    pub(crate) library: Arc<PromptLibrary>,
    pub(crate) hold_music: Playlist,
    pub(crate) calls: HashMap<CallRef, Call>,
    pub(crate) by_dialog: HashMap<DialogKey, (CallRef, Leg)>,
    pub(crate) by_server: HashMap<ServerKey, CallRef>,
    pub(crate) by_client: HashMap<ClientKey, CallRef>,
    pub(crate) ivr_timers: BinaryHeap<Reverse<(Instant, CallRef)>>,
    pub(crate) to_log_ended: Vec<CallRef>,
    pub(crate) registrations: Vec<(TenantId, Vec<NewRegistration>, ServerKey, Response)>,
    pub(crate) acks: JoinSet<AckDone>,
    pub(crate) random: RandomPool,
    pub(crate) next_call: u64,
    pub(crate) agents_by_state: HashMap<AgentStateKind, i64>,
    /// The call each agent last had (shown while in wrap-up).
    pub(crate) last_interaction: HashMap<UserId, InteractionId>,
    pub(crate) drain: Option<Drain>,
    /// Offers that could not be sent, and when to report them failed.
    pub(crate) deferred_failures: Vec<(Instant, acd::ContactId, acd::AgentId)>,
    /// Offers made by transfers (outside the `acd`, which has their ring timeouts), and when
    /// to give up on them.
    pub(crate) transfer_rings: Vec<(Instant, CallRef, ClientKey)>,
    /// Agents consulting agents about calls (see [`super::consult`]).
    pub(crate) consults: super::consult::Consults,
    /// Supervisors on calls (see [`super::monitor`]).
    pub(crate) monitors: super::monitor::Monitors,
    /// Asks to read the directory again now (the admin API's changes).
    pub(crate) reloads: super::reload::ReloadAsks,
    /// The IVR's HTTP requests in flight.
    pub(crate) ivr_http: super::ivr_http::IvrHttp,
    /// Calls placed through the trunk, ringing (see [`super::outbound`]).
    pub(crate) outbound: super::outbound::OutboundLegs,
    pub(crate) stop: CancellationToken,
    ticks: u64,
}

impl std::fmt::Debug for Board {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Board")
            .field("calls", &self.calls.len())
            .field("bindings", &self.location.len())
            .finish_non_exhaustive()
    }
}

impl ControlPlane for Switchboard {
    async fn start(self, ctx: ControlContext) -> Result<ControlTask, ControlFailure> {
        let ControlContext {
            config,
            store,
            log,
            metrics,
            sip_udp,
            sip_tcp,
            commands,
            stop,
        } = ctx;

        let data_dir = config.data_dir.clone();
        let languages = config.prompts.languages();
        let (library, hold_music) = tokio::task::spawn_blocking(move || {
            let library = crate::media::prompts::load_library(&data_dir, &languages)?;
            let music = crate::media::prompts::load_hold_music(&data_dir)?;
            Ok::<_, crate::media::prompts::PromptsError>((library, music))
        })
        .await??;

        let library = Arc::new(library);
        let directory = Directory::load(&store, &library, &config.sip.domain).await?;
        let now_ms = crate::log::now_ms();
        let mut location = Location::new();
        let mut bindings = 0;
        for tenant in directory.tenants.values() {
            let rows = tenant.store.live_registrations(now_ms).await?;
            bindings += rows.len();
            location.load(&rows);
        }
        let secret = nonce_secret(&config.data_dir).await?;

        let rtp = RtpPorts::new(config.rtp.ip, config.rtp.ports())?;
        let media_config = MediaConfig {
            default_hold_music: Some(hold_music.clone()),
            ..MediaConfig::default()
        };
        let (media, media_events) =
            MediaService::new(media_config, tokio::runtime::Handle::current());
        let totals = media.clone();
        metrics.set_rtp_source(move || {
            let t = totals.totals();
            RtpTotals {
                packets_in: t.packets_in,
                packets_out: t.packets_out,
            }
        });

        let mut random = RandomPool::new();
        let mut acd_config = directory.acd_config(random.u64()?);
        for queue in &mut acd_config.queues {
            super::callback::apply_policy(&config, queue);
        }
        let mut acd = Acd::new(acd_config)?;
        acd.handle_input(
            Instant::now(),
            acd::Input::SetNotReadyReasons {
                reasons: config.agents.acd_reasons(),
            },
        )?;
        let policy = Arc::new(endpoint::policy(random.u64()?));
        transport_udp::tune(&sip_udp);
        let udp = Arc::new(sip_udp);
        let tcp_local = sip_tcp.local_addr()?;
        let (inbound, inbound_rx) = mpsc::channel(INBOUND_QUEUE);
        transport_udp::spawn(
            Arc::clone(&udp),
            inbound.clone(),
            metrics.clone(),
            stop.clone(),
        );
        transport_tcp::spawn(
            sip_tcp,
            inbound,
            TcpLimits {
                max_message: config.sip.max_message_size,
                per_source: config.limits.tcp_connections_per_source,
            },
            Arc::clone(&policy),
            metrics.clone(),
            stop.clone(),
        );
        let local = LocalAddresses::new(config.sip.public_address.as_deref(), config.sip.bind);
        let sip = SipEndpoint::new(
            udp,
            tcp_local,
            policy,
            local,
            random.u64()?,
            metrics.clone(),
        )?;
        let secs = |d: Duration| u32::try_from(d.as_secs()).unwrap_or(u32::MAX);
        let registrar = Registrar::new(
            RegistrarConfig {
                realm: config.sip.realm().to_owned(),
                domain: config.sip.domain.clone(),
                min_expires: secs(config.sip.min_expires),
                max_expires: secs(config.sip.max_expires),
                default_expires: secs(config.sip.default_expires),
                guard: GuardConfig {
                    threshold: config.limits.auth_failures_before_throttle,
                    window: config.limits.auth_failure_window,
                    cooldown: config.limits.throttle_cooldown,
                },
            },
            &secret,
            metrics.clone(),
        );
        let mut agents_by_state = HashMap::new();
        agents_by_state.insert(AgentStateKind::LoggedOut, directory.agents.len() as i64);
        for kind in AgentStateKind::ALL {
            metrics.set_agents(kind, agents_by_state.get(&kind).copied().unwrap_or(0));
        }
        tracing::info!(
            tenants = directory.tenants.len(),
            agents = directory.agents.len(),
            queues = directory.queues.len(),
            bindings,
            "switchboard ready"
        );
        let (reloads, refreshes) = super::reload::spawn_refresh(
            store.clone(),
            Arc::clone(&library),
            config.sip.domain.clone(),
            stop.clone(),
        );
        let board = Board {
            config,
            store,
            log,
            metrics,
            sip,
            registrar,
            location,
            directory,
            acd,
            media,
            rtp,
            library,
            hold_music,
            calls: HashMap::new(),
            by_dialog: HashMap::new(),
            by_server: HashMap::new(),
            by_client: HashMap::new(),
            ivr_timers: BinaryHeap::new(),
            to_log_ended: Vec::new(),
            registrations: Vec::new(),
            acks: JoinSet::new(),
            random,
            next_call: 0,
            agents_by_state,
            last_interaction: HashMap::new(),
            drain: None,
            deferred_failures: Vec::new(),
            transfer_rings: Vec::new(),
            consults: super::consult::Consults::default(),
            monitors: super::monitor::Monitors::default(),
            reloads,
            ivr_http: super::ivr_http::IvrHttp::new(),
            outbound: super::outbound::OutboundLegs::default(),
            stop,
            ticks: 0,
        };
        Ok(tokio::spawn(board.run(
            inbound_rx,
            media_events,
            commands,
            refreshes,
        )))
    }
}

/// The digest nonce secret: read from the data directory, or made and written there (owner
/// only) at the first start, so nonces issued before a restart stay valid after it.
async fn nonce_secret(data_dir: &std::path::Path) -> Result<Vec<u8>, ControlFailure> {
    let path = data_dir.join(NONCE_SECRET_FILE);
    match tokio::fs::read(&path).await {
        Ok(secret) if secret.len() >= 32 => return Ok(secret),
        Ok(_) => tracing::warn!("{NONCE_SECRET_FILE} too short; making a new one"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Box::new(e)),
    }
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret)?;
    let written = secret.clone();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(&written)
    })
    .await??;
    Ok(secret)
}

impl Board {
    async fn run(
        mut self,
        mut inbound: mpsc::Receiver<Inbound>,
        mut media_events: mpsc::UnboundedReceiver<MediaEventEnvelope>,
        mut commands: mpsc::Receiver<Command>,
        mut refreshes: mpsc::Receiver<super::reload::Refreshed>,
    ) -> Result<(), ControlFailure> {
        // "Never", for the timer when no engine has a deadline (a year, far past any run).
        let far = tokio::time::Instant::now() + Duration::from_secs(365 * 86_400);
        let timer = tokio::time::sleep_until(far);
        tokio::pin!(timer);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut batch: Vec<Inbound> = Vec::with_capacity(BATCH);
        loop {
            let wake = self
                .next_deadline()
                .map_or(far, tokio::time::Instant::from_std);
            if timer.deadline() != wake {
                timer.as_mut().reset(wake);
            }
            // Polled in this order, so that under a flood of SIP the timers (retransmissions),
            // the acks (200s held for durability) and the media events still get their turn:
            // inbound SIP comes last, and a batch at a time.
            tokio::select! {
                biased;
                () = self.stop.cancelled() => return Ok(()),
                () = &mut timer => {
                    let now = Instant::now();
                    self.on_timer(now);
                    self.pump(now);
                }
                Some(done) = self.acks.join_next(), if !self.acks.is_empty() => {
                    let now = Instant::now();
                    if let Ok(done) = done {
                        self.on_ack(now, done);
                    }
                    self.pump(now);
                }
                Some(event) = media_events.recv() => {
                    let now = Instant::now();
                    self.on_media(now, event);
                    self.pump(now);
                }
                command = commands.recv() => match command {
                    Some(command) => {
                        let now = Instant::now();
                        self.on_command(now, command);
                        self.pump(now);
                    }
                    None => return Ok(()),
                },
                Some(fresh) = refreshes.recv() => {
                    let now = Instant::now();
                    self.refreshed(now, fresh);
                }
                Some(done) = self.ivr_http.join_next(), if !self.ivr_http.is_empty() => {
                    let now = Instant::now();
                    self.ivr_http_done(now, done);
                    self.pump(now);
                }
                _ = tick.tick() => {
                    let now = Instant::now();
                    self.housekeeping(now);
                    self.pump(now);
                }
                received = inbound.recv_many(&mut batch, BATCH) => {
                    if received == 0 {
                        return Ok(());
                    }
                    let now = Instant::now();
                    for message in batch.drain(..) {
                        self.on_inbound(now, message);
                        self.pump(now);
                    }
                    self.flush_registrations();
                }
            }
            if self.drain_finished(Instant::now()) {
                return Ok(());
            }
        }
    }

    fn on_inbound(&mut self, now: Instant, message: Inbound) {
        match message {
            Inbound::Message { bytes, peer } => self.sip.receive(now, bytes, peer),
            Inbound::Connected {
                connection,
                peer,
                writer,
            } => {
                tracing::debug!(%peer, connection = connection.0, "SIP TCP connection opened");
                self.sip.connected(connection, writer);
            }
            Inbound::Closed { connection, peer } => {
                self.sip.closed(now, connection, peer);
                self.location.connection_closed(connection);
            }
        }
    }

    /// Drains every engine until nothing more happens, then sends what is queued.
    pub(crate) fn pump(&mut self, now: Instant) {
        loop {
            let mut busy = false;
            while let Some(event) = self.sip.layer.poll_event() {
                busy = true;
                let update = self
                    .sip
                    .dialogs
                    .handle_tx_event(now, &mut self.sip.layer, &event);
                self.on_tx_event(now, event, update);
            }
            while let Some(event) = self.sip.dialogs.poll_event() {
                busy = true;
                self.on_dialog_event(now, event);
            }
            while let Some(output) = self.acd.poll_output() {
                busy = true;
                self.on_acd(now, output);
            }
            if !self.to_log_ended.is_empty() {
                busy = true;
                self.log_endings();
            }
            self.sip.flush();
            for peer in self.sip.take_unreachable() {
                busy = true;
                self.sip.layer.handle_transport_error(now, &peer);
            }
            if !busy {
                break;
            }
        }
    }

    /// The earliest deadline of every engine.
    fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((_, call))) = self.ivr_timers.peek() {
            let armed = self.calls.get(call).and_then(|c| c.ivr_armed);
            match armed {
                Some(_) => break,
                None => {
                    self.ivr_timers.pop();
                }
            }
        }
        let ivr = self.ivr_timers.peek().map(|Reverse((at, _))| *at);
        let drain = self
            .drain
            .as_ref()
            .and_then(|d| if d.cut { d.give_up } else { Some(d.deadline) });
        let deferred = self.deferred_failures.iter().map(|(at, _, _)| *at).min();
        let transfer = self.transfer_rings.iter().map(|(at, _, _)| *at).min();
        [
            self.sip.poll_timeout(),
            self.acd.poll_timeout(),
            ivr,
            drain,
            deferred,
            transfer,
            self.outbound.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn on_timer(&mut self, now: Instant) {
        self.sip.handle_timeout(now);
        self.acd.handle_timeout(now);
        while let Some(Reverse((at, call))) = self.ivr_timers.peek().copied() {
            if at > now {
                break;
            }
            self.ivr_timers.pop();
            self.ivr_timeout(now, call);
        }
        self.deferred_failures_due(now);
        self.transfer_rings_due(now);
        self.outbound_timeouts_due(now);
        self.drain_deadline(now);
    }

    /// Once a second: gauges, and now and then the sweeps.
    fn housekeeping(&mut self, now: Instant) {
        self.ticks += 1;
        self.metrics.set_calls_active(self.calls.len() as i64);
        let queued = self
            .calls
            .values()
            .filter(|c| {
                matches!(
                    c.phase,
                    crate::control::CallPhase::Queued | crate::control::CallPhase::Ringing
                )
            })
            .count();
        self.metrics.set_calls_queued(queued as i64);
        if self.ticks.is_multiple_of(60) {
            let now_ms = crate::log::now_ms();
            self.location.sweep(now_ms);
            self.registrar.sweep(now);
        }
        if self.ticks.is_multiple_of(600) {
            let store = self.store.clone();
            let now_ms = crate::log::now_ms();
            tokio::spawn(async move {
                match store.purge_expired_registrations(now_ms).await {
                    Ok(0) => {}
                    Ok(purged) => tracing::debug!(purged, "expired registrations purged"),
                    Err(error) => tracing::warn!(%error, "purging expired registrations failed"),
                }
            });
        }
    }

    /// Takes the directory read again from the store.
    pub(crate) fn refresh(&mut self, now: Instant, mut fresh: Directory) {
        for mut input in self.directory.acd_changes(&fresh) {
            if let acd::Input::AddQueue(queue) | acd::Input::UpdateQueue(queue) = &mut input {
                super::callback::apply_policy(&self.config, queue);
            }
            if let Err(error) = self.acd.handle_input(now, input) {
                tracing::warn!(%error, "the acd refused a configuration change");
            }
        }
        self.apply_skill_changes(now, &mut fresh);
        let added = fresh
            .agents
            .keys()
            .filter(|a| !self.directory.agents.contains_key(a))
            .count() as i64;
        if added > 0 {
            let logged_out = self
                .agents_by_state
                .entry(AgentStateKind::LoggedOut)
                .or_insert(0);
            *logged_out += added;
            self.metrics
                .set_agents(AgentStateKind::LoggedOut, *logged_out);
        }
        self.directory = fresh;
    }

    /// Gives the engine the agents' changed skills, for those logged out (the engine changes
    /// them only by removing and adding the agent). A logged-in agent keeps the skills the
    /// engine has, in `fresh` too, so the change is seen again at the next refresh.
    fn apply_skill_changes(&mut self, now: Instant, fresh: &mut Directory) {
        for config in self.directory.skill_changes(fresh) {
            let agent = config.id;
            let logged_out = self
                .acd
                .agent_state(agent)
                .is_ok_and(|s| s.kind() == AgentStateKind::LoggedOut);
            let applied = logged_out
                && self
                    .acd
                    .handle_input(now, acd::Input::RemoveAgent { agent })
                    .is_ok();
            if applied {
                if let Err(error) = self.acd.handle_input(now, acd::Input::AddAgent(config)) {
                    tracing::error!(agent = agent.0, %error, "the acd refused an agent's new skills");
                }
                continue;
            }
            let user = super::directory::user_id(agent);
            if let (Some(old), Some(new)) = (
                self.directory.agents.get(&user),
                fresh.agents.get_mut(&user),
            ) {
                new.skills = old.skills.clone();
            }
        }
    }

    /// Writes the bindings changed in the last batch: one entry and one ack per tenant.
    fn flush_registrations(&mut self) {
        if self.registrations.is_empty() {
            return;
        }
        let mut by_tenant: Vec<(TenantId, Vec<NewRegistration>, RegisterAnswers)> = Vec::new();
        for (tenant, rows, key, response) in self.registrations.drain(..) {
            match by_tenant.iter_mut().find(|(t, _, _)| *t == tenant) {
                Some((_, all, answers)) => {
                    all.extend(rows);
                    answers.push((key, response));
                }
                None => by_tenant.push((tenant, rows, vec![(key, response)])),
            }
        }
        for (tenant, bindings, answers) in by_tenant {
            let entry = crate::log::LogEntry::Registrations { tenant, bindings };
            self.log_durably(entry, AckPurpose::Registered(answers));
        }
    }

    /// Queues `entry` with an ack that comes back as `purpose`. A full queue is waited for
    /// in a task of its own (the loop never waits).
    pub(crate) fn log_durably(&mut self, entry: crate::log::LogEntry, purpose: AckPurpose) {
        match self.log.try_log_acked(entry) {
            Ok(ack) => {
                self.acks.spawn(async move {
                    AckDone {
                        purpose,
                        result: ack.await,
                    }
                });
            }
            Err(crate::log::LogSendError::Full(entry)) => {
                self.metrics.error("log_full");
                let log = self.log.clone();
                self.acks.spawn(async move {
                    let result = match log.log_acked(entry).await {
                        Ok(ack) => ack.await,
                        Err(_) => Err(LogRejected::WriterStopped),
                    };
                    AckDone { purpose, result }
                });
            }
            Err(crate::log::LogSendError::Closed(_)) => {
                self.acks.spawn(async move {
                    AckDone {
                        purpose,
                        result: Err(LogRejected::WriterStopped),
                    }
                });
            }
        }
    }

    fn on_ack(&mut self, now: Instant, done: AckDone) {
        match done.purpose {
            AckPurpose::Registered(answers) => {
                if let Err(error) = &done.result {
                    tracing::error!(%error, "bindings not persisted; answering 500");
                }
                for (key, response) in answers {
                    let response = match &done.result {
                        Ok(()) => response,
                        Err(_) => {
                            let mut failed = response;
                            failed.status = sip::StatusCode::SERVER_INTERNAL_ERROR;
                            failed.reason = "Server Internal Error".to_owned();
                            failed.headers.remove(&sip::HeaderName::Contact);
                            failed
                        }
                    };
                    let _ = self.sip.layer.send_response(now, key, response);
                }
            }
            AckPurpose::Ended(call) => {
                if let Err(error) = &done.result {
                    tracing::error!(%error, "a call's end could not be logged");
                }
                self.ended_durable(now, call);
            }
        }
    }

    /// A wall-clock time since the UNIX epoch.
    pub(crate) fn wall(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }

    /// The next call key.
    pub(crate) fn new_call_ref(&mut self) -> CallRef {
        self.next_call += 1;
        CallRef(self.next_call)
    }

    /// A random session id (SDP `o=`).
    pub(crate) fn session_id(&mut self) -> u64 {
        // The pool failing means the OS generator fails; any value works for an SDP id.
        self.random.u64().unwrap_or(self.next_call) >> 1
    }
}
