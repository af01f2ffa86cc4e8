// Tokenizes every .brief file of the golden corpus (golden/ and runtime-go/examples/) with the extension's
// TextMate grammar, using the same engine as VS Code (vscode-textmate + oniguruma), and checks:
// - a file that parses leaves no token scoped `invalid` and ends with the grammar back at the top
//   level (a declaration appended after it is still scoped as one: no rule left open swallows it);
// - every declaration keyword at the start of a line that is not inside a comment or doc string
//   is scoped as that keyword, and the declared name as a type or function name;
// - the syntax-error case with a `:` after a field name shows it as invalid.
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.resolve(__dirname, "../../..");
const grammarPath = path.resolve(__dirname, "../syntaxes/brief.tmLanguage.json");

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (entry.name.endsWith(".brief")) out.push(p);
  }
  return out;
}

// Cases named after a lexer or parser error (E00xx, E01xx) and the formatter's syntax-error input.
const syntaxError = (file) => /\/e0[01]\d\d-|syntax-error\.brief$/.test(file);

async function main() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () =>
      vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath),
  });
  const grammar = await registry.loadGrammar("source.brief");

  const files = [...walk(path.join(root, "golden"), []), ...walk(path.join(root, "runtime-go", "examples"), [])].sort();
  const failures = [];
  let checkedDecls = 0;
  let sawColonInvalid = false;
  for (const file of files) {
    const rel = path.relative(root, file);
    const bytes = fs.readFileSync(file);
    const text = bytes.toString("utf8");
    if (Buffer.compare(Buffer.from(text, "utf8"), bytes) !== 0) continue; // not UTF-8 (E0001)
    const valid = !syntaxError(file);
    let stack = vsctm.INITIAL;
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
      const { tokens, ruleStack } = grammar.tokenizeLine(line, stack);
      stack = ruleStack;
      const scopeAt = (col) => {
        const t = tokens.find((t) => t.startIndex <= col && col < t.endIndex);
        return t ? t.scopes.join(" ") : "";
      };
      for (const t of tokens) {
        if (t.scopes.some((s) => s.startsWith("invalid"))) {
          if (valid) failures.push(`${rel}:${i + 1}:${t.startIndex + 1}: invalid token \`${line.slice(t.startIndex, t.endIndex)}\``);
          else if (line.slice(t.startIndex, t.endIndex) === ":") sawColonInvalid = true;
        }
      }
      if (!valid) return;
      const m = /^(\s*)(message|enum|error|rpc)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
      if (!m) return;
      const col = m[1].length;
      if (/comment|string/.test(scopeAt(col))) return; // inside a doc string or comment
      // A field of a message can be named like a keyword: `  error string`. A field is inside a block.
      if (/meta\.block/.test(scopeAt(col))) return;
      checkedDecls += 1;
      const kw = m[2];
      const nameCol = line.indexOf(m[3], col + kw.length);
      const want = kw === "rpc" ? "entity.name.function.brief" : `entity.name.type.${kw}.brief`;
      if (!scopeAt(col).includes(`keyword.other.${kw}.brief`))
        failures.push(`${rel}:${i + 1}:${col + 1}: \`${kw}\` is scoped \`${scopeAt(col)}\``);
      if (!scopeAt(nameCol).includes(want))
        failures.push(`${rel}:${i + 1}:${nameCol + 1}: \`${m[3]}\` is scoped \`${scopeAt(nameCol)}\`, want ${want}`);
    });
    // A declaration after the end of the file must still be one: nothing left open swallows it.
    const sentinel = grammar.tokenizeLine("rpc sentinel (In) Out", stack).tokens[0];
    if (valid && sentinel.scopes.join(" ") !== "source.brief keyword.other.rpc.brief")
      failures.push(`${rel}: a declaration after the file is scoped \`${sentinel.scopes.join(" ")}\``);
  }
  if (!sawColonInvalid) failures.push("golden/cases/e0103-field-colon: the `:` is not scoped invalid");
  if (checkedDecls < 100) failures.push(`only ${checkedDecls} declarations checked: the corpus was not found`);
  if (failures.length > 0) {
    console.error(failures.join("\n"));
    console.error(`${failures.length} grammar failure(s) in ${files.length} files`);
    process.exit(1);
  }
  console.log(`grammar corpus: ${files.length} files, ${checkedDecls} declarations, no failures`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
