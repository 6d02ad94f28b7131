import { DbError, errorMessage } from '../errors.js';
import { sqlState } from './dataErrors.js';

/**
 * SQLSTATE 42501, insufficient_privilege: the role connected may not do what the statement
 * does ("permission denied for table sources", "… for schema public", "… for database brain",
 * "must be owner of table embeddings"). Not a bug and not the data: the database's grants.
 */
export function isPermissionDenied(err: unknown): boolean {
  return sqlState(err) === '42501';
}

/** A statement the database refused for lack of a right; the server's message names the object. */
export class PermissionDeniedError extends DbError {
  override readonly code = 'permission_denied';
  constructor(user: string, cause: unknown) {
    super(
      `the database user "${user}" lacks a right brainsync needs: ${errorMessage(cause).replace(/\.$/, '')}. ` +
        "Connect as the user that owns the brain's tables (the one that ran `brainsync init`), or grant " +
        `"${user}" the rights brainsync uses: CONNECT on the database, CREATE on schema public (for init), ` +
        'and SELECT, INSERT, UPDATE, DELETE on all tables in schema public.',
      { cause },
    );
  }
}
