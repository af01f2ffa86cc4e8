// The brief extension's entry point: starts `paasctl lsp` (the brief language server) for .brief
// files and each service's app.toml, and restarts it when its settings change.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

/** The server command from the settings: `brief.server.path lsp ...brief.server.extraArgs`. */
function serverOptions(config) {
  const command = config.get("server.path") || "paasctl";
  const args = ["lsp", ...(config.get("server.extraArgs") || [])];
  return { command, args, transport: TransportKind.stdio };
}

/** Which documents the server owns: every .brief file and every app.toml (the service config). */
function clientOptions() {
  return {
    documentSelector: [
      { scheme: "file", language: "brief" },
      { scheme: "file", pattern: "**/app.toml" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.brief,app.toml,brief.toml,platform.toml}"),
    },
  };
}

async function start() {
  const config = vscode.workspace.getConfiguration("brief");
  client = new LanguageClient("brief", "brief language server", serverOptions(config), clientOptions());
  await client.start();
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("brief.restartServer", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("brief.server")) {
        await stop();
        await start();
      }
    }),
  );
  try {
    await start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `brief: could not start \`${serverOptions(vscode.workspace.getConfiguration("brief")).command} lsp\`: ${err.message}. ` +
        "Install paasctl or set `brief.server.path`.",
    );
  }
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate, serverOptions, clientOptions };
