import { describe, expect, it } from 'vitest';
import { describeConnectionLoss } from '../../../src/cli/main.js';
import { DbError, UsageError } from '../../../src/errors.js';

describe('describeConnectionLoss', () => {
  it('turns a driver error for a lost connection into a db error that says what to do', () => {
    const err = describeConnectionLoss(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    expect(err).toBeInstanceOf(DbError);
    expect((err as DbError).message).toBe(
      'lost the connection to the database: terminating connection due to administrator command. ' +
        'Check that the database server is up, then run the command again.',
    );
  });

  it('leaves every other error as it is', () => {
    const usage = new UsageError('bad flag');
    const data = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(describeConnectionLoss(usage)).toBe(usage);
    expect(describeConnectionLoss(data)).toBe(data);
  });
});
