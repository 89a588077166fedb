// Prints what xunit-viewer's own parser makes of a JUnit file: per test, its status and the
// messages the viewer lists (reports/viewers_test.go checks none is shown twice).
import { readFileSync } from 'node:fs'
import parse from 'xunit-viewer/src/cli/parse.js'

const out = await parse(readFileSync(process.argv[2], 'utf8'))
const tests = []
for (const suite of Object.values(out.suites)) {
  for (const t of Object.values(suite.tests)) tests.push({ suite: suite.name, name: t.name, status: t.status, messages: t.messages })
}
console.log(JSON.stringify(tests))
