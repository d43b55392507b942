import { parseArgs } from "node:util";
import { SCHEMAS, allJsonSchemas, isSchemaName, jsonSchema } from "../../schema";
import type { Command } from "../io";
import { EXIT, UsageError } from "../io";

export const schemaCommand: Command = {
  name: "schema",
  summary: "print the JSON Schemas of the domain model",
  usage: `nephoran schema [${Object.keys(SCHEMAS).join("|")}]`,
  async run(args, io) {
    const { positionals } = parseArgs({ args: [...args], allowPositionals: true, strict: true });
    const name = positionals[0];
    if (name === undefined) {
      io.out(`${JSON.stringify(allJsonSchemas(), null, 2)}\n`);
      return EXIT.ok;
    }
    if (!isSchemaName(name))
      throw new UsageError(`unknown schema "${name}"; one of: ${Object.keys(SCHEMAS).join(", ")}`);
    io.out(`${JSON.stringify(jsonSchema(name), null, 2)}\n`);
    return EXIT.ok;
  },
};
