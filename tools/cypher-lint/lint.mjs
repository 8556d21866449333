// Lint Neo4j-dialect Cypher offline with Neo4j's own front end (no database needed).
// stdin: JSON [{"name": ..., "text": ..., "parameters": ["p", ...]}]
// stdout: JSON [{"name": ..., "diagnostics": [{"severity", "message", "line", "column"}]}]
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = statements.map(({ name, text, parameters }) => {
  const schema = { parameters: Object.fromEntries(parameters.map((p) => [p, null])) };
  const { diagnostics } = lintCypherQuery(text, schema, { consoleCommandsEnabled: true });
  return {
    name,
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity === 1 ? 'error' : 'warning',
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    })),
  };
});
process.stdout.write(JSON.stringify(results));
