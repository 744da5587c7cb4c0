// Summarises a test run from the runner's own result files (xunit v3's CTRF JSON, one per test project, written by
// `dotnet test --report-xunit-ctrf --results-directory DIR`): each failed test's name and the first lines of its
// message, then one line 'N passed, N failed, N skipped'. Exits 1 when a test failed or no result file was written.
// Usage: node infra/test-summary.mjs DIR [EXPECTED_PROJECTS]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [folder, expected] = process.argv.slice(2);
const files = readdirSync(folder, { recursive: true }).filter((f) => String(f).endsWith(".ctrf"));
let passed = 0, failed = 0, skipped = 0;
let unreadable = 0;
for (const file of files) {
  let results;
  try {
    ({ results } = JSON.parse(readFileSync(join(folder, String(file)), "utf8")));
  } catch (error) {
    // A project that crashed while writing its file: counted as failed, named, never a stack trace here.
    console.log(`${file}: the result file cannot be read (${error.message}); its project counts as failed.`);
    unreadable++;
    continue;
  }

  passed += results.summary.passed;
  failed += results.summary.failed;
  skipped += results.summary.skipped + results.summary.pending;
  for (const test of results.tests.filter((t) => t.status === "failed")) {
    console.log("---");
    console.log(`failed ${test.name}`);
    console.log((test.message ?? "").split("\n").slice(0, 10).join("\n"));
  }
}

failed += unreadable;
if (expected !== undefined && files.length !== Number(expected)) {
  // Fewer files: a project crashed or was not run. More: files that are not this run's. Either way the run is not whole.
  console.log(`${files.length} result files for ${expected} test projects: the run is not whole (see the output above).`);
  failed += Math.max(1, Math.abs(Number(expected) - files.length));
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
