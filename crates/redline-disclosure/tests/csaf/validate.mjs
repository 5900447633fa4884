// Validates CSAF 2.0 documents with the BSI's @secvisogram/csaf-validator-lib (pinned 2.0.10),
// offline: the strict schema, every mandatory test (basic.js) and the optional tests
// (optionalTests.js). The informative tests are never loaded: 6.3.6 and 6.3.7 send HTTP
// requests and 6.3.8 needs hunspell.
//
// Usage: node validate.mjs NODE_MODULES_DIR FILE...
// Prints one line per error and warning and one "RESULT <file> valid|invalid" line per file;
// exits 0 when every file is valid, 1 when one is not, 2 when the library cannot be loaded.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [modules, ...files] = process.argv.slice(2)
if (!modules || files.length === 0) {
  console.error('usage: node validate.mjs NODE_MODULES_DIR FILE...')
  process.exit(2)
}
const library = join(modules, '@secvisogram', 'csaf-validator-lib')
let validateStrict, basic, optional
try {
  validateStrict = (await import(pathToFileURL(join(library, 'validateStrict.js')).href)).default
  basic = await import(pathToFileURL(join(library, 'basic.js')).href)
  optional = await import(pathToFileURL(join(library, 'optionalTests.js')).href)
} catch (error) {
  console.error(`cannot load @secvisogram/csaf-validator-lib from ${library}: ${error.message}`)
  process.exit(2)
}
const tests = [...Object.values(basic), ...Object.values(optional)]
let allValid = true
for (const file of files) {
  const result = await validateStrict(tests, JSON.parse(readFileSync(file, 'utf8')))
  for (const test of result.tests) {
    for (const error of test.errors) console.log(`ERROR ${file} ${test.name} ${error.instancePath} ${error.message}`)
    for (const warning of test.warnings) console.log(`WARN ${file} ${test.name} ${warning.instancePath} ${warning.message}`)
  }
  console.log(`RESULT ${file} ${result.isValid ? 'valid' : 'invalid'} (${result.tests.length} tests)`)
  allValid = allValid && result.isValid
}
process.exit(allValid ? 0 : 1)
