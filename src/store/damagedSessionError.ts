// One session whose stored body cannot be used (its entry file missing, cut short or of the wrong shape, or its
// skills snapshot blob gone). The rest of the store keeps working: requests for that session get a 409 that names
// it and its file, /v1/stats counts it, and DELETE still removes it.

export class DamagedSessionError extends Error {
  constructor(
    readonly key: string,
    readonly file: string,
    readonly problem: string,
  ) {
    super(`session ${key} is damaged: ${problem} (${file}). Restore that file from a backup, or DELETE the session.`);
    this.name = 'DamagedSessionError';
  }
}
