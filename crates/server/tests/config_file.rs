//! The configuration file as `plateau serve` reads it: the example at the repository root
//! documents every key with its default, a bad value stops the start with the key named, and a
//! good file starts a server that stops cleanly on SIGTERM.

mod http_support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;

use plateau::config::Config;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

fn example() -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "../../plateau.example.toml"]
        .iter()
        .collect();
    std::fs::read_to_string(path).expect("test setup")
}

/// Every dotted key of a TOML table.
fn keys(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
    for (key, value) in table {
        let dotted = format!("{prefix}{key}");
        match value {
            toml::Value::Table(inner) => keys(inner, &format!("{dotted}."), out),
            _ => {
                out.insert(dotted);
            }
        }
    }
}

#[test]
fn the_example_file_holds_the_defaults() {
    assert_eq!(Config::from_toml(&example()).unwrap(), Config::default());
}

#[test]
fn the_example_file_documents_every_key() {
    let mut documented = BTreeSet::new();
    keys(&example().parse().unwrap(), "", &mut documented);
    let mut all = BTreeSet::new();
    let defaults: toml::Table = toml::to_string(&Config::default())
        .unwrap()
        .parse()
        .unwrap();
    keys(&defaults, "", &mut all);
    assert_eq!(documented, all);
    // The optional keys, unset by default, are shown commented out.
    for optional in ["# database_url =", "# realm =", "# public_address ="] {
        assert!(example().contains(optional), "{optional}");
    }
}

#[test]
fn a_bad_value_stops_serve_with_its_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plateau.toml");
    std::fs::write(&file, "[sip]\nmin_expires = \"2h\"\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("sip.max_expires"), "{stderr}");
    assert!(stderr.contains("plateau.toml"), "{stderr}");
}

#[test]
fn a_misspelt_key_stops_serve_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plateau.toml");
    std::fs::write(&file, "[http]\nprot = 8080\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("prot"), "{stderr}");
}

#[tokio::test]
async fn serve_starts_from_a_file_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plateau.toml");
    let text = format!(
        "data_dir = {:?}\n[sip]\nbind = \"127.0.0.1\"\nudp_port = 0\ntcp_port = 0\n\
         [http]\nbind = \"127.0.0.1\"\nport = 0\n[prompts]\nsource = \"bundled\"\n\
         languages = [\"en\"]\n",
        dir.path().join("data")
    );
    std::fs::write(&file, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["serve", "--config"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = lines.next_line().await.unwrap().expect("a listening line");
    let http: std::net::SocketAddr = listening
        .split(' ')
        .find_map(|f| f.strip_prefix("http="))
        .expect("http address")
        .parse()
        .unwrap();
    assert_eq!(http_support::get(http, "/healthz", None).await.status, 200);

    let pid = child.id().unwrap().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap()
            .success()
    );
    assert_eq!(child.wait().await.unwrap().code(), Some(0));
}
