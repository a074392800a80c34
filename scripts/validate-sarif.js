// Validates SARIF files against the official SARIF 2.1.0 JSON schema, as
// shipped in Microsoft's @microsoft/jest-sarif npm package (with ajv 6,
// which speaks the schema's draft-04). Usage, from a directory where
// `npm install @microsoft/jest-sarif@1.0.0-beta.0` ran:
//   node validate-sarif.js FILE.sarif...
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const schemaPath = path.join(path.dirname(require.resolve("@microsoft/jest-sarif/package.json")), "lib", "schemas", "sarif-2.1.0-rtm.5.json");
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const ajv = new Ajv({ schemaId: "auto", allErrors: true });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
const validate = ajv.compile(schema);
let failed = false;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  if (validate(doc)) {
    console.log(`${file}: valid SARIF 2.1.0 (${doc.runs[0].results.length} results)`);
  } else {
    failed = true;
    console.log(`${file}: INVALID`);
    for (const e of validate.errors) console.log(`  ${e.dataPath} ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
