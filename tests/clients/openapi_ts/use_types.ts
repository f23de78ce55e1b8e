// Compiled (tsc --noEmit) against the types openapi-typescript generates from
// openapi/openapi.json: the paths, a row schema and the error shape must exist.
import type { components, paths } from "./generated";

type Student = components["schemas"]["Students"];
type ApiError = components["schemas"]["Error"];
type StudentsGet = paths["/students"]["get"];

export const error: ApiError = { code: "PGRST116", message: "m", details: null, hint: null };
export const detailed: ApiError = { code: "PGRST201", message: "m", details: [{ a: 1 }], hint: "h" };
export function firstName(row: Student): string | null | undefined {
  return row.first_name;
}
export type StudentsOk = StudentsGet["responses"][200];
