// A scenario the harness refuses: each problem with its field path, so the message names the file, the field and
// what was expected (the CLI prints it alone and exits 2).
import { UsageError } from '../contracts/exitCodes.ts';

export interface ScenarioIssue {
  /** Field path such as `load[2].rate`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** A scenario the harness refuses to run; `message` names the file, each field path and what was expected. */
export class ScenarioError extends UsageError {
  constructor(
    readonly file: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(
      issues.length === 1
        ? `${file}: ${formatIssue(issues[0])}`
        : `${file}: ${issues.length} problems:\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`,
    );
  }
}

function formatIssue(issue: ScenarioIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}


/** A zod issue path as a field path such as `load[2].rate`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}
