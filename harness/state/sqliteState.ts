// Reads a number from the target's SQLite database: the first column of the first row of a scenario's query, on a
// read-only connection (docs/ARCHITECTURE.md, "State readings"). better-sqlite3 is an optional dependency,
// imported only when a scenario reads SQLite, so an install without it runs everything else.
import { statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { StateReading } from './stateReadings.ts';

type Database = BetterSqlite3.Database;
type DatabaseConstructor = typeof BetterSqlite3;

/**
 * How long a reading waits on a locked database before it counts as missed. better-sqlite3 waits synchronously,
 * on the harness's own event loop, so this is kept far below a sample interval. In WAL mode a reader is blocked
 * only while a writer recovers the WAL or holds an exclusive lock.
 */
export const BUSY_TIMEOUT_MS = 100;

let binding: Promise<DatabaseConstructor> | null = null;

/** better-sqlite3's Database, imported once on first use. */
export function loadSqliteBinding(): Promise<DatabaseConstructor> {
  binding ??= import('better-sqlite3').then((module) => module.default);
  return binding;
}

/** Why SQLite state cannot be read here (the binding is not installed or does not load), or null. */
export async function sqliteBindingProblem(): Promise<string | null> {
  try {
    await loadSqliteBinding();
    return null;
  } catch (error) {
    binding = null;
    return `reading SQLite needs the optional dependency better-sqlite3, which did not load (${(error as Error).message.split('\n')[0]}): install it with npm install better-sqlite3@^12`;
  }
}

/**
 * One database file, read by any number of queries through one read-only handle kept open between readings. A
 * fresh handle per reading starts with an empty page cache: SELECT count(*) over 100,000 rows took 6 ms that way
 * and 0.04 ms on a kept handle while the file was unchanged. The handle holds no transaction between readings, so
 * it never holds back the writer's checkpoints; it is opened again when the file is replaced (another inode) or a
 * reading fails, and read-only means it can never write, whatever the query.
 */
export class SqliteFile {
  private db: Database | null = null;
  private inode: string | null = null;
  private readonly statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();

  constructor(readonly file: string) {}

  async read(query: string): Promise<StateReading> {
    let inode: string;
    try {
      const stat = statSync(this.file);
      inode = `${stat.dev}:${stat.ino}`;
    } catch {
      this.close();
      return { missed: `no database at ${this.file} yet` };
    }
    const Database = await loadSqliteBinding();
    try {
      if (!this.db || inode !== this.inode) {
        this.close();
        this.db = new Database(this.file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
        this.inode = inode;
      }
      let statement = this.statements.get(query);
      if (!statement) this.statements.set(query, (statement = this.db.prepare(query).raw()));
      return firstValue(statement.get() as unknown[] | undefined);
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      // A later reading opens the file afresh: whatever went wrong may have been this handle's.
      this.close();
      if (code === 'SQLITE_BUSY') return { missed: `the database was locked for more than ${BUSY_TIMEOUT_MS} ms` };
      return { missed: message };
    }
  }

  close(): void {
    this.statements.clear();
    this.db?.close();
    this.db = null;
    this.inode = null;
  }
}

function firstValue(row: unknown[] | undefined): StateReading {
  if (row === undefined) return { missed: 'the query returned no row' };
  const value = row[0];
  if (typeof value === 'number' && Number.isFinite(value)) return { value };
  if (typeof value === 'bigint') return { value: Number(value) };
  if (value === null) return { missed: 'the query returned NULL' };
  return { missed: `the query returned ${JSON.stringify(typeof value === 'string' ? value.slice(0, 40) : typeof value)}, not a number` };
}
