// An ES module by package.json "type": "module".
import { basename } from "node:path";
export async function handler(event) {
  return { style: "type-module", hello: event.name, file: basename(import.meta.url) };
}
