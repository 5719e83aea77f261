#!/usr/bin/env node
// The soakgate command: registers tsx so the TypeScript sources run in this very process (no wrapper process, so a
// gateway started this way has its own pid), then hands argv to harness/commands/dispatch.ts, which picks the
// command and is the one place its errors become exit codes.
import { register } from 'tsx/esm/api';

register();

const { dispatch } = await import('../harness/commands/dispatch.ts');
process.exitCode = await dispatch(process.argv.slice(2));
