//! Bench: the time from a `didChange` to its `publishDiagnostics`, p50 and p99, through the real
//! message loop (in-memory connection), in a 50-file and a 1,000-file project. Each edit toggles a
//! typo in one file, so every change really changes the diagnostics. Run with
//! `cargo bench -p brief-lsp --bench did_change`; the targets are p99 < 10 ms (50 files) and
//! < 30 ms (1,000 files). The first edit after opening is not counted: it waits for the first
//! (cold) check of the project. Beside the wall-clock time, the CPU time the process spent per
//! edit (all threads, from Linux's schedstat), which a loaded machine does not inflate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::Url;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

fn write_project(dir: &Path, files: usize) {
    std::fs::write(
        dir.join("app.toml"),
        "name = \"big\"\n\n[engine]\nname = \"golang\"\n",
    )
    .unwrap();
    let mut service = String::from("service \"big\" `A big one`\n");
    for i in 0..files - 1 {
        service.push_str(&format!("import \"types/t{i}.brief\"\n"));
    }
    for i in 0..files - 1 {
        service.push_str(&format!("rpc get{i} (In{i}) Out{i} `Gets {i}`\n"));
    }
    std::fs::create_dir_all(dir.join("types")).unwrap();
    for i in 0..files - 1 {
        std::fs::write(
            dir.join(format!("types/t{i}.brief")),
            format!(
                "message In{i} `In` {{\n    id int `Id`\n    name string `Name`\n    tags []string `Tags`\n}}\nmessage Out{i} `Out` {{\n    value ?float `Value`\n    at time `When`\n    kind Kind{i} `Kind`\n}}\nenum Kind{i} `Kind` {{\n    a\n    b\n}}\n"
            ),
        )
        .unwrap();
    }
    std::fs::write(dir.join("service.brief"), service).unwrap();
}

/// The CPU time all threads of this process have run, when Linux tells (`/proc/self/task`).
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

fn send(c: &Connection, m: Message) {
    c.sender.send(m).unwrap();
}

fn wait_diagnostics(c: &Connection, uri: &str) -> usize {
    loop {
        match c.receiver.recv_timeout(Duration::from_secs(60)).unwrap() {
            Message::Notification(n)
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
            {
                return n.params["diagnostics"].as_array().map_or(0, Vec::len);
            }
            _ => {}
        }
    }
}

fn bench(files: usize, rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), files);
    let (server, client) = Connection::memory();
    let handle = std::thread::spawn(move || brief_lsp::serve(&server));
    send(
        &client,
        Message::Request(Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({"capabilities": {}}),
        )),
    );
    let _ = client.receiver.recv().unwrap();
    send(
        &client,
        Message::Notification(Notification::new("initialized".into(), json!({}))),
    );
    let path = dir.path().join("types/t0.brief");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = Url::from_file_path(&path).unwrap().to_string();
    send(
        &client,
        Message::Notification(Notification::new(
            "textDocument/didOpen".into(),
            json!({"textDocument": {"uri": uri, "languageId": "brief", "version": 0, "text": text}}),
        )),
    );
    // A clean file gets no diagnostics, so there is nothing to wait for after opening it.
    // `id int` on line 2, columns 7..10: toggled between `int` and `inx` (unknown type).
    let mut times = Vec::with_capacity(rounds);
    let mut cpu = Vec::with_capacity(rounds);
    for round in 0..=rounds {
        let new = if round % 2 == 0 { "inx" } else { "int" };
        let start = Instant::now();
        let cpu_start = cpu_time();
        send(
            &client,
            Message::Notification(Notification::new(
                "textDocument/didChange".into(),
                json!({"textDocument": {"uri": uri, "version": round + 1},
                       "contentChanges": [{"range": {"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 10}}, "text": new}]}),
            )),
        );
        let n = wait_diagnostics(&client, &uri);
        let elapsed = start.elapsed();
        assert_eq!(n > 0, round % 2 == 0, "the diagnostics follow the edit");
        if round == 0 {
            continue;
        }
        times.push(elapsed);
        if let (Some(a), Some(b)) = (cpu_start, cpu_time()) {
            cpu.push(b.saturating_sub(a));
        }
    }
    send(
        &client,
        Message::Request(Request::new(
            RequestId::from(2),
            "shutdown".into(),
            json!(null),
        )),
    );
    send(
        &client,
        Message::Notification(Notification::new("exit".into(), json!(null))),
    );
    drop(client);
    let _ = handle.join();
    let pct = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v.get(((v.len() as f64 - 1.0) * p).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "didChange -> publishDiagnostics, {files} files, {rounds} edits: p50 {:.2} ms, p99 {:.2} ms (CPU per edit: p50 {:.2} ms, p99 {:.2} ms)",
        pct(&mut times, 0.50),
        pct(&mut times, 0.99),
        pct(&mut cpu, 0.50),
        pct(&mut cpu, 0.99),
    );
}

fn main() {
    // `cargo test --benches` runs benches once as a smoke test with `--bench` absent.
    let quick = !std::env::args().any(|a| a == "--bench");
    bench(50, if quick { 4 } else { 200 });
    bench(1000, if quick { 2 } else { 60 });
}
