// Validates HTTP responses against doc/openapi.yaml.
//
//   node validate.mjs [--doc FILE] [--route /api/calls] [--log FILE] RECORDS.jsonl
//   node validate.mjs [--doc FILE] --doc-only
//
// --doc-only checks the document itself against the OpenAPI 3.1 schema
// (@seriousme/openapi-schema-validator). Otherwise each line of RECORDS (one
// JSON object per response, written by tests/lib/Stack.pm:
// {test, id, line, server, method, target, status, headers: {lower-case
// name: value}, body_b64, foreign, route}; route: the responder's when it is
// not --route's; or {not_ours: ID, foreign: REASON}, marking response ID
// after the fact) is matched to the document by (method, path
// template, status) and its headers and body are checked with Ajv (JSON
// Schema 2020-12, the dialect of OpenAPI 3.1) and ajv-formats. A record
// with "foreign" set was marked by its test as not the responder's answer
// (a page of the web server itself): it is counted, with its reason, and
// not validated.
//
// Prints one JSON object: {checked, nforeign, foreign: [...], nfailures,
// failures: [{where, op, reasons: [...]}]} (with --log, the first five of
// each; the whole list goes to FILE). Exit status: 0 all valid, 1 some response invalid,
// 2 the document is invalid or the input unreadable.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let docFile = join(here, "..", "..", "doc", "openapi.yaml");
let route = "/api/calls";
let docOnly = false;
let logFile = null;
let records = null;
while (args.length) {
	const a = args.shift();
	if (a === "--doc") docFile = args.shift();
	else if (a === "--route") route = args.shift();
	else if (a === "--doc-only") docOnly = true;
	else if (a === "--log") logFile = args.shift();
	else records = a;
}

function die(msg) {
	process.stdout.write(JSON.stringify({ error: msg }) + "\n");	// short
	process.exit(2);
}

// 1. The document against the OpenAPI 3.1 schema (--doc-only: about a
// second of compiling that schema, so tests/12-openapi.t does it once,
// not every test file).
const doc = YAML.parse(readFileSync(docFile, "utf8"));
if (docOnly) {
	const { Validator } = await import("@seriousme/openapi-schema-validator");
	const oas = new Validator();
	const res = await oas.validate(doc);
	if (!res.valid)
		die(`${docFile} is not valid OpenAPI ${oas.version ?? "?"}: ` +
		    JSON.stringify(res.errors));
	if (oas.version !== "3.1")
		die(`${docFile}: OpenAPI ${oas.version}, expected 3.1`);
}

// 2. The schemas, for Ajv: components/schemas under one $id, every
// "#/components/schemas/X" reference pointed there.
const BASE = "urn:calls-api:openapi";
function rebase(v) {
	if (Array.isArray(v)) return v.map(rebase);
	if (v === null || typeof v !== "object") return v;
	const out = {};
	for (const [k, x] of Object.entries(v)) {
		if (k === "$ref" && typeof x === "string" &&
		    x.startsWith("#/components/schemas/"))
			out[k] = BASE + "#/$defs/" +
			    x.slice("#/components/schemas/".length);
		else out[k] = rebase(x);
	}
	return out;
}
const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
addFormats(ajv);
ajv.addSchema({ $id: BASE, $defs: rebase(doc.components?.schemas ?? {}) });

// A local "#/components/..." reference of the document, followed.
function deref(v) {
	for (let seen = 0; v && typeof v.$ref === "string"; seen++) {
		if (seen > 10 || !v.$ref.startsWith("#/")) die(`bad $ref ${v.$ref}`);
		v = v.$ref.slice(2).split("/").reduce((o, k) => o?.[k], doc);
	}
	return v;
}

// --doc-only compiles every body and header schema: a schema Ajv cannot
// compile is the document's fault. Otherwise a schema is compiled when a
// response needs it.
const compiled = new Map();
function validatorFor(schema) {
	if (!compiled.has(schema)) compiled.set(schema, ajv.compile(rebase(schema)));
	return compiled.get(schema);
}
function eachResponse(fn) {
	for (const [p, item] of Object.entries(doc.paths ?? {}))
		for (const [m, op] of Object.entries(item))
			if (op && op.responses)
				for (const [s, r] of Object.entries(op.responses))
					fn(`${m.toUpperCase()} ${p} ${s}`, deref(r));
	for (const [n, r] of Object.entries(doc.components?.responses ?? {}))
		fn(`components/responses/${n}`, r);
}
if (docOnly) try {
	eachResponse((where, r) => {
		for (const h of Object.values(r.headers ?? {}))
			validatorFor(deref(h).schema ?? {});
		for (const c of Object.values(r.content ?? {}))
			validatorFor(c.schema ?? {});
	});
} catch (e) {
	die(`${docFile}: a schema does not compile: ${e.message}`);
}
if (docOnly) {
	process.stdout.write(JSON.stringify({ document: "valid", version: "3.1" }) + "\n");
	process.exit(0);
}
if (!records) die("usage: validate.mjs [--doc FILE] [--route R] RECORDS.jsonl | --doc-only");

// 3. The responses.
const docRoute = "/api/calls";	// the document's paths are under the default route
const responses = doc.components.responses;

// The response objects a (method, path) may answer with: the operation's,
// or for a path or method the document has no operation for, what the
// responder answers there (README, "The API"; the info description).
function responsesFor(method, path, route) {
	let template = null;
	if (path === route) template = docRoute;
	else if (path.startsWith(route + "/")) {
		const seg = path.slice(route.length + 1);
		if (seg !== "" && !seg.includes("/"))
			template = docRoute + "/{call_sid}";
	}
	if (template === null)	// any other path: 404 (or 500 unconfigured)
		return { op: `${method} (other path)`, responses: {
		    404: responses.NotFound, 500: responses.ServerError } };
	const op = doc.paths[template][method.toLowerCase()];
	if (!op)		// any other method: 405 (or 500 unconfigured)
		return { op: `${method} ${template}`, responses: {
		    405: responses.MethodNotAllowed, 500: responses.ServerError } };
	return { op: `${method} ${template}`, responses: op.responses };
}

function ajvReasons(validate, what) {
	return (validate.errors ?? []).map((e) =>
	    `${what}${e.instancePath || ""}: ${e.message}` +
	    (e.params && Object.keys(e.params).length ?
	    ` ${JSON.stringify(e.params)}` : ""));
}

function check(rec) {
	const reasons = [];
	const method = String(rec.method);
	const target = String(rec.target);
	const path = target.split("?")[0];
	const { op, responses: rs } = responsesFor(method, path,
	    rec.route ?? route);
	const status = String(rec.status);
	const ref = rs[status];
	if (!ref) return [op, [`status ${status} is not documented for ${op}` +
	    ` (documented: ${Object.keys(rs).join(", ")})`]];
	const r = deref(ref);
	const headers = rec.headers ?? {};
	for (const [name, h0] of Object.entries(r.headers ?? {})) {
		const h = deref(h0);
		const v = headers[name.toLowerCase()];
		if (v === undefined) {
			if (h.required) reasons.push(`header ${name} missing`);
			continue;
		}
		const validate = validatorFor(h.schema ?? {});
		if (!validate(v))
			reasons.push(...ajvReasons(validate, `header ${name} ${JSON.stringify(v)}`));
	}
	const raw = Buffer.from(rec.body_b64 ?? "", "base64");
	if (method === "HEAD") {
		if (raw.length) reasons.push(`HEAD answered with a body of ${raw.length} bytes`);
		return [op, reasons];
	}
	const content = r.content ?? {};
	const ctype = headers["content-type"];
	const media = content[ctype];
	if (!media) {
		reasons.push(`Content-Type ${JSON.stringify(ctype)} is not one of ` +
		    JSON.stringify(Object.keys(content)));
		return [op, reasons];
	}
	let body;
	try {
		body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
	} catch (e) {
		reasons.push(`body is not UTF-8 JSON (${e.message}): ` +
		    JSON.stringify(raw.toString("latin1").slice(0, 120)));
		return [op, reasons];
	}
	const validate = validatorFor(media.schema ?? {});
	if (!validate(body)) reasons.push(...ajvReasons(validate, "body"));
	// What the document says in words, where a schema cannot say it.
	if (body && body.error && typeof body.error === "object" &&
	    headers["x-request-id"] !== undefined &&
	    body.error.request_id !== headers["x-request-id"])
		reasons.push(`body/error/request_id ${JSON.stringify(body.error.request_id)}` +
		    ` is not the X-Request-Id header ${JSON.stringify(headers["x-request-id"])}`);
	if (body && Array.isArray(body.data) && body.pagination &&
	    body.pagination.page_size !== body.data.length)
		reasons.push(`body/pagination/page_size ${body.pagination.page_size}` +
		    ` but data has ${body.data.length} items`);
	return [op, reasons];
}

const out = { checked: 0, foreign: [], failures: [] };
let lines;
try {
	lines = readFileSync(records, "utf8").split("\n").filter((l) => l !== "");
} catch (e) {
	die(`${records}: ${e.message}`);
}
const recs = lines.map((line, i) => {
	try {
		return JSON.parse(line);
	} catch (e) {
		die(`${records}:${i + 1}: not JSON: ${e.message}`);
	}
});
// {not_ours: ID, foreign: REASON}: the test marked response ID afterwards.
const marks = new Map(recs.filter((r) => r.not_ours !== undefined)
    .map((r) => [r.not_ours, r.foreign]));
for (const rec of recs) {
	if (rec.not_ours !== undefined) continue;
	if (!rec.foreign && marks.has(rec.id)) rec.foreign = marks.get(rec.id);
	const t = String(rec.target);
	const where = `${rec.line ?? "?"} ${rec.server ?? "?"}: ${rec.method} ` +
	    (t.length > 100 ? `${t.slice(0, 100)}...(${t.length} bytes)` : t) +
	    ` -> ${rec.status}`;
	if (rec.foreign) {
		out.foreign.push(`${where}: not ours: ${rec.foreign}`);
		continue;
	}
	out.checked++;
	const [op, reasons] = check(rec);
	if (reasons.length) out.failures.push({ where, op, reasons });
}
// --log FILE: the whole list there, the first few on stdout (a page walk
// can give thousands of failures; Perl's JSON::PP reads the summary).
out.nforeign = out.foreign.length;
out.nfailures = out.failures.length;
if (logFile) {
	writeFileSync(logFile, out.foreign.map((f) => f + "\n").join("") +
	    out.failures.map((f) => `${f.where} (${f.op}):\n` +
	    f.reasons.map((r) => `  ${r}\n`).join("")).join(""));
	out.foreign = out.foreign.slice(0, 5);
	out.failures = out.failures.slice(0, 5);
}
// exitCode, not exit(): stdout is flushed before node ends.
process.stdout.write(JSON.stringify(out) + "\n");
process.exitCode = out.nfailures ? 1 : 0;
