// A SPARQL client nobody here wrote (fetch-sparql-endpoint, from the npm registry) asks
// `govkg serve` a query and prints what it understood, as JSON, for tests/test_serve.py.
//   node query.mjs ENDPOINT_URL QUERY_FILE
// SELECT: {"vars": [...], "rows": [{var: {type, value, lang?, datatype?}}]}
// ASK:    {"boolean": true|false}
// CONSTRUCT / DESCRIBE: {"triples": [[s, p, o], ...]} with each term {type, value, lang?, datatype?}
// The query type comes from the client's own SPARQL parser (getQueryType).
import { readFileSync } from "node:fs";
import { SparqlEndpointFetcher } from "fetch-sparql-endpoint";

function term(t) {
  const out = { type: t.termType, value: t.value };
  if (t.termType === "Literal") {
    if (t.language) out.lang = t.language;
    else out.datatype = t.datatype.value;
  }
  return out;
}

function collect(stream, onData) {
  return new Promise((resolve, reject) => {
    stream.on("data", onData);
    stream.on("error", reject);
    stream.on("end", resolve);
  });
}

const [endpoint, queryFile] = process.argv.slice(2);
const query = readFileSync(queryFile, "utf8");
const fetcher = new SparqlEndpointFetcher({ timeout: 30000 });
const kind = fetcher.getQueryType(query);
let result;
if (kind === "ASK") {
  result = { boolean: await fetcher.fetchAsk(endpoint, query) };
} else if (kind === "SELECT") {
  const stream = await fetcher.fetchBindings(endpoint, query);
  const rows = [];
  let vars = [];
  stream.on("variables", (v) => { vars = v.map((x) => x.value); });
  await collect(stream, (b) => {
    const row = {};
    for (const [k, v] of Object.entries(b)) row[k] = term(v);
    rows.push(row);
  });
  result = { vars, rows };
} else {
  const stream = await fetcher.fetchTriples(endpoint, query);
  const triples = [];
  await collect(stream, (q) => triples.push([term(q.subject), term(q.predicate), term(q.object)]));
  result = { triples };
}
process.stdout.write(JSON.stringify(result) + "\n");
