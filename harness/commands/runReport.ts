// Every run folder has its report.html (docs/ARCHITECTURE.md, "Contracts"), sub-runs of compare, baseline and gate
// included: each command writes it here once a run is over. A report that cannot be written costs the run nothing:
// the command says so and how to rebuild it, and keeps its exit code.
import type { RunReportOptions } from '../../reports/writeReport.ts';

/** The report file, or undefined after saying why it could not be written. */
export async function writeReportOf(command: string, runDir: string, options: RunReportOptions = {}): Promise<string | undefined> {
  try {
    // Imported here, once a run is over: a refused command or --no-report never loads the report's code.
    const { writeRunReport } = await import('../../reports/writeReport.ts');
    return await writeRunReport(runDir, options);
  } catch (err) {
    console.error(`soakgate ${command}: the report for ${runDir} could not be written (${(err as Error).message}); rebuild it with soakgate report ${runDir}`);
    return undefined;
  }
}
