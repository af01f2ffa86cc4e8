// The extension without VS Code (no VS Code can run on this machine): `vscode` and the
// LanguageClient are replaced by recording stand-ins, and the test checks that
// - activation starts one client whose server command is `<brief.server.path> lsp <extraArgs>`
//   and whose documents are .brief files and app.toml;
// - every command and setting the code uses is declared in package.json, and the reverse;
// - the server command the extension builds, run for real (`paasctl lsp`, PAASCTL env or the
//   workspace build), answers `initialize` over stdio with the capabilities the README promises.
"use strict";
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const Module = require("module");
const { spawn } = require("child_process");

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
const recorded = { commands: [], clients: [], configKeys: new Set() };
const settings = { "server.path": "/opt/brief/paasctl", "server.extraArgs": ["--log", "debug"] };

const vscodeStub = {
  workspace: {
    getConfiguration: (section) => {
      assert.strictEqual(section, "brief");
      return { get: (key) => (recorded.configKeys.add(`brief.${key}`), settings[key]) };
    },
    createFileSystemWatcher: (glob) => ({ glob }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
  commands: {
    registerCommand: (name) => (recorded.commands.push(name), { dispose() {} }),
  },
  window: { showErrorMessage: (m) => assert.fail(`activation failed: ${m}`) },
};
class LanguageClientStub {
  constructor(id, name, server, client) {
    recorded.clients.push({ id, name, server, client, started: false });
  }
  async start() {
    recorded.clients[recorded.clients.length - 1].started = true;
  }
  async stop() {}
}
const stubs = {
  vscode: vscodeStub,
  "vscode-languageclient/node": { LanguageClient: LanguageClientStub, TransportKind: { stdio: 0 } },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request in stubs ? stubs[request] : load.call(this, request, ...rest);
};

function paasctlBinary() {
  if (process.env.PAASCTL) return process.env.PAASCTL;
  const target = process.env.CARGO_TARGET_DIR || path.resolve(__dirname, "../../../target");
  return path.join(target, "debug", "paasctl");
}

/** Runs `command args` and sends it `initialize`; resolves with the server's capabilities. */
function initialize(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
    const timer = setTimeout(() => (child.kill(), reject(new Error("no initialize answer in 20 s"))), 20000);
    let buf = Buffer.alloc(0);
    child.on("error", reject);
    child.stdout.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const head = buf.indexOf("\r\n\r\n");
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.slice(0, head).toString())[1]);
      if (buf.length < head + 4 + len) return;
      const msg = JSON.parse(buf.slice(head + 4, head + 4 + len).toString());
      clearTimeout(timer);
      child.kill();
      resolve(msg.result.capabilities);
    });
    const body = JSON.stringify({
      jsonrpc: "2.0", id: 1, method: "initialize",
      params: { processId: process.pid, rootUri: null, capabilities: {} },
    });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

async function main() {
  const ext = require("../extension.js");
  await ext.activate({ subscriptions: [] });

  assert.strictEqual(recorded.clients.length, 1, "one language client");
  const [c] = recorded.clients;
  assert.ok(c.started, "the client is started on activation");
  assert.strictEqual(c.server.command, "/opt/brief/paasctl");
  assert.deepStrictEqual(c.server.args, ["lsp", "--log", "debug"]);
  assert.deepStrictEqual(c.client.documentSelector, [
    { scheme: "file", language: "brief" },
    { scheme: "file", pattern: "**/app.toml" },
  ]);

  const declaredCommands = pkg.contributes.commands.map((x) => x.command).sort();
  assert.deepStrictEqual([...recorded.commands].sort(), declaredCommands, "registered = declared commands");
  const declaredSettings = Object.keys(pkg.contributes.configuration.properties);
  for (const key of recorded.configKeys)
    assert.ok(declaredSettings.includes(key), `setting ${key} is read but not declared`);
  for (const key of declaredSettings.filter((k) => k.startsWith("brief.server.")))
    assert.ok(recorded.configKeys.has(key), `setting ${key} is declared but never read`);
  assert.deepStrictEqual(pkg.activationEvents.includes("onLanguage:brief"), true);
  assert.strictEqual(pkg.contributes.grammars[0].scopeName, "source.brief");

  // The real server, started with the command line the extension builds.
  const real = ext.serverOptions({ get: (k) => ({ "server.path": paasctlBinary(), "server.extraArgs": [] })[k] });
  const caps = await initialize(real.command, real.args);
  for (const cap of ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider", "documentFormattingProvider"])
    assert.ok(caps[cap], `paasctl lsp announces ${cap}`);
  console.log(`extension activation: ok (server ${real.command} ${real.args.join(" ")} answered initialize)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
