// A data dir the gateway cannot use as it is (a folder where a file belongs, a file where a folder belongs, a link
// to nothing, a snapshot blob the store names but cannot find) stops start-up with exit 2 and a message naming the
// path, as a corrupt sessions.json does, instead of a stack trace; nothing in the data dir is changed first.

export class DataDirError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`cannot use ${path}: ${detail}. Nothing was changed; repair or move it away, or start with another --data-dir.`);
    this.name = 'DataDirError';
  }
}

// What each file-system refusal means for a data dir, in the words of the person who has to fix it.
const MEANING: Record<string, string> = {
  EISDIR: 'it is a folder where the gateway keeps a file',
  ENOTDIR: 'a file stands where the gateway keeps a folder',
  EEXIST: 'a file stands where the gateway keeps a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'it is a symbolic link, which the gateway does not follow',
  ENOENT: 'it does not exist',
  EROFS: 'the file system is read-only',
};

/**
 * A file-system error becomes a DataDirError naming its path (or `path`, for errors such as a read's EISDIR that
 * carry none); anything else is returned as it is.
 */
export function asDataDirError(error: unknown, path?: string): unknown {
  const fsError = error as NodeJS.ErrnoException;
  const where = fsError?.path ?? path;
  if (!(error instanceof Error) || typeof fsError.code !== 'string' || typeof where !== 'string') return error;
  return new DataDirError(where, MEANING[fsError.code] ?? fsError.message);
}
