// Adds up vitest's JSON reports into the one closing line CI reads: "N passed, N failed".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    // the runner died before writing its report: that is a failure, not zero tests
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);

/** A suite that failed to load has no failed tests of its own; count it once as a failure. */
function countSuitesWithFailedTests(report) {
  return report.testResults.filter(
    (suite) => suite.status === 'failed' && suite.assertionResults.some((t) => t.status === 'failed'),
  ).length;
}
