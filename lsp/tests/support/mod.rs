//! The test client of the protocol tests: the real message loop over an in-memory connection,
//! requests answered in order, notifications collected, paths redacted for snapshots.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::Url;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

pub struct Client {
    pub conn: Connection,
    server: Option<std::thread::JoinHandle<Result<(), String>>>,
    next: i32,
    /// Notifications that arrived while waiting for a response.
    pub seen: Vec<Notification>,
    /// How long to wait for the server's next message before calling it blocked.
    pub patience: Duration,
}

impl Client {
    pub fn start() -> Client {
        Client::start_with(None, json!({"capabilities": {}, "processId": null}))
    }

    /// A server given `platform`, initialized with `params`.
    pub fn start_with(platform: Option<Box<dyn brief_lsp::Platform>>, params: Value) -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || brief_lsp::serve_with(&server, platform));
        let mut c = Client {
            conn: client,
            server: Some(handle),
            next: 1,
            seen: Vec::new(),
            patience: Duration::from_secs(20),
        };
        let caps = c.request("initialize", params);
        assert_eq!(
            caps["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental"
        );
        c.notify("initialized", json!({}));
        c
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.to_owned(),
                params,
            )))
            .unwrap();
    }

    /// Sends a request and returns its result, collecting notifications that arrive meanwhile.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        match self.request_raw(method, params) {
            Ok(v) => v,
            Err(e) => panic!("{method} failed: {e}"),
        }
    }

    pub fn request_raw(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = RequestId::from(self.next);
        self.next += 1;
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_owned(),
                params,
            )))
            .unwrap();
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => {
                    return match r.error {
                        Some(e) => Err(format!("{}: {}", e.code, e.message)),
                        None => Ok(r.result.unwrap_or(Value::Null)),
                    }
                }
                Message::Notification(n) => self.seen.push(n),
                _ => {}
            }
        }
    }

    pub fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(self.patience)
            .unwrap_or_else(|e| panic!("the server answers within {:?}: {e}", self.patience))
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics_for(&self, uri: &Url) -> Vec<Value> {
        loop {
            if let Message::Notification(n) = self.recv() {
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri.as_str()
                {
                    return n.params["diagnostics"].as_array().unwrap().clone();
                }
            }
        }
    }

    pub fn open(&self, path: &Path, text: &str) -> Url {
        let uri = Url::from_file_path(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "brief", "version": 1, "text": text}}),
        );
        uri
    }

    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert_eq!(result, Ok(()));
    }
}

pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// The `window/showMessage` texts received so far, taken.
pub fn shown(c: &mut Client) -> Vec<(i64, String)> {
    let (shown, rest): (Vec<Notification>, Vec<Notification>) = std::mem::take(&mut c.seen)
        .into_iter()
        .partition(|n| n.method == "window/showMessage");
    c.seen = rest;
    shown
        .into_iter()
        .map(|n| {
            (
                n.params["type"].as_i64().unwrap(),
                n.params["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `value` for a snapshot: the project's directory as `file:///project`, object keys sorted
/// (workspace edits are maps by URL, in no fixed order).
pub fn redact(value: &Value, dir: &Path) -> Value {
    let prefix = Url::from_file_path(dir).unwrap().to_string();
    let text = serde_json::to_string(value)
        .unwrap()
        .replace(&prefix, "file:///project");
    sorted(serde_json::from_str(&text).unwrap())
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A service project in a temporary directory: app.toml and the given files.
pub fn project_with(app: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.toml"), app).unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A workspace edit as lines for a snapshot: `file line:col-line:col new text`, 0-based as in
/// LSP, files relative to the project, sorted.
pub fn edit_lines(edit: &Value, dir: &Path) -> String {
    let edit = redact(edit, dir);
    let mut lines = Vec::new();
    for (uri, edits) in edit["changes"].as_object().into_iter().flatten() {
        let file = uri.trim_start_matches("file:///project/");
        for e in edits.as_array().into_iter().flatten() {
            lines.push(format!(
                "{file} {} {:?}",
                range_text(&e["range"]),
                e["newText"].as_str().unwrap()
            ));
        }
    }
    lines.sort();
    lines.join("\n")
}

/// `line:col-line:col` of an LSP range.
pub fn range_text(r: &Value) -> String {
    format!(
        "{}:{}-{}:{}",
        r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"]
    )
}

impl Client {
    /// Replaces the whole text of an open document.
    pub fn replace_all(&self, uri: &Url, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }
}

/// Completion items as lines for a snapshot: `label (kind) -> "new text" @ range`, then
/// ` + range "text"` for each additional edit.
pub fn completion_lines(items: &Value) -> String {
    let items = items
        .as_array()
        .or_else(|| items["items"].as_array())
        .unwrap();
    let mut out = Vec::new();
    for i in items {
        let e = &i["textEdit"];
        out.push(format!(
            "{} ({}) -> {:?} @ {}",
            i["label"].as_str().unwrap(),
            i["kind"],
            e["newText"].as_str().unwrap_or(""),
            range_text(&e["range"])
        ));
        for a in i["additionalTextEdits"].as_array().into_iter().flatten() {
            out.push(format!(
                "    + {} {:?}",
                range_text(&a["range"]),
                a["newText"].as_str().unwrap()
            ));
        }
    }
    out.join("\n")
}
