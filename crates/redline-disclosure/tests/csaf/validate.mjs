// Validates CSAF documents with the BSI's @secvisogram/csaf-validator-lib (pinned 2.0.10),
// offline. The informative tests are never loaded: they send HTTP requests (6.3.6, 6.3.7) or
// need hunspell (6.3.8).
//
// CSAF 2.0: the strict schema, every mandatory test (basic.js) and the optional tests
// (optionalTests.js), through validateStrict.
//
// CSAF 2.1 (the library's experimental csaf_2_1/ directory): the strict 2.1 schema
// (csaf_2_1_strict), every test of csaf_2_1/mandatoryTests.js and the tests of
// csaf_2_1/recommendedTests.js (2.1's name for the optional tests) but one. Three things the
// library does not get right for 2.1 yet are handled here, each narrowly:
//  - Not csaf_2_1/basic.js: it re-exports the CSAF 2.0 mandatory tests (../mandatoryTests.js),
//    which read 2.0's fields (scores[], cwe, purl). Through validate.js, not validateStrict.js:
//    validateStrict only accepts the library's 2.0 test functions and throws on the 2.1 ones.
//  - Recommended test 6.2.20 (additional properties) is left out: csaf_2_1 re-exports the
//    CSAF 2.0 optional test, which checks against the 2.0 schema and so warns of every field
//    2.1 added ($schema, metrics, cwes, purls, disclosure_date, unknown, a note's product_ids).
//    The strict 2.1 schema, which refuses any property it does not define, is run instead.
//  - The 2.1 schemas are compiled with Ajv's multipleOfPrecision: FIRST's CVSS 4.0 JSON schema
//    says a score is a multipleOf 0.1, and without the option Ajv divides in binary floating
//    point and refuses valid scores (8.2 / 0.1 is 81.99999999999999), the Ajv problem CVE
//    Services met with the same schema (CVEProject/cve-services#1204). A score with a second
//    decimal (8.25) is still refused.
//
// Usage: node validate.mjs 2.0|2.1 NODE_MODULES_DIR FILE...
// Prints one line per error and warning and one "RESULT <file> valid|invalid (csaf V, N tests)"
// line per file; exits 0 when every file is valid, 1 when one is not, 2 when the library
// cannot be loaded or the arguments are wrong.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [version, modules, ...files] = process.argv.slice(2)
if (!['2.0', '2.1'].includes(version) || !modules || files.length === 0) {
  console.error('usage: node validate.mjs 2.0|2.1 NODE_MODULES_DIR FILE...')
  process.exit(2)
}
const library = join(modules, '@secvisogram', 'csaf-validator-lib')
const load = async (path) => import(pathToFileURL(join(library, path)).href)
let validate, tests
try {
  if (version === '2.0') {
    validate = (await load('validateStrict.js')).default
    tests = [...Object.values(await load('basic.js')), ...Object.values(await load('optionalTests.js'))]
  } else {
    validate = (await load('validate.js')).default
    // Before anything compiles a schema with the library's shared 2.1 Ajv instance.
    const csafAjv = (await load('csaf_2_1/csafAjv.js')).default
    csafAjv.opts.multipleOfPrecision = 9
    const schema = await load('csaf_2_1/schemaTests.js')
    const recommended = Object.entries(await load('csaf_2_1/recommendedTests.js'))
      .filter(([name]) => name !== 'recommendedTest_6_2_20')
      .map(([, test]) => test)
    tests = [
      schema.csaf_2_1_strict,
      ...Object.values(await load('csaf_2_1/mandatoryTests.js')),
      ...recommended,
    ]
    if (typeof schema.csaf_2_1_strict !== 'function' || tests.length < 50) {
      throw new Error(`the CSAF 2.1 tests are not all there (${tests.length} loaded)`)
    }
  }
} catch (error) {
  console.error(`cannot load @secvisogram/csaf-validator-lib (CSAF ${version}) from ${library}: ${error.message}`)
  process.exit(2)
}
let allValid = true
for (const file of files) {
  const result = await validate(tests, JSON.parse(readFileSync(file, 'utf8')))
  for (const test of result.tests) {
    for (const error of test.errors) console.log(`ERROR ${file} ${test.name} ${error.instancePath} ${error.message}`)
    for (const warning of test.warnings) console.log(`WARN ${file} ${test.name} ${warning.instancePath} ${warning.message}`)
  }
  console.log(`RESULT ${file} ${result.isValid ? 'valid' : 'invalid'} (csaf ${version}, ${result.tests.length} tests)`)
  allValid = allValid && result.isValid
}
process.exit(allValid ? 0 : 1)
