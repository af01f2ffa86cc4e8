//! The message loop: initialize, then notifications (buffer changes) and requests (answers),
//! with checks coalesced: a flood of changes is applied first and checked once when the queue is
//! empty or a request needs an up-to-date answer. Only diagnostics that changed are published
//! (and those of the edited buffers); after edits, an idle second re-checks against the disk.
use crate::convert;
use crate::features;
use crate::index;
use crate::platform::Platform;
use crate::rename;
use crate::workspace::{Doc, ProjectKey, Workspace};
use crate::{complete, complete_toml, fixes, semantic};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidChangeWatchedFiles, DidChangeWorkspaceFolders,
    DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting,
    GotoDefinition, HoverRequest, PrepareRenameRequest, References, Rename, Request as _,
    SemanticTokensFullRequest,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionProviderCapability,
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, FoldingRangeProviderCapability,
    GotoDefinitionResponse, HoverProviderCapability, MessageType, NumberOrString, OneOf,
    PrepareRenameResponse, PublishDiagnosticsParams, RenameOptions, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensResult, SemanticTokensServerCapabilities,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
    WorkDoneProgressOptions, WorkspaceEdit, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::time::Duration;

/// How long the server waits, idle after edits, before it looks at the disk again (edits are
/// checked from memory; a file changed by another program is seen then, or at a save).
const IDLE_DISK_CHECK: Duration = Duration::from_secs(1);

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["@".to_owned(), "\"".to_owned(), "/".to_owned()]),
            ..Default::default()
        }),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        ..Default::default()
    }
}

/// Runs the server on a connection until the client shuts it down or goes away.
pub fn serve(conn: &Connection) -> Result<(), String> {
    serve_with(conn, None)
}

/// [`serve`], with the platform's rules added to every check of a service project.
pub fn serve_with(conn: &Connection, platform: Option<Box<dyn Platform>>) -> Result<(), String> {
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "paasctl lsp".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        },
    });
    let (id, init_params) = conn.initialize_start().map_err(|e| e.to_string())?;
    conn.initialize_finish(id, init)
        .map_err(|e| e.to_string())?;
    let mut state = State {
        ws: Workspace::with_platform(platform),
        conn,
    };
    // Every service project of the workspace folders is checked (and its diagnostics published)
    // when the queue first runs dry, before any file is opened.
    for folder in folders(init_params) {
        state.add_folder(&folder);
    }
    // Messages taken off the connection ahead of their turn (to see a request's cancellation).
    let mut queue: VecDeque<Message> = VecDeque::new();
    loop {
        let msg = match queue
            .pop_front()
            .map(Ok)
            .unwrap_or_else(|| conn.receiver.try_recv())
        {
            Ok(m) => m,
            Err(crossbeam_channel::TryRecvError::Empty) => {
                state.flush();
                match state.idle() {
                    Some(m) => m,
                    None => return Ok(()),
                }
            }
            Err(crossbeam_channel::TryRecvError::Disconnected) => return Ok(()),
        };
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                queue.extend(conn.receiver.try_iter());
                if let Some(i) = queue.iter().position(|m| cancels(m, &req.id)) {
                    queue.remove(i);
                    state.send(Message::Response(Response::new_err(
                        req.id,
                        ErrorCode::RequestCanceled as i32,
                        "cancelled".to_owned(),
                    )));
                    continue;
                }
                let resp = state.request(req);
                state.send(Message::Response(resp));
            }
            Message::Notification(n) => state.notification(n),
            Message::Response(_) => {}
        }
    }
}

/// Whether `m` is the `$/cancelRequest` of request `id`.
fn cancels(m: &Message, id: &lsp_server::RequestId) -> bool {
    let Message::Notification(n) = m else {
        return false;
    };
    if n.method != Cancel::METHOD {
        return false;
    }
    let Ok(p) = serde_json::from_value::<lsp_types::CancelParams>(n.params.clone()) else {
        return false;
    };
    let theirs = match p.id {
        NumberOrString::Number(n) => lsp_server::RequestId::from(n),
        NumberOrString::String(s) => lsp_server::RequestId::from(s),
    };
    theirs == *id
}

struct State<'a> {
    ws: Workspace,
    conn: &'a Connection,
}

/// The workspace folders of the initialize request (else its root URI).
#[allow(deprecated)] // `root_uri`: still what clients without workspace folders send
fn folders(params: Value) -> Vec<PathBuf> {
    let Ok(p) = serde_json::from_value::<lsp_types::InitializeParams>(params) else {
        return Vec::new();
    };
    match p.workspace_folders {
        Some(f) if !f.is_empty() => f.iter().filter_map(|f| path_of(&f.uri)).collect(),
        _ => p.root_uri.as_ref().and_then(path_of).into_iter().collect(),
    }
}

fn path_of(uri: &Url) -> Option<PathBuf> {
    (uri.scheme() == "file")
        .then(|| uri.to_file_path().ok())
        .flatten()
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid params: {e}"))
}

impl State<'_> {
    fn send(&self, msg: Message) {
        // The client went away: the loop ends on the next receive.
        let _ = self.conn.sender.send(msg);
    }

    /// Waits for the next message; when edits were checked from memory and nothing arrives
    /// for a while, checks those projects against the disk (publishing only what changed).
    /// `None`: the client went away.
    fn idle(&mut self) -> Option<Message> {
        let stale = self.ws.checked_from_memory();
        if !stale.is_empty() {
            match self.conn.receiver.recv_timeout(IDLE_DISK_CHECK) {
                Ok(m) => return Some(m),
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return None,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    for key in &stale {
                        self.ws.recheck_disk(key);
                    }
                    self.flush();
                }
            }
        }
        self.conn.receiver.recv().ok()
    }

    /// Marks every service project under a workspace folder for a check.
    fn add_folder(&mut self, folder: &std::path::Path) {
        for root in crate::workspace::service_projects(folder) {
            self.ws.touch(&root.join("app.toml"));
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidChangeWorkspaceFolders::METHOD => {
                if let Ok(p) = params::<lsp_types::DidChangeWorkspaceFoldersParams>(n.params) {
                    for f in p.event.added {
                        if let Some(folder) = path_of(&f.uri) {
                            self.add_folder(&folder);
                        }
                    }
                }
            }
            DidChangeWatchedFiles::METHOD => {
                // A client that watches files says what changed on disk: checked at once.
                if let Ok(p) = params::<lsp_types::DidChangeWatchedFilesParams>(n.params) {
                    for path in p.changes.iter().filter_map(|c| path_of(&c.uri)) {
                        // Only a service project's files: a loose file is checked when open.
                        if matches!(self.ws.key_of(&path), ProjectKey::Service(_)) {
                            self.ws.touch(&path);
                        }
                    }
                }
            }
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        let doc = Doc {
                            text: p.text_document.text,
                            version: p.text_document.version,
                        };
                        self.ws.docs.insert(path.clone(), doc);
                        self.ws.touch(&path);
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        if let Some(doc) = self.ws.docs.get_mut(&path) {
                            for change in p.content_changes {
                                apply(&mut doc.text, change);
                            }
                            doc.version = p.text_document.version;
                            self.ws.edit(&path);
                        }
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidSaveTextDocumentParams>(n.params) {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        self.ws.touch(&path);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        self.ws.docs.remove(&path);
                        self.ws.touch(&path);
                    }
                }
            }
            _ => {}
        }
    }

    /// Checks every changed project and publishes its diagnostics, file by file, clearing the
    /// files that no longer have any.
    fn flush(&mut self) {
        for key in self.ws.dirty() {
            self.publish(&key);
        }
        self.ws.drop_replaced();
    }

    fn publish(&mut self, key: &ProjectKey) {
        let root = key.root().to_path_buf();
        let versions: BTreeMap<PathBuf, i32> = self
            .ws
            .docs
            .iter()
            .map(|(p, d)| (p.clone(), d.version))
            .collect();
        let Some(project) = self.ws.check(key) else {
            return;
        };
        let Some(output) = &project.output else {
            return;
        };
        let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        // Diagnostics without a location go to the project's app.toml, or the loose file.
        let fallback = match key {
            ProjectKey::Service(r) => r.join("app.toml"),
            ProjectKey::Loose(f) => f.clone(),
        };
        let mut positions = convert::Positions::new(&output.sources);
        for d in &project.diagnostics {
            let path = match d.primary_span() {
                Some(s) => root.join(output.sources.path(s.file)),
                None => fallback.clone(),
            };
            // Never a diagnostic for a file outside the project.
            if !path.starts_with(&root) {
                continue;
            }
            by_file
                .entry(path)
                .or_default()
                .push(convert::diagnostic(d, &mut positions, &root));
        }
        // Sent: what changed (a file fixed gets an empty list), and the edited buffers that have
        // or had diagnostics (with their new version); an edit elsewhere that leaves a file's
        // diagnostics as they were sends it nothing.
        let edited = std::mem::take(&mut project.edited_docs);
        let mut files: Vec<PathBuf> = Vec::new();
        for (path, now) in &by_file {
            if project.published.get(path) != Some(now) || edited.contains(path) {
                files.push(path.clone());
            }
        }
        for old in project.published.keys() {
            if !by_file.contains_key(old) {
                files.push(old.clone());
            }
        }
        files.sort();
        let mut messages = Vec::new();
        for path in files {
            let Some(uri) = convert::url(&path) else {
                continue;
            };
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics: by_file.get(&path).cloned().unwrap_or_default(),
                version: versions.get(&path).copied(),
            };
            messages.push(Message::Notification(Notification::new(
                PublishDiagnostics::METHOD.to_owned(),
                params,
            )));
        }
        project.published = by_file;
        for m in messages {
            self.send(m);
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match self.answer(req) {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn answer(&mut self, req: Request) -> Result<Value, (ErrorCode, String)> {
        let bad = |e: String| (ErrorCode::InvalidParams, e);
        // Answers reflect every change received before the request.
        self.flush();
        let to_json =
            |v: serde_json::Result<Value>| v.map_err(|e| (ErrorCode::InternalError, e.to_string()));
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(req.params).map_err(bad)?;
                let pos = p.text_document_position_params;
                let r = self
                    .at(&pos.text_document.uri)
                    .and_then(|(_, o, f)| features::hover(o, f, pos.position));
                to_json(serde_json::to_value(r))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(req.params).map_err(bad)?;
                let pos = p.text_document_position_params;
                let r = self
                    .at(&pos.text_document.uri)
                    .and_then(|(root, o, f)| features::definition(o, &root, f, pos.position))
                    .map(GotoDefinitionResponse::Scalar);
                to_json(serde_json::to_value(r))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = params(req.params).map_err(bad)?;
                let pos = p.text_document_position;
                let r = self
                    .at(&pos.text_document.uri)
                    .map(|(root, o, f)| {
                        features::references(
                            o,
                            &root,
                            f,
                            pos.position,
                            p.context.include_declaration,
                        )
                    })
                    .unwrap_or_default();
                to_json(serde_json::to_value(r))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(req.params).map_err(bad)?;
                let r = self
                    .at(&p.text_document.uri)
                    .map(|(_, o, f)| DocumentSymbolResponse::Nested(features::symbols(o, f)));
                to_json(serde_json::to_value(r))
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(req.params).map_err(bad)?;
                let path = path_of(&p.text_document.uri)
                    .ok_or_else(|| bad("not a file: URI".to_owned()))?;
                if path.extension().and_then(|e| e.to_str()) != Some("brief") {
                    return Ok(Value::Null);
                }
                let text = match self.ws.docs.get(&path) {
                    Some(d) => d.text.clone(),
                    None => std::fs::read_to_string(&path)
                        .map_err(|e| (ErrorCode::RequestFailed, e.to_string()))?,
                };
                match features::format(&text) {
                    Some(edits) => to_json(serde_json::to_value(edits)),
                    None => Err((
                        ErrorCode::RequestFailed,
                        "the file does not parse; fix its errors, then format".to_owned(),
                    )),
                }
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(req.params).map_err(bad)?;
                let pos = p.text_document_position;
                let items = self.complete(&pos.text_document.uri, pos.position);
                to_json(serde_json::to_value(CompletionResponse::Array(items)))
            }
            SemanticTokensFullRequest::METHOD => {
                let p: lsp_types::SemanticTokensParams = params(req.params).map_err(bad)?;
                let r = self
                    .at(&p.text_document.uri)
                    .map(|(_, o, f)| SemanticTokensResult::Tokens(semantic::tokens(o, f)));
                to_json(serde_json::to_value(r))
            }
            FoldingRangeRequest::METHOD => {
                let p: lsp_types::FoldingRangeParams = params(req.params).map_err(bad)?;
                let r = self
                    .at(&p.text_document.uri)
                    .map(|(_, o, f)| semantic::folding(o, f));
                to_json(serde_json::to_value(r))
            }
            CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = params(req.params).map_err(bad)?;
                let r: Vec<CodeActionOrCommand> = self
                    .code_actions(&p.text_document.uri, p.range)
                    .into_iter()
                    .map(CodeActionOrCommand::CodeAction)
                    .collect();
                to_json(serde_json::to_value(r))
            }
            PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams = params(req.params).map_err(bad)?;
                let r = match self.at(&p.text_document.uri) {
                    Some((_, o, f)) => {
                        let offset = convert::offset(index::text(o, f), p.position);
                        rename::prepare(o, f, offset)
                            .map_err(|e| (ErrorCode::RequestFailed, e))?
                            .map(|(_, at)| {
                                PrepareRenameResponse::Range(convert::range(
                                    index::text(o, f),
                                    &at.range,
                                ))
                            })
                    }
                    None => None,
                };
                to_json(serde_json::to_value(r))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = params(req.params).map_err(bad)?;
                let edit = self.rename(p).map_err(|e| (ErrorCode::RequestFailed, e))?;
                to_json(serde_json::to_value(edit))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unsupported request `{}`", req.method),
            )),
        }
    }

    /// The quick fixes for the diagnostics of a file (`.brief` or app.toml) in a range.
    fn code_actions(&mut self, uri: &Url, range: lsp_types::Range) -> Vec<lsp_types::CodeAction> {
        let Some(path) = path_of(uri) else {
            return Vec::new();
        };
        let Some((key, _, file)) = self.ws.analysis(&path) else {
            return Vec::new();
        };
        let Some(output) = self.ws.output(&key) else {
            return Vec::new();
        };
        let text = index::text(output, file);
        let bytes = convert::offset(text, range.start)..convert::offset(text, range.end);
        fixes::actions(output, self.ws.diagnostics(&key), key.root(), file, bytes)
    }

    /// Completion in a `.brief` file (from its project's last check) or in app.toml (from its text).
    fn complete(&mut self, uri: &Url, pos: lsp_types::Position) -> Vec<lsp_types::CompletionItem> {
        let Some(path) = path_of(uri) else {
            return Vec::new();
        };
        if path.file_name().is_some_and(|n| n == "app.toml") {
            let text = match self.ws.docs.get(&path) {
                Some(d) => d.text.clone(),
                None => std::fs::read_to_string(&path).unwrap_or_default(),
            };
            let envs = self
                .ws
                .platform
                .as_ref()
                .map(|p| p.environments())
                .unwrap_or_default();
            return complete_toml::complete(&text, convert::offset(&text, pos), &envs);
        }
        match self.at(uri) {
            Some((_, o, f)) => complete::brief(o, f, convert::offset(index::text(o, f), pos)),
            None => Vec::new(),
        }
    }

    /// Rename: the plan from the index, checked on the project as renamed (refused when that
    /// adds an error); a WIRE-breaking rename is done and told to the user.
    fn rename(&mut self, p: lsp_types::RenameParams) -> Result<Option<WorkspaceEdit>, String> {
        let pos = p.text_document_position;
        let Some(path) = path_of(&pos.text_document.uri) else {
            return Ok(None);
        };
        let Some((key, output, file)) = self.ws.analysis(&path) else {
            return Ok(None);
        };
        let root = key.root().to_path_buf();
        let offset = convert::offset(index::text(output, file), pos.position);
        let plan = rename::plan(output, file, offset, &p.new_name)?;
        let replaced: BTreeMap<PathBuf, String> = rename::renamed_texts(output, &plan)
            .into_iter()
            .map(|(f, t)| (root.join(output.sources.path(f)), t))
            .collect();
        let after = self.ws.check_with(&key, &replaced);
        let before = self
            .ws
            .output(&key)
            .ok_or("the project is gone; try again")?;
        let warning = rename::verdict(before, &after, &plan)?;
        let edit = rename::workspace_edit(before, &root, &plan);
        if let Some(message) = warning {
            self.send(Message::Notification(Notification::new(
                ShowMessage::METHOD.to_owned(),
                ShowMessageParams {
                    typ: MessageType::WARNING,
                    message,
                },
            )));
        }
        Ok(Some(edit))
    }

    /// The project root, checked output and file id of a document.
    fn at(&mut self, uri: &Url) -> Option<(PathBuf, &compiler::Output, compiler::FileId)> {
        let path = path_of(uri)?;
        let (key, output, file) = self.ws.analysis(&path)?;
        Some((key.root().to_path_buf(), output, file))
    }
}

/// Applies one change (a range edit, or the whole text when it has no range).
fn apply(text: &mut String, change: lsp_types::TextDocumentContentChangeEvent) {
    match change.range {
        Some(r) => {
            let start = convert::offset(text, r.start);
            let end = convert::offset(text, r.end).max(start);
            text.replace_range(start..end, &change.text);
        }
        None => *text = change.text,
    }
}
