// `soakgate report <run-dir>`: rebuilds report.html from a run folder's files, also for a run that crashed or was
// interrupted; given several folders, writes one compare report with the runs on the same axes.
import { isCompareFolder, writeCompareFolderReport, writeCompareReport, writeRunReport } from '../../reports/writeReport.ts';
import { parseCommandLine } from './commandLine.ts';
import { readBaselineFile } from './scenarioOptions.ts';
import { EXIT_OK, EXIT_USAGE } from '../contracts/exitCodes.ts';

const USAGE = `usage: soakgate report <run-dir> [<run-dir>...] [options]

Rebuilds the HTML growth report from a run folder (samples.jsonl, summary.json, run.json). With one folder it
writes <run-dir>/report.html; with several it writes one compare report overlaying them. A folder written by
\`soakgate compare\` (compare.json) gets its compare report back, with the slope differences.

options:
  --baseline FILE   draw this baseline's slopes as a band and list them beside each metric (one run only)
  --out FILE        where to write the report (default: <run-dir>/report.html, or compare-report.html here)
  --title TEXT      title of a compare report
  -h, --help        show this help`;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('report', argv, {
    baseline: { type: 'string' },
    out: { type: 'string' },
    title: { type: 'string' },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    console.error(`soakgate report: which run folder? Pass the folder a run wrote, e.g. runs/<name>.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const compareFolder = positionals.length === 1 && isCompareFolder(positionals[0]);
  if (values.baseline && (positionals.length > 1 || compareFolder)) {
    console.error('soakgate report: --baseline applies to one run; a compare report draws the runs against each other.');
    return EXIT_USAGE;
  }
  // A missing or bad folder or baseline throws UsageError: the command line's boundary (dispatch.ts) exits 2.
  const baseline = values.baseline ? readBaselineFile(values.baseline).metrics : undefined;
  try {
    let file: string;
    if (compareFolder) file = await writeCompareFolderReport(positionals[0], values.out);
    else if (positionals.length === 1) file = await writeRunReport(positionals[0], { ...(baseline ? { baseline } : {}), ...(values.out ? { outFile: values.out } : {}) });
    else file = await writeCompareReport(positionals, values.out ?? 'compare-report.html', values.title ?? `soakgate compare: ${positionals.join(' vs ')}`);
    console.log(`report written: ${file}`);
    return EXIT_OK;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EROFS') {
      console.error(`soakgate report: could not write the report: ${(err as Error).message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
