// The engine from Node.js, through its JSON command line: the case written to the
// engine's standard input, the result read as JSON from its standard output.
//
//     node examples/engine_from_node.mjs        (PYTHON=.venv/bin/python to choose the Python)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const python = process.env.PYTHON || "python3";
const casePath = new URL("./consent_case.json", import.meta.url);

function evaluate(caseObject, explain) {
  const args = ["-m", "decisions.engine", "evaluate", "-"];
  if (explain) args.push("--explain", explain);
  const run = spawnSync(python, args, { input: JSON.stringify(caseObject), encoding: "utf-8" });
  if (run.status === 2) throw new Error(`malformed case: ${run.stderr.trim()}`);
  if (run.status !== 0) throw new Error(`engine failed (${run.status}): ${run.stderr}`);
  return explain ? run.stdout.trim() : JSON.parse(run.stdout);
}

const decided = JSON.parse(readFileSync(casePath, "utf-8"));
const result = evaluate(decided);
console.log(`outcome: ${result.outcome}`);
console.log(evaluate(decided, "en"));

try {
  evaluate({ ...decided, ballots: [{ voter: "ana", position: "maybe", cast_at: "2026-03-02T10:00:00Z" }] });
  console.error("a malformed case was accepted");
  process.exit(1);
} catch (error) {
  console.log(error.message);
}
