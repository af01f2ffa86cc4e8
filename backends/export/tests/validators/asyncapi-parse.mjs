// Parses every AsyncAPI document given with @asyncapi/parser and prints every diagnostic; exits 1
// when a document has a severity-0 (error) diagnostic or does not parse (scripts/test.d/57-export.sh).
import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
const parser = new Parser();
let failed = 0;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'));
  for (const d of diagnostics) {
    console.log(`${file}: severity ${d.severity} ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
  }
  const errors = diagnostics.filter((d) => d.severity === 0);
  if (errors.length > 0 || !document) failed++;
}
process.exit(failed ? 1 : 0);
