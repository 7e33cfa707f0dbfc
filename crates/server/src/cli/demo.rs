//! `plateau demo`: the whole server on an embedded database in a data directory, with a demo
//! tenant (five agents on 1001–1005, queues `sales` and `support`, the number +33100000000
//! routed to the voice menu in `assets/flows/demo.yaml`; a supervisor, `sophie`, on 1901, who
//! takes no queued calls but may listen to, whisper into, barge into and take over calls),
//! and a banner saying how to use it.
//!
//! Passwords: chosen at the first start and kept in `<data-dir>/demo-passwords` (readable by
//! the owner only), so a softphone set up once keeps working after a restart; the store keeps
//! only their hashes and is given them again at each start. The API token is new at each start
//! (the store keeps only its hash).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use plateau::config::{Config, PromptSource, TrunkConfig};
use plateau::control::RequestedState;
use plateau::launch::{LaunchError, Running};
use store::demo::{AgentSecret, DEMO_AGENTS, DEMO_NUMBER, DEMO_QUEUES, DemoAgent};
use store::{DemoSeed, DemoSeeded, NewUser, PasswordHash, Role, SipHa1, Store};

use super::serve;

/// The demo's voice menu.
const DEMO_FLOW: &str = include_str!("../../assets/flows/demo.yaml");

/// The demo supervisor: a phone, no queues (so the `acd` never offers her calls).
const SUPERVISOR: DemoAgent = DemoAgent {
    username: "sophie",
    display_name: "Sophie Roux",
    extension: "1901",
};

/// The file keeping the demo's passwords between starts.
const PASSWORDS_FILE: &str = "demo-passwords";

/// Arguments of `plateau demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the database, recordings and prompts go.
    #[arg(long, default_value = "plateau-data")]
    data_dir: PathBuf,
    /// SIP port, UDP and TCP (0: any free port).
    #[arg(long, default_value_t = 5060)]
    sip_port: u16,
    /// HTTP port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    http_port: u16,
    /// Address to listen on (SIP, RTP and HTTP).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::UNSPECIFIED))]
    bind: IpAddr,
    /// RTP port range, `FIRST-LAST`.
    #[arg(long, default_value = "20000-29999", value_parser = parse_range)]
    rtp_ports: (u16, u16),
    /// How missing prompts are made: espeak-ng when installed (auto), espeak-ng only, or the
    /// recordings bundled in the binary.
    #[arg(long, value_enum, default_value_t = Prompts::Auto)]
    prompts: Prompts,
    /// A SIP trunk for outbound calls (callbacks, transfers to numbers): `IP:PORT` over UDP.
    /// Without it, callbacks are not offered.
    #[arg(long)]
    trunk: Option<SocketAddr>,
    /// With `--trunk`: seconds between two attempts of a callback that was not answered.
    #[arg(long, default_value_t = 120)]
    callback_retry_secs: u64,
    /// With `--trunk`: the digest username answered to the trunk's 401/407.
    #[arg(long, requires = "trunk_password")]
    trunk_user: Option<String>,
    /// With `--trunk-user`: its password.
    #[arg(long, requires = "trunk_user")]
    trunk_password: Option<String>,
    /// The floor's service-level threshold T in seconds, for every queue.
    #[arg(long, default_value_t = 20)]
    service_level_secs: u32,
}

/// `--prompts`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Prompts {
    Auto,
    Espeak,
    Bundled,
}

fn parse_range(text: &str) -> Result<(u16, u16), String> {
    let (first, last) = text
        .split_once('-')
        .ok_or_else(|| "expected FIRST-LAST, such as 20000-29999".to_owned())?;
    let port = |p: &str| p.trim().parse::<u16>().map_err(|e| format!("{p:?}: {e}"));
    Ok((port(first)?, port(last)?))
}

/// The configuration of the demo.
fn demo_config(args: &Args, data_dir: PathBuf) -> Config {
    let mut config = Config {
        data_dir,
        ..Config::default()
    };
    config.sip.bind = args.bind;
    config.sip.udp_port = args.sip_port;
    config.sip.tcp_port = args.sip_port;
    config.rtp.ip = args.bind;
    (config.rtp.port_min, config.rtp.port_max) = args.rtp_ports;
    config.http.bind = args.bind;
    config.http.port = args.http_port;
    config.floor.service_level_secs = args.service_level_secs;
    config.prompts.source = match args.prompts {
        Prompts::Auto => PromptSource::Auto,
        Prompts::Espeak => PromptSource::Espeak,
        Prompts::Bundled => PromptSource::Bundled,
    };
    config.trunk = args.trunk.map(|proxy| TrunkConfig {
        proxy: proxy.to_string(),
        from_number: DEMO_CALLER_ID.to_owned(),
        callback_retry_delay: std::time::Duration::from_secs(args.callback_retry_secs),
        username: args.trunk_user.clone(),
        password: args.trunk_password.clone(),
        ..TrunkConfig::default()
    });
    config
}

/// The number the demo's outbound calls show: the demo number.
const DEMO_CALLER_ID: &str = DEMO_NUMBER;

/// Runs the demo until SIGTERM or Ctrl-C.
pub fn run(args: &Args) -> ExitCode {
    super::runtime(async move {
        match start(args).await {
            Ok(running) => serve::finish(running).await,
            Err(error) => serve::fail(&error),
        }
    })
}

async fn start(args: &Args) -> Result<Running, LaunchError> {
    let io_error = |what: String| move |source| LaunchError::Io { what, source };
    tokio::fs::create_dir_all(&args.data_dir)
        .await
        .map_err(io_error(format!("creating {}", args.data_dir.display())))?;
    let data_dir = tokio::fs::canonicalize(&args.data_dir)
        .await
        .map_err(io_error(format!("reading {}", args.data_dir.display())))?;
    let config = demo_config(args, data_dir);
    config.validate()?;
    check_flow().map_err(|why| LaunchError::Flow(format!("the demo flow: {why}")))?;

    let passwords = load_or_create_passwords(&config.data_dir)
        .map_err(io_error(format!("the {PASSWORDS_FILE} file")))?;
    let store = Store::open(&config.database_url()).await?;
    let seeded = seed(&store, &config, &passwords).await;
    let supervisor = match &seeded {
        Ok(seeded) => Some(seed_supervisor(&store, &config, seeded, &passwords.supervisor).await),
        Err(_) => None,
    };
    store.close().await;
    let seeded = seeded?;
    let supervisor_token = supervisor.transpose()?.unwrap_or_default();

    let running = serve::start(config).await?;
    make_agents_ready(&running, &seeded).await;
    let banner = banner(
        running.addresses(),
        running.config(),
        (&seeded, &supervisor_token),
        &passwords,
    );
    let _ = io::stdout().lock().write_all(banner.as_bytes());
    Ok(running)
}

/// The demo flow must load against the prompts Plateau has and the demo queues.
fn check_flow() -> Result<(), ivr::FlowErrors> {
    let language = media::prompt::Language::English;
    let known = ivr::KnownNames::new()
        .with_prompts(
            language.code(),
            plateau::media::prompts::catalogue(language).map(|p| p.name),
        )
        .with_queues(DEMO_QUEUES);
    ivr::Flow::load(DEMO_FLOW, &known).map(|_| ())
}

/// The passwords of the five agents (extension order), of the admin and of the supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Passwords {
    agents: Vec<String>,
    admin: String,
    /// Empty when read from a file written before the demo had a supervisor.
    supervisor: String,
}

/// Reads `<data_dir>/demo-passwords`, or makes and writes new passwords.
fn load_or_create_passwords(data_dir: &Path) -> io::Result<Passwords> {
    let path = data_dir.join(PASSWORDS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            if let Some(mut passwords) = parse_passwords(&text) {
                if passwords.supervisor.is_empty() {
                    passwords.supervisor = new_password()?;
                    write_private(&path, &format_passwords(&passwords))?;
                }
                return Ok(passwords);
            }
            tracing::warn!("{PASSWORDS_FILE} unreadable; choosing new passwords");
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let passwords = Passwords {
        agents: (0..DEMO_AGENTS.len())
            .map(|_| new_password())
            .collect::<io::Result<_>>()?,
        admin: new_password()?,
        supervisor: new_password()?,
    };
    write_private(&path, &format_passwords(&passwords))?;
    Ok(passwords)
}

fn format_passwords(passwords: &Passwords) -> String {
    let mut text = String::from("# plateau demo passwords (extension or user, password)\n");
    for (agent, password) in DEMO_AGENTS.iter().zip(&passwords.agents) {
        let _ = writeln!(text, "{} {password}", agent.extension);
    }
    let _ = writeln!(text, "{} {}", store::demo::DEMO_ADMIN, passwords.admin);
    let _ = writeln!(text, "{} {}", SUPERVISOR.extension, passwords.supervisor);
    text
}

fn parse_passwords(text: &str) -> Option<Passwords> {
    let lines: Vec<(&str, &str)> = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split_once(' '))
        .collect::<Option<_>>()?;
    let find = |who: &str| {
        lines
            .iter()
            .find(|(name, _)| *name == who)
            .map(|(_, password)| password.trim().to_owned())
            .filter(|password| !password.is_empty())
    };
    Some(Passwords {
        agents: DEMO_AGENTS
            .iter()
            .map(|agent| find(agent.extension))
            .collect::<Option<_>>()?,
        admin: find(store::demo::DEMO_ADMIN)?,
        supervisor: find(SUPERVISOR.extension).unwrap_or_default(),
    })
}

fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Ten characters from 32 that cannot be mistaken for each other (no 0/o, 1/l); 50 bits.
fn new_password() -> io::Result<String> {
    const ALPHABET: &[u8; 32] = b"23456789abcdefghijkmnpqrstuvwxyz";
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect())
}

async fn seed(
    store: &Store,
    config: &Config,
    passwords: &Passwords,
) -> Result<DemoSeeded, LaunchError> {
    let realm = config.sip.realm();
    let agents = DEMO_AGENTS
        .iter()
        .zip(&passwords.agents)
        .map(|(agent, password)| agent_secret(agent, realm, password))
        .collect::<Result<Vec<_>, _>>()?;
    let seeded = store::seed_demo(
        store,
        &DemoSeed {
            agents,
            admin_password: passwords.admin.clone(),
            flow_yaml: DEMO_FLOW,
            now_ms: plateau::log::now_ms(),
        },
    )
    .await?;
    let verb = if seeded.created { "created" } else { "reused" };
    tracing::info!(tenant = seeded.tenant.id.0, "demo tenant {verb}");
    Ok(seeded)
}

fn agent_secret(
    agent: &DemoAgent,
    realm: &str,
    password: &str,
) -> Result<AgentSecret, store::Error> {
    use sip::auth::{Algorithm, ha1};
    let md5 = ha1(Algorithm::Md5, agent.extension, realm, password);
    let sha256 = ha1(Algorithm::Sha256, agent.extension, realm, password);
    Ok(AgentSecret {
        password: password.to_owned(),
        sip: SipHa1::new(md5.as_hex(), sha256.as_hex())?,
    })
}

/// Creates or refreshes the demo supervisor (role supervisor, extension and SIP secret, in
/// no queue), sets her password and rotates her `demo` API token; returns the token.
async fn seed_supervisor(
    store: &Store,
    config: &Config,
    seeded: &DemoSeeded,
    password: &str,
) -> Result<String, LaunchError> {
    let demo = store.tenant(seeded.tenant.id).await?;
    let now = plateau::log::now_ms();
    let user = match demo.user_by_username(SUPERVISOR.username).await? {
        Some(user) => user,
        None => {
            let new = NewUser {
                username: SUPERVISOR.username.to_owned(),
                display_name: SUPERVISOR.display_name.to_owned(),
                role: Role::Supervisor,
                password: None,
                extension: Some(SUPERVISOR.extension.to_owned()),
                sip: None,
                enabled: true,
            };
            demo.create_user(&new, now).await?
        }
    };
    let secret = agent_secret(&SUPERVISOR, config.sip.realm(), password)?;
    let owned = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || PasswordHash::hash(&owned))
        .await
        .map_err(|e| LaunchError::Control(format!("hashing the supervisor's password: {e}")))??;
    demo.set_password(user.id, Some(&hash)).await?;
    demo.set_sip_secret(user.id, Some(&secret.sip)).await?;
    let (_, token) = demo
        .rotate_api_token(user.id, store::demo::DEMO_TOKEN, now)
        .await?;
    Ok(token.expose().to_owned())
}

/// The demo's agents start logged in and ready, so calls route at once.
async fn make_agents_ready(running: &Running, seeded: &DemoSeeded) {
    let tenant = seeded.tenant.id;
    let mut failed = None;
    for agent in &seeded.agents {
        let result = running
            .control()
            .set_agent_state(tenant, agent.id, RequestedState::Ready, None)
            .await;
        match result {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => failed = Some(error.to_string()),
            Err(error) => {
                failed = Some(error.to_string());
                break;
            }
        }
    }
    if let Some(why) = failed {
        tracing::warn!(%why, "could not make the demo agents ready");
    }
}

/// What a person reads to use the demo.
fn banner(
    addresses: plateau::launch::BoundAddresses,
    config: &Config,
    (seeded, supervisor_token): (&DemoSeeded, &str),
    passwords: &Passwords,
) -> String {
    let sip = reachable(addresses.sip_udp);
    let http = reachable(addresses.http);
    let domain = &config.sip.domain;
    let mut text = String::new();
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "Plateau demo is running (data in {}).",
        config.data_dir.display()
    );
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "  SIP       {sip} over UDP and TCP (TCP on port {}), domain {domain}",
        addresses.sip_tcp.port()
    );
    let _ = writeln!(
        text,
        "  Call      {DEMO_NUMBER}  (sip:{DEMO_NUMBER}@{sip}), then press 1 for sales or 2 for support"
    );
    let _ = writeln!(text, "  Agents    extension  name           password");
    for (agent, password) in DEMO_AGENTS.iter().zip(&passwords.agents) {
        let _ = writeln!(
            text,
            "            {:<10} {:<14} {password}",
            agent.extension, agent.display_name
        );
    }
    let _ = writeln!(
        text,
        "  Supervisor {:<9} {:<14} {}",
        SUPERVISOR.extension, SUPERVISOR.display_name, passwords.supervisor
    );
    let _ = writeln!(
        text,
        "  Supervisor token {supervisor_token}  ({}: listen, whisper, barge, take over)",
        SUPERVISOR.username
    );
    let _ = writeln!(text, "  API       http://{http}/api/v1");
    let _ = writeln!(
        text,
        "  Token     {}  (admin; new at each start)",
        seeded.admin_token.expose()
    );
    let _ = writeln!(
        text,
        "            curl -H 'Authorization: Bearer {}' http://{http}/api/v1/agents",
        seeded.admin_token.expose()
    );
    let _ = writeln!(
        text,
        "  Web login {} / {}",
        store::demo::DEMO_ADMIN,
        passwords.admin
    );
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "  Softphone (baresip, Zoiper, Linphone...): account = an extension above, password as"
    );
    let _ = writeln!(
        text,
        "  shown, domain/registrar/proxy = {sip}, transport UDP or TCP. From another machine,"
    );
    let _ = writeln!(
        text,
        "  use this machine's LAN address instead of {}.",
        sip.ip()
    );
    let _ = writeln!(
        text,
        "  baresip: /uanew <sip:1001@{sip}>;auth_pass=<password>"
    );
    let _ = writeln!(text);
    let _ = writeln!(text, "Press Ctrl-C to stop.");
    text
}

/// The address to show: a wildcard bind is reached on the loopback address.
fn reachable(bound: SocketAddr) -> SocketAddr {
    match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bound.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), bound.port())
        }
        _ => bound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_flow_loads_against_the_standard_prompts_and_demo_queues() {
        check_flow().unwrap();
    }

    #[test]
    fn passwords_round_trip_through_their_file() {
        let passwords = Passwords {
            agents: (0..5).map(|i| format!("pw{i}")).collect(),
            admin: "adminpw".to_owned(),
            supervisor: "suppw".to_owned(),
        };
        assert_eq!(
            parse_passwords(&format_passwords(&passwords)),
            Some(passwords)
        );
    }

    #[test]
    fn a_passwords_file_missing_an_agent_is_not_used() {
        assert_eq!(parse_passwords("1001 a\nadmin b\n"), None);
    }

    #[test]
    fn a_passwords_file_from_before_the_supervisor_keeps_the_agents_passwords() {
        let text = "1001 a\n1002 b\n1003 c\n1004 d\n1005 e\nadmin f\n";
        let passwords = parse_passwords(text).expect("still readable");
        assert_eq!(passwords.agents[0], "a");
        assert_eq!(passwords.supervisor, "");
    }

    #[test]
    fn new_passwords_are_ten_unambiguous_characters() {
        let password = new_password().unwrap();
        assert_eq!(password.len(), 10);
        assert!(!password.contains(['0', '1', 'l', 'o']));
        assert_ne!(password, new_password().unwrap());
    }

    #[test]
    fn rtp_ranges_are_read_as_first_dash_last() {
        assert_eq!(parse_range("20000-20100"), Ok((20_000, 20_100)));
        assert!(parse_range("20000").is_err());
    }
}
